import LighterSystem

/// Docker's `Healthcheck` of an image config or a container (`HEALTHCHECK`, `run --health-*`):
/// durations in nanoseconds, 0 meaning "inherit" (from the image) or "the default".
public struct HealthConfig: Codable, Hashable, Sendable {
    /// `[]` inherit, `["NONE"]` disabled, `["CMD", arg...]`, `["CMD-SHELL", "command"]`.
    public var Test: [String]?
    public var Interval: Int64?
    public var Timeout: Int64?
    public var StartPeriod: Int64?
    public var StartInterval: Int64?
    public var Retries: Int?

    public init(Test: [String]? = nil, Interval: Int64? = nil, Timeout: Int64? = nil, StartPeriod: Int64? = nil,
                StartInterval: Int64? = nil, Retries: Int? = nil) {
        self.Test = Test
        self.Interval = Interval
        self.Timeout = Timeout
        self.StartPeriod = StartPeriod
        self.StartInterval = StartInterval
        self.Retries = Retries
    }

    /// Docker's defaults for what is unset or 0: every 30 s, 30 s timeout, no start period, 5 s
    /// between checks during the start period, 3 retries.
    public static let defaultInterval: Int64 = 30_000_000_000
    public static let defaultTimeout: Int64 = 30_000_000_000
    public static let defaultStartInterval: Int64 = 5_000_000_000
    public static let defaultRetries = 3

    /// True when the test disables checks (`["NONE"]`).
    public var isDisabled: Bool { Test?.first == "NONE" }

    /// The container's settings over the image's, as Docker merges them: the container's test (unless
    /// empty) and each non-zero duration and retry count, the image's otherwise.
    public func over(_ image: HealthConfig?) -> HealthConfig {
        guard let image else { return self }
        var merged = self
        if (Test ?? []).isEmpty { merged.Test = image.Test }
        if (Interval ?? 0) == 0 { merged.Interval = image.Interval }
        if (Timeout ?? 0) == 0 { merged.Timeout = image.Timeout }
        if (StartPeriod ?? 0) == 0 { merged.StartPeriod = image.StartPeriod }
        if (StartInterval ?? 0) == 0 { merged.StartInterval = image.StartInterval }
        if (Retries ?? 0) == 0 { merged.Retries = image.Retries }
        return merged
    }

    /// The command to run, or nil when there is no check to run (none set, or NONE).
    public var command: [String]? {
        guard let test = Test, let kind = test.first else { return nil }
        switch kind {
        case "CMD": return test.count > 1 ? Array(test.dropFirst()) : nil
        case "CMD-SHELL": return test.count > 1 ? ["/bin/sh", "-c", test.dropFirst().joined(separator: " ")] : nil
        default: return nil
        }
    }
}

extension HealthConfig: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init()
        Test = try f.optional("Test")
        Interval = try f.optional("Interval")
        Timeout = try f.optional("Timeout")
        StartPeriod = try f.optional("StartPeriod")
        StartInterval = try f.optional("StartInterval")
        Retries = try f.optional("Retries")
    }

    public var json: JSONNode {
        .object(["Test": Test, "Interval": Interval, "Timeout": Timeout, "StartPeriod": StartPeriod,
                 "StartInterval": StartInterval, "Retries": Retries])
    }
}
