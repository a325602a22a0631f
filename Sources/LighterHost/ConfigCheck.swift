/// The verdict on one kernel option.
public struct OptionResult: Sendable, Codable, Equatable {
    public let name: String
    public let group: FeatureGroup
    public let state: OptionState
    /// What the state means, in words.
    public let stateMeaning: String
    public let need: Need
    /// What Lighter uses the option for.
    public let meaning: String
    /// True when the feature can be used: built in, or a module on a kernel that loads modules.
    public let usable: Bool
    /// Extra explanation (module not loadable, alternative set complete, no own Kconfig symbol).
    public let note: String?
}

/// What the config check needs to know about the system the config is for.
public struct CheckContext: Sendable {
    /// The kernel version (from the config header, else the running kernel for the live config).
    public var version: KernelVersion?
    /// The running system's cgroup mode; nil when checking a file for another machine.
    public var cgroupMode: CgroupMode?
    /// Why modules cannot be loaded on the running kernel; nil when they can or when unknown.
    public var modulesUnavailable: String?

    public init(version: KernelVersion?, cgroupMode: CgroupMode? = nil, modulesUnavailable: String? = nil) {
        self.version = version
        self.cgroupMode = cgroupMode
        self.modulesUnavailable = modulesUnavailable
    }
}

/// Checks a kernel config against `KernelOption.catalog`.
public enum ConfigCheck {
    public static func evaluate(_ config: KernelConfig, context: CheckContext,
                                catalog: [KernelOption] = KernelOption.catalog) -> [OptionResult] {
        let options = catalog.filter { $0.applies(to: context.version) }
        func state(_ option: KernelOption) -> OptionState { config.state(of: option.providedBy ?? option.name) }
        func usable(_ state: OptionState) -> Bool {
            state == .enabled || (state == .module && context.modulesUnavailable == nil)
        }
        func complete(_ set: FirewallSet) -> Bool {
            options.filter { $0.firewallSet == set }.allSatisfy { usable(state($0)) }
        }
        let nftablesComplete = complete(.nftables)
        let iptablesComplete = complete(.iptables)

        return options.map { option in
            let state = state(option)
            var need = option.need
            var notes: [String] = []
            if let provider = option.providedBy {
                notes.append("no Kconfig symbol of its own: comes with CONFIG_\(provider)")
            }
            if option.cgroupV1Only, context.cgroupMode == .v2 {
                need = .notNeeded
                notes.append("only used with cgroup v1; this system runs cgroup v2")
            }
            switch option.firewallSet {
            case .nftables? where !nftablesComplete && iptablesComplete:
                need = .notNeeded
                notes.append("the iptables set is complete (legacy host)")
            case .iptables? where nftablesComplete:
                need = .notNeeded
                notes.append("the nftables set is complete")
            case .iptables? where !iptablesComplete:
                need = .notNeeded
                notes.append("alternative to the nftables set, for iptables-legacy hosts")
            default: break
            }
            if state == .module, let reason = context.modulesUnavailable {
                notes.append("but this kernel cannot load modules (\(reason)): build it in (=y)")
            }
            return OptionResult(name: option.name, group: option.group, state: state, stateMeaning: state.meaning,
                                need: need, meaning: option.meaning, usable: usable(state),
                                note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
    }
}
