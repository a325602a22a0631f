import LighterSystem

/// The result of `lighter check-config`: the kernel config verdicts, the running system's findings,
/// what is missing and the exit status.
public struct CheckConfigReport: Sendable, Codable, Equatable {
    /// The config that was checked: path and kernel version from its header.
    public struct ConfigSource: Sendable, Codable, Equatable {
        public let path: String
        public let version: KernelVersion?
    }

    public let config: ConfigSource?
    /// Why no config was checked (the running kernel publishes none).
    public let configUnavailable: String?
    public let options: [OptionResult]
    /// Present when the running system was checked (no --kernel-config).
    public let host: HostFacts?
    public let checks: [LiveCheck]
    public let strict: Bool
    /// Required options or findings that are missing or failed.
    public let missingRequired: [String]
    /// Optional options or findings that are missing or failed.
    public let missingOptional: [String]
    /// The fragment that enables what is missing.
    public let fragment: String
    /// 0: everything Lighter needs is there; 1: something required (with --strict: anything) is missing.
    public let exitCode: Int32

    public init(config: KernelConfig?, configUnavailable: String?, context: CheckContext, host: HostFacts?, strict: Bool) {
        self.config = config.map { ConfigSource(path: $0.source, version: $0.version) }
        self.configUnavailable = configUnavailable
        let options = config.map { ConfigCheck.evaluate($0, context: context) } ?? []
        self.options = options
        self.host = host
        let checks = host?.checks ?? []
        self.checks = checks
        self.strict = strict
        var required = options.filter { !$0.usable && $0.need == .required }.map { "CONFIG_\($0.name)" }
        var optional = options.filter { !$0.usable && $0.need == .optional }.map { "CONFIG_\($0.name)" }
        required += checks.filter { $0.fails(strict: false) }.map(\.id)
        optional += checks.filter { !$0.fails(strict: false) && $0.fails(strict: true) }.map(\.id)
        missingRequired = required
        missingOptional = optional
        fragment = config.map { KernelFragment.make(for: options, config: $0, strict: strict) } ?? KernelFragment.unavailable
        exitCode = !required.isEmpty || (strict && !optional.isEmpty) ? 1 : 0
    }
}
