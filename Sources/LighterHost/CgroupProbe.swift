#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// How cgroups are mounted.
public enum CgroupMode: String, Sendable, Codable {
    /// Only v1 hierarchies.
    case v1
    /// v1 controller hierarchies plus a cgroup2 mount (usually /sys/fs/cgroup/unified).
    case hybrid
    /// /sys/fs/cgroup is cgroup2.
    case v2
    /// No cgroup file system is mounted.
    case none
}

/// What the running system says about one cgroup controller.
public struct ControllerStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Mounted (v1) or listed in cgroup.controllers (v2): Lighter can use it.
        case usable
        /// Compiled in but switched off on the kernel command line.
        case disabled
        /// Known to the kernel but not mounted anywhere.
        case notMounted = "not-mounted"
        /// The kernel does not have it.
        case missing
    }
    public let name: String
    public let state: State
    /// The mount it is reachable under ("/sys/fs/cgroup/memory", or the cgroup2 mount).
    public let path: String?
    /// "v1" or "v2" when usable.
    public let hierarchy: String?
}

/// The cgroup layout of the running system.
public struct CgroupFacts: Sendable, Codable, Equatable {
    public let mode: CgroupMode
    /// The cgroup2 mount point, if any.
    public let unifiedPath: String?
    public let controllers: [ControllerStatus]

    /// Controllers Lighter looks at, in display order, per layout.
    public static let v1ControllerNames = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "pids", "blkio", "hugetlb"]
    public static let v2ControllerNames = ["cpu", "cpuset", "memory", "devices", "freezer", "pids", "io", "hugetlb"]

    /// Controllers Lighter cannot run containers without.
    public static let requiredControllers: Set<String> = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer"]

    public func controller(_ name: String) -> ControllerStatus? { controllers.first { $0.name == name } }

    /// Reads the layout from mountinfo, /proc/cgroups and cgroup.controllers.
    public static func probe(mounts: [MountEntry], procCgroups: String?, commandLine: KernelCommandLine) -> CgroupFacts {
        let v1Mounts = mounts.filter { $0.fileSystemType == "cgroup" }
        let v2Mounts = mounts.filter { $0.fileSystemType == "cgroup2" }
        let rootIsV2 = v2Mounts.contains { $0.mountPoint == "/sys/fs/cgroup" }
        let unified = v2Mounts.first { $0.mountPoint == "/sys/fs/cgroup" } ?? v2Mounts.first
        let mode: CgroupMode
        if rootIsV2 { mode = .v2 } else if !v1Mounts.isEmpty { mode = unified == nil ? .v1 : .hybrid } else { mode = unified == nil ? .none : .v2 }

        // /proc/cgroups: name hierarchy num_cgroups enabled.
        var known: [String: Bool] = [:]
        for line in (procCgroups ?? "").split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count >= 4 { known[String(fields[0])] = fields[3] == "1" }
        }
        var v2Controllers: Set<String> = []
        if let unified, let text = try? FileSystem.readString("\(unified.mountPoint)/cgroup.controllers") {
            v2Controllers = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        let disabledOnCommandLine = Set(commandLine.disabledControllers)

        let names = mode == .v2 ? v2ControllerNames : v1ControllerNames
        let controllers = names.map { name -> ControllerStatus in
            if let mount = v1Mounts.first(where: { $0.superOptions.contains(name) }) {
                return ControllerStatus(name: name, state: .usable, path: mount.mountPoint, hierarchy: "v1")
            }
            if let unified, v2Controllers.contains(name) {
                return ControllerStatus(name: name, state: .usable, path: unified.mountPoint, hierarchy: "v2")
            }
            // cgroup v2 has no devices/freezer controllers: they are built into the core (BPF, cgroup.freeze).
            if mode == .v2, name == "devices" || name == "freezer" {
                return ControllerStatus(name: name, state: .usable, path: unified?.mountPoint, hierarchy: "v2")
            }
            if known[name] == false || disabledOnCommandLine.contains(name) {
                return ControllerStatus(name: name, state: .disabled, path: nil, hierarchy: nil)
            }
            if known[name] == true {
                return ControllerStatus(name: name, state: .notMounted, path: nil, hierarchy: nil)
            }
            return ControllerStatus(name: name, state: .missing, path: nil, hierarchy: nil)
        }
        return CgroupFacts(mode: mode, unifiedPath: unified?.mountPoint, controllers: controllers)
    }
}

/// The outcome of really limiting memory in a throwaway cgroup.
public struct MemoryLimitTest: Sendable, Codable, Equatable {
    /// False when the test could not run for lack of privilege (not root): nothing is known then.
    public var tested: Bool = true
    /// True when the limit written was read back unchanged.
    public let works: Bool
    /// The cgroup used (already removed).
    public let cgroup: String?
    public let detail: String
}

extension CgroupFacts {
    /// The limit written by the live test: 64 MiB, page aligned on every architecture.
    public static let testLimit: Int64 = 64 * 1024 * 1024

    /// Creates a test cgroup under the memory controller, writes a 64 MiB limit, reads it back,
    /// and removes the cgroup again.
    public func testMemoryLimit() -> MemoryLimitTest {
        guard let memory = controller("memory"), memory.state == .usable, let base = memory.path else {
            return MemoryLimitTest(works: false, cgroup: nil, detail: "no usable memory controller to test")
        }
        let limitFile = memory.hierarchy == "v1" ? "memory.limit_in_bytes" : "memory.max"
        if memory.hierarchy == "v2" {
            let subtree = (try? FileSystem.readString("\(base)/cgroup.subtree_control")) ?? ""
            if !subtree.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains("memory") {
                return MemoryLimitTest(works: false, cgroup: nil,
                                       detail: "memory is not enabled for child cgroups in \(base)/cgroup.subtree_control (echo +memory > \(base)/cgroup.subtree_control)")
            }
        }
        let path = "\(base)/lighter-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(LighterError) {
            try syscall("mkdir", path) { mkdir(path, 0o755) }
        } catch {
            if case let .system(_, _, code) = error, code == EACCES || code == EPERM || code == EROFS {
                return MemoryLimitTest(tested: false, works: false, cgroup: nil, detail: "not tested: creating a test cgroup needs root (\(error))")
            }
            return MemoryLimitTest(works: false, cgroup: nil, detail: "cannot create a test cgroup: \(error)")
        }
        defer { _ = try? syscallTolerating("rmdir", path, [ENOENT]) { rmdir(path) } }
        do throws(LighterError) {
            let file = "\(path)/\(limitFile)"
            let fd = try FileDescriptor(path: file, flags: O_WRONLY)
            try fd.write("\(Self.testLimit)\n")
            try fd.close()
            let readBack = try FileSystem.readString(file).split(separator: "\n").first.map(String.init) ?? ""
            guard Int64(readBack) == Self.testLimit else {
                return MemoryLimitTest(works: false, cgroup: path, detail: "wrote \(Self.testLimit) to \(limitFile), read back \(readBack)")
            }
            return MemoryLimitTest(works: true, cgroup: path, detail: "a 64 MiB limit was written to \(limitFile) of a test cgroup and read back")
        } catch {
            return MemoryLimitTest(works: false, cgroup: path, detail: "setting a memory limit failed: \(error)")
        }
    }
}
