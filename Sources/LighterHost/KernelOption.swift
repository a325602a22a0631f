/// Where an option is listed, following moby's check-config.sh.
public enum FeatureGroup: String, Sendable, Codable, CaseIterable {
    case generallyNecessary = "generally-necessary"
    case networking
    case storage
    case optional

    public var title: String {
        switch self {
        case .generallyNecessary: return "Generally necessary"
        case .networking: return "Networking"
        case .storage: return "Storage (overlayfs)"
        case .optional: return "Optional features"
        }
    }
}

/// How much Lighter needs an option.
public enum Need: String, Sendable, Codable {
    /// Lighter does not work without it (exit 1).
    case required
    /// A feature degrades or is unavailable without it (exit 1 only with --strict).
    case optional
    /// Not needed on this system (an alternative is complete, or it only applies elsewhere).
    case notNeeded = "not-needed"
}

/// The two kernel firewall back ends; Lighter needs one complete set.
public enum FirewallSet: String, Sendable, Codable {
    case nftables, iptables
}

/// One kernel option Lighter checks.
public struct KernelOption: Sendable {
    /// The Kconfig symbol without `CONFIG_`.
    public let name: String
    public let group: FeatureGroup
    public let need: Need
    /// What Lighter uses it for.
    public let meaning: String
    /// Member of one of the alternative firewall sets.
    public let firewallSet: FirewallSet?
    /// Only checked on kernels at least this new.
    public let since: KernelVersion?
    /// Only checked on kernels older than this (the option was removed or merged later).
    public let until: KernelVersion?
    /// Only needed with cgroup v1 controllers (cgroup v2 has the feature built in or uses BPF).
    public let cgroupV1Only: Bool
    /// Set when the feature has no Kconfig symbol of its own and comes with this option.
    public let providedBy: String?
    /// Options that must also be set for this one to be selectable (added to a fragment).
    public let prerequisites: [String]

    public init(_ name: String, _ group: FeatureGroup, _ need: Need, _ meaning: String,
                firewallSet: FirewallSet? = nil, since: KernelVersion? = nil, until: KernelVersion? = nil,
                cgroupV1Only: Bool = false, providedBy: String? = nil, prerequisites: [String] = []) {
        self.name = name
        self.group = group
        self.need = need
        self.meaning = meaning
        self.firewallSet = firewallSet
        self.since = since
        self.until = until
        self.cgroupV1Only = cgroupV1Only
        self.providedBy = providedBy
        self.prerequisites = prerequisites
    }

    /// Whether the option exists on a kernel of this version (unknown version: modern kernel).
    public func applies(to version: KernelVersion?) -> Bool {
        guard let version else { return until == nil }
        if let since, version < since { return false }
        if let until, version >= until { return false }
        return true
    }
}
