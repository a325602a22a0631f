#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterEngine
import LighterNetwork
import LighterSystem

/// The rows `network ls` and `volume ls` render, with the keys and values of Docker's `{{json .}}`
/// lines (docker/cli's formatter contexts): every value a string, `"N/A"` where Docker has no figure.
enum DockerListRows {
    /// `network ls`: CreatedAt, Driver, ID, IPv6, Internal, Labels, Name, Scope.
    static func network(id: String, name: String, driver: String, created: Int64, isInternal: Bool = false) -> OutputRow {
        OutputRow(fields: [
            ("CreatedAt", goTime(seconds: created)), ("Driver", driver), ("ID", id), ("IPv6", "false"), ("Internal", isInternal ? "true" : "false"),
            ("Labels", ""), ("Name", name), ("Scope", "local"),
        ])
    }

    /// `volume ls`: Driver, Labels (`k=v,k2=v2`), Links, Mountpoint, Name, Scope, Size.
    static func volume(_ v: Volume) -> OutputRow {
        OutputRow(fields: [
            ("Driver", v.Driver), ("Labels", labels(v.Labels)), ("Links", "N/A"), ("Mountpoint", v.Mountpoint), ("Name", v.Name),
            ("Scope", v.Scope), ("Size", "N/A"),
        ])
    }

    /// Labels as docker/cli joins them: `key=value` pairs, sorted, comma-separated.
    static func labels(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Go's `time.Time.String()` in UTC, as Docker's list rows print times: `2021-09-14 01:20:53 +0000 UTC`.
    static func goTime(seconds: Int64) -> String {
        let rfc = Time.rfc3339(seconds: seconds)          // 2021-09-14T01:20:53Z
        return String(rfc.dropLast()).replacing("T", with: " ") + " +0000 UTC"
    }
}
