import LighterOCI
import LighterSystem

/// A container's health as Docker's `State.Health` shows it: written by the container's monitor after
/// each check to `containers/<id>/health.json` (durably: it is what an update's wait and `ps` trust),
/// read by `inspect` and `ps`.
public struct HealthState: Sendable, Equatable {
    public enum Status: String, Sendable { case starting, healthy, unhealthy }

    /// One check, as Docker's `Log` entries: its times (RFC 3339 with nanoseconds), exit code (-1 when
    /// it could not run or timed out) and output (stdout and stderr together, at most 4,096 bytes).
    public struct Result: Sendable, Equatable {
        public var start: String
        public var end: String
        public var exitCode: Int32
        public var output: String
    }

    public var status: Status = .starting
    public var failingStreak = 0
    public var log: [Result] = []

    /// Docker keeps the last 5 results and 4,096 bytes of each check's output.
    public static let maxLogEntries = 5
    public static let maxOutput = 4096

    public init() {}

    /// Add a result, dropping the oldest beyond `maxLogEntries`.
    mutating func append(_ result: Result) {
        log.append(result)
        if log.count > Self.maxLogEntries { log.removeFirst(log.count - Self.maxLogEntries) }
    }
}

extension HealthState: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init()
        let text: String = try f.required("Status")
        guard let status = Status(rawValue: text) else { throw path.appending("Status").badValue("unknown health status \"\(text)\"") }
        self.status = status
        failingStreak = try f.value("FailingStreak", default: 0)
        log = try f.value("Log", default: [])
    }

    /// Docker's shape: `{"Status": …, "FailingStreak": N, "Log": [{"Start", "End", "ExitCode", "Output"}]}`.
    public var json: JSONNode { .object(["Status": status.rawValue, "FailingStreak": failingStreak, "Log": log]) }
}

extension HealthState.Result: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        start = try f.required("Start")
        end = try f.required("End")
        exitCode = try f.required("ExitCode")
        output = try f.value("Output", default: "")
    }

    public var json: JSONNode { .object(["Start": start, "End": end, "ExitCode": exitCode, "Output": output]) }
}

extension Engine {
    func healthPath(_ id: String) -> String { "\(directory(id))/health.json" }

    /// The container's health check, its own settings over its image's; nil when it has none to run
    /// (none set, or `--no-healthcheck` / `HEALTHCHECK NONE`).
    public func healthConfig(of record: ContainerRecord) -> HealthConfig? {
        let image = (try? images.config(of: record.spec.imageID))?.config?.Healthcheck
        let merged = (record.spec.healthcheck ?? HealthConfig()).over(image)
        return merged.command == nil ? nil : merged
    }

    /// The health the monitor last recorded; nil for a container without a check or not started since.
    public func health(of record: ContainerRecord) -> HealthState? {
        guard healthConfig(of: record) != nil, let bytes = try? FileSystem.readFile(healthPath(record.id)) else { return nil }
        return try? HealthState(jsonBytes: bytes, what: "health of container \(record.shortID)")
    }

    /// Written by the monitor after each check: temp → fsync → rename → fsync directory.
    func saveHealth(_ state: HealthState, of id: String) throws(LighterError) {
        try FileSystem.writeDurably(state.jsonBytes(pretty: false), to: healthPath(id), mode: 0o600)
    }
}
