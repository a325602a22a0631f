import LighterSystem

/// The kernel command line (/proc/cmdline), reduced to the flags that matter to containers.
public struct KernelCommandLine: Sendable, Codable, Equatable {
    /// Every kernel parameter (words after "--" go to init and are dropped).
    public let parameters: [String]

    public init(_ text: String) {
        var parameters: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            if word == "--" { break }
            parameters.append(String(word))
        }
        self.parameters = parameters
    }

    public static func read(_ path: String = "/proc/cmdline") throws(LighterError) -> KernelCommandLine {
        KernelCommandLine(try FileSystem.readString(path))
    }

    /// Values of every `key=value` parameter with this key (comma lists split).
    public func values(of key: String) -> [String] {
        parameters.compactMap { parameter -> [String]? in
            guard parameter.hasPrefix(key + "=") else { return nil }
            return parameter.dropFirst(key.count + 1).split(separator: ",").map(String.init)
        }.flatMap { $0 }
    }

    /// Controllers switched off with `cgroup_disable=` and not switched back on with `cgroup_enable=`
    /// (the Raspberry Pi kernel's way to re-enable memory).
    public var disabledControllers: [String] {
        let enabled = Set(values(of: "cgroup_enable"))
        return values(of: "cgroup_disable").filter { !enabled.contains($0) }
    }

    /// The parameters that change cgroups or modules, for the report.
    public var relevantFlags: [String] {
        let keys = ["cgroup_enable", "cgroup_disable", "cgroup_memory", "cgroup_no_v1", "swapaccount",
                    "systemd.unified_cgroup_hierarchy", "systemd.legacy_systemd_cgroup_controller", "cgroup_favordynmods"]
        return parameters.filter { parameter in
            parameter == "nomodule" || keys.contains { parameter.hasPrefix($0 + "=") }
        }
    }

    public var hasNoModule: Bool { parameters.contains("nomodule") }
}
