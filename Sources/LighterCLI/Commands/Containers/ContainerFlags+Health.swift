import LighterEngine
import LighterOCI
import LighterSystem

/// `--health-cmd`, `--health-interval`, `--health-timeout`, `--health-retries`, `--health-start-period`,
/// `--health-start-interval`, `--no-healthcheck`: Docker's CLI rules, the settings kept in the spec
/// (merged over the image's `Healthcheck` when the container starts).
struct HealthFlags: Equatable, Sendable {
    var cmd: String? = nil
    var interval: String? = nil
    var timeout: String? = nil
    var retries: Int64? = nil
    var startPeriod: String? = nil
    var startInterval: String? = nil
    var disabled = false

    func apply(to spec: inout ContainerSpec) throws(LighterError) {
        let durations = [("interval", interval), ("timeout", timeout), ("start-period", startPeriod), ("start-interval", startInterval)]
        var parsed: [Int64] = []
        for (name, text) in durations {
            guard let text else { parsed.append(0); continue }
            guard let value = GoDuration.parse(text) else {
                throw .invalidArgument("--health-\(name) \(text): expected a duration such as 30s, 1m30s or 500ms")
            }
            if value < 0 { throw .invalidArgument("--health-\(name) cannot be negative") }
            if value > 0 && value < 1_000_000 { throw .invalidArgument("--health-\(name) \(text): cannot be less than 1ms") }
            parsed.append(value)
        }
        if let retries, retries < 0 { throw .invalidArgument("--health-retries cannot be negative") }
        let settings = (cmd.map { !$0.isEmpty } ?? false) || parsed.contains { $0 != 0 } || (retries ?? 0) != 0
        if disabled {
            if settings { throw .invalidArgument("--no-healthcheck conflicts with --health-* options") }
            spec.healthcheck = HealthConfig(Test: ["NONE"])
        } else if settings {
            spec.healthcheck = HealthConfig(Test: cmd.flatMap { $0.isEmpty ? nil : ["CMD-SHELL", $0] }, Interval: parsed[0], Timeout: parsed[1],
                                            StartPeriod: parsed[2], StartInterval: parsed[3], Retries: Int(retries ?? 0))
        }
    }
}
