import LighterSystem

/// An image's HEALTHCHECK (`config.Healthcheck`), in Docker's field names; durations in nanoseconds,
/// 0 meaning "the default". `Test` is `["NONE"]` (disabled), `["CMD", args…]` or `["CMD-SHELL", command]`.
public struct HealthConfig: Codable, Hashable, Sendable {
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
