import LighterSystem

/// Kernel module loading on the running system.
public struct ModuleFacts: Sendable, Codable, Equatable {
    public let loadable: Bool
    /// Why modules cannot be loaded, when they cannot.
    public let reason: String?

    public static func probe(commandLine: KernelCommandLine) -> ModuleFacts {
        if !FileSystem.exists("/proc/modules") {
            let booted = commandLine.hasNoModule ? "; the kernel was booted with \"nomodule\"" : ""
            return ModuleFacts(loadable: false, reason: "/proc/modules is absent: the kernel has no module support\(booted)")
        }
        if let text = try? FileSystem.readString("/proc/sys/kernel/modules_disabled"), text.hasPrefix("1") {
            return ModuleFacts(loadable: false, reason: "kernel.modules_disabled=1: the kernel refuses to load modules until reboot")
        }
        if commandLine.hasNoModule {
            return ModuleFacts(loadable: false, reason: "the kernel was booted with \"nomodule\"")
        }
        return ModuleFacts(loadable: true, reason: nil)
    }
}

/// Sysctls that limit containers.
public struct SysctlFacts: Sendable, Codable, Equatable {
    /// user.max_user_namespaces; nil when the kernel has no user namespaces.
    public let maxUserNamespaces: Int?
    /// kernel.keys.root_maxkeys; nil when the kernel has no keyrings.
    public let rootMaxKeys: Int?

    /// moby's minimum for kernel.keys.root_maxkeys (one session keyring per container).
    public static let minimumRootMaxKeys = 10000

    public static func probe() -> SysctlFacts {
        SysctlFacts(maxUserNamespaces: readInt("/proc/sys/user/max_user_namespaces"),
                    rootMaxKeys: readInt("/proc/sys/kernel/keys/root_maxkeys"))
    }

    static func readInt(_ path: String) -> Int? {
        guard let text = try? FileSystem.readString(path) else { return nil }
        return Int(text.split(separator: "\n").first ?? "")
    }
}
