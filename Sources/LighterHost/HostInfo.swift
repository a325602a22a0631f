#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `lighter info`: the host facts in brief, as `docker info` shows them.
public struct HostInfo: Sendable, Codable, Equatable {
    public let kernelVersion: String
    public let operatingSystem: String
    public let architecture: String
    public let cpus: Int
    public let memoryBytes: Int64
    public let dataRoot: String
    public let dataRootExists: Bool
    public let storageDriver: String
    /// File system under the data root (or its nearest existing parent).
    public let backingFilesystem: String
    public let cgroupDriver: String
    public let cgroupMode: CgroupMode
    public let cgroupControllers: [String]
    public let securityOptions: [String]
    public let namespaces: [String]
    public let firewall: String?
    public let emulationHandlers: [String]
    public let binfmtMounted: Bool
    public let modulesLoadable: Bool
    public let warnings: [String]

    public init(facts: HostFacts, dataRoot: String) {
        kernelVersion = facts.kernelRelease
        operatingSystem = Self.operatingSystem()
        architecture = facts.machine
        cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        memoryBytes = Self.memoryBytes()
        self.dataRoot = dataRoot
        dataRootExists = FileSystem.isDirectory(dataRoot)
        storageDriver = "overlayfs"
        backingFilesystem = Self.backingFilesystem(of: dataRoot)
        cgroupDriver = "cgroupfs"
        cgroupMode = facts.cgroups.mode
        cgroupControllers = facts.cgroups.controllers.filter { $0.state == .usable }.map(\.name)
        var security = facts.security
        if facts.namespaces.contains("cgroup") { security.append("cgroupns") }
        if (facts.sysctls.maxUserNamespaces ?? 0) > 0 { security.append("userns") }
        securityOptions = security
        namespaces = facts.namespaces
        firewall = facts.firewall.backend
        emulationHandlers = facts.binfmt.qemuHandlers.filter(\.enabled).map(\.name)
        binfmtMounted = facts.binfmt.mountPoint != nil
        modulesLoadable = facts.modules.loadable
        warnings = facts.checks.filter { $0.status == .failed || $0.status == .warning }.map { "\($0.id): \($0.detail)" }
    }

    static func operatingSystem() -> String {
        guard let text = try? FileSystem.readString("/etc/os-release") else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: "\""))
        }
        return "unknown"
    }

    static func memoryBytes() -> Int64 {
        guard let text = try? FileSystem.readString("/proc/meminfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kib = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib * 1024
    }

    /// The file system type of the mount holding `path` (or its nearest existing parent),
    /// named as `docker info` names it ("extfs" for ext2/3/4).
    static func backingFilesystem(of path: String, mounts: [MountEntry] = (try? MountInfo.read()) ?? []) -> String {
        var current = path
        while !FileSystem.exists(current), current != "/", !current.isEmpty { current = FileSystem.dirname(of: current) }
        let resolved = FirewallFacts.resolve(current)
        let holder = mounts.filter { entry in
            entry.mountPoint == "/" || resolved == entry.mountPoint || resolved.hasPrefix(entry.mountPoint + "/")
        }.max { $0.mountPoint.count < $1.mountPoint.count }
        guard let type = holder?.fileSystemType else { return "unknown" }
        return ["ext2", "ext3", "ext4"].contains(type) ? "extfs" : type
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var result = self
        while result.first == set { result.removeFirst() }
        while result.last == set { result.removeLast() }
        return result
    }
}

extension HostInfo {
    public var text: String {
        let gib = Double(memoryBytes) / 1024 / 1024 / 1024
        let gibText = "\((gib * 100).rounded() / 100)GiB"
        let modeText: String
        switch cgroupMode {
        case .v1: modeText = "1"
        case .hybrid: modeText = "1 (hybrid: cgroup2 mounted beside the v1 hierarchies)"
        case .v2: modeText = "2"
        case .none: modeText = "none (no cgroup file system mounted)"
        }
        var out = [
            "Kernel Version: \(kernelVersion)",
            "Operating System: \(operatingSystem)",
            "Architecture: \(architecture)",
            "CPUs: \(cpus)",
            "Total Memory: \(gibText)",
            "Lighter Root Dir: \(dataRoot)\(dataRootExists ? "" : " (not created yet)")",
            "Storage Driver: \(storageDriver)",
            " Backing Filesystem: \(backingFilesystem)",
            "Cgroup Driver: \(cgroupDriver)",
            "Cgroup Version: \(modeText)",
            " Controllers: \(cgroupControllers.joined(separator: " "))",
            "Security Options: \(securityOptions.isEmpty ? "none" : securityOptions.joined(separator: " "))",
            "Firewall: \(firewall ?? "none")",
            "Emulation: \(emulationHandlers.isEmpty ? (binfmtMounted ? "no QEMU handlers" : "binfmt_misc not mounted") : emulationHandlers.joined(separator: " "))",
            "Kernel Modules: \(modulesLoadable ? "loadable" : "not loadable")",
        ]
        out += warnings.map { "WARNING: \($0)" }
        return out.joined(separator: "\n") + "\n"
    }

    /// Runs `lighter info`.
    public static func run(format: OutputFormat, dataRoot: String) -> CommandOutput {
        let scratch = FileSystem.isDirectory(dataRoot) ? dataRoot : "/tmp"
        let info = HostInfo(facts: HostFacts.probe(scratch: scratch), dataRoot: dataRoot)
        switch format {
        case .text: return CommandOutput(stdout: info.text, exitCode: 0)
        case .json:
            do {
                return CommandOutput(stdout: try HostJSON.encode(info), exitCode: 0)
            } catch {
                return .failure(error, exitCode: 125)
            }
        }
    }
}
