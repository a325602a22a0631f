#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// cgroup v1: one directory per controller hierarchy (/sys/fs/cgroup/<controller>/<path>).
struct CgroupV1: CgroupManager {
    let path: String
    let mountPoint: String

    /// Hierarchies every container joins; cpuset only when the spec asks for it (it needs cpus/mems copied).
    private static let alwaysJoined = ["memory", "cpu", "cpuacct", "pids", "devices", "freezer", "blkio"]

    private func hierarchy(_ controller: String) -> String? {
        let dir = "\(mountPoint)/\(controller)"
        return FileSystem.isDirectory(dir) && FileSystem.exists("\(dir)/cgroup.procs") ? dir : nil
    }

    func directory(_ controller: String) -> String? { hierarchy(controller).map { $0 + path } }

    /// The existing container directories, one per distinct hierarchy (cpu and cpuacct may share one).
    private func joinedDirectories() -> [String] {
        var seen = Set<[UInt64]>()
        var result: [String] = []
        for controller in Self.alwaysJoined + ["cpuset"] {
            var st = stat()
            guard let dir = directory(controller), stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            if seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted { result.append(dir) }
        }
        return result
    }

    private func require(_ controller: String, for what: String) throws(LighterError) -> String {
        guard let dir = directory(controller) else {
            throw .unsupported(feature: "\(what) (cgroup v1 \(controller) controller)",
                               fix: "mount the \(controller) controller at \(mountPoint)/\(controller)")
        }
        return dir
    }

    func create(resources: RuntimeSpec.Resources?) throws(LighterError) {
        let cpu = resources?.cpu
        let wantsCpuset = cpu?.cpus != nil || cpu?.mems != nil
        // Check every needed controller before creating anything.
        if resources?.memory != nil { _ = try require("memory", for: "memory limits") }
        if cpu?.shares != nil || cpu?.quota != nil || cpu?.period != nil { _ = try require("cpu", for: "CPU limits") }
        if resources?.pids != nil { _ = try require("pids", for: "pids limit") }
        if wantsCpuset { _ = try require("cpuset", for: "cpuset") }
        if let rules = resources?.devices, !rules.isEmpty { _ = try require("devices", for: "device rules") }

        for controller in Self.alwaysJoined {
            if let dir = directory(controller) { try FileSystem.makeDirectories(dir) }
        }
        if wantsCpuset, let root = hierarchy("cpuset") { try createCpuset(root: root, cpu: cpu!) }
        if let memory = resources?.memory { try apply(memory) }
        if let cpu { try apply(cpu) }
        if let pids = resources?.pids {
            try Cgroups.write(pids.limit > 0 ? String(pids.limit) : "max", to: try require("pids", for: "pids limit") + "/pids.max")
        }
        if let devices = directory("devices") { try applyDevices(resources?.devices ?? [], in: devices) }
    }

    func update(resources: RuntimeSpec.Resources) throws(LighterError) {
        if let memory = resources.memory {
            // The kernel keeps memory.limit <= memory.memsw.limit: raise memsw first when it grows.
            let dir = try require("memory", for: "memory limits")
            let currentSwap = Cgroups.number("\(dir)/memory.memsw.limit_in_bytes").map { Int64(clamping: $0) } ?? Int64.max
            if let swap = memory.swap, swap < 0 || swap > currentSwap {
                try apply(RuntimeSpec.Memory(swap: swap < 0 ? -1 : swap))
                try apply(RuntimeSpec.Memory(limit: memory.limit))
            } else {
                try apply(memory)
            }
        }
        if let cpu = resources.cpu {
            try apply(cpu)
            if let cpus = cpu.cpus {
                guard let dir = directory("cpuset"), FileSystem.isDirectory(dir) else {
                    throw .unsupported(feature: "changing the CPUs of a container started without --cpuset-cpus (cgroup v1)",
                                       fix: "recreate the container with --cpuset-cpus")
                }
                try Cgroups.write(cpus, to: "\(dir)/cpuset.cpus")
            }
        }
        if let pids = resources.pids {
            try Cgroups.write(pids.limit > 0 ? String(pids.limit) : "max", to: try require("pids", for: "pids limit") + "/pids.max")
        }
    }

    private func apply(_ memory: RuntimeSpec.Memory) throws(LighterError) {
        let dir = try require("memory", for: "memory limits")
        if let limit = memory.limit { try Cgroups.write(String(limit), to: "\(dir)/memory.limit_in_bytes") }
        if let swap = memory.swap {
            guard FileSystem.exists("\(dir)/memory.memsw.limit_in_bytes") else {
                throw .unsupported(feature: "memory+swap limit (memory.memsw.limit_in_bytes)",
                                   fix: "boot the kernel with swapaccount=1 or leave memory.swap unset")
            }
            try Cgroups.write(String(swap), to: "\(dir)/memory.memsw.limit_in_bytes")
        }
        if let reservation = memory.reservation {
            try Cgroups.write(String(reservation), to: "\(dir)/memory.soft_limit_in_bytes")
        }
        if let swappiness = memory.swappiness { try Cgroups.write(String(swappiness), to: "\(dir)/memory.swappiness") }
        if memory.disableOOMKiller == true { try Cgroups.write("1", to: "\(dir)/memory.oom_control") }
    }

    private func apply(_ cpu: RuntimeSpec.CPU) throws(LighterError) {
        guard cpu.shares != nil || cpu.quota != nil || cpu.period != nil else { return }
        let dir = try require("cpu", for: "CPU limits")
        if let shares = cpu.shares { try Cgroups.write(String(shares), to: "\(dir)/cpu.shares") }
        if let period = cpu.period { try Cgroups.write(String(period), to: "\(dir)/cpu.cfs_period_us") }
        if let quota = cpu.quota { try Cgroups.write(String(quota), to: "\(dir)/cpu.cfs_quota_us") }
    }

    /// cpuset cgroups start empty: every level needs cpus and mems before a task can join.
    private func createCpuset(root: String, cpu: RuntimeSpec.CPU) throws(LighterError) {
        var current = root
        let parts = path.split(separator: "/")
        for (index, part) in parts.enumerated() {
            let parent = current
            current += "/\(part)"
            try FileSystem.makeDirectories(current)
            let isLeaf = index == parts.count - 1
            for (file, wanted) in [("cpuset.cpus", cpu.cpus), ("cpuset.mems", cpu.mems)] {
                let existing = (Cgroups.read("\(current)/\(file)") ?? "").trimmingNewlines()
                if isLeaf, let wanted {
                    try Cgroups.write(wanted, to: "\(current)/\(file)")
                } else if existing.isEmpty {
                    try Cgroups.write((Cgroups.read("\(parent)/\(file)") ?? "").trimmingNewlines(), to: "\(current)/\(file)")
                }
            }
        }
    }

    /// Deny everything, then allow the spec's rules and the devices every container gets.
    private func applyDevices(_ rules: [RuntimeSpec.DeviceRule], in dir: String) throws(LighterError) {
        try Cgroups.write("a", to: "\(dir)/devices.deny")
        for rule in rules {
            let entry = DeviceRules.entry(rule)
            try Cgroups.write(entry, to: "\(dir)/\(rule.allow ? "devices.allow" : "devices.deny")")
        }
        for entry in DeviceRules.defaultAllowed {
            try Cgroups.write(entry, to: "\(dir)/devices.allow")
        }
    }

    func add(pid: Int32) throws(LighterError) {
        for dir in joinedDirectories() { try Cgroups.write(String(pid), to: "\(dir)/cgroup.procs") }
    }

    func selfJoinFiles() -> [String]? { joinedDirectories().map { "\($0)/tasks" } }

    func oomKillCount() -> UInt64 {
        guard let dir = directory("memory") else { return 0 }
        return Cgroups.keyedValue("oom_kill", in: "\(dir)/memory.oom_control") ?? 0
    }

    func processes() -> [Int32] {
        var all = Set<Int32>()
        for dir in joinedDirectories() { all.formUnion(Cgroups.pids(in: "\(dir)/cgroup.procs")) }
        return all.sorted()
    }

    func mountSources() -> [String: String] {
        var sources: [String: String] = [:]
        for dir in joinedDirectories() {
            sources[FileSystem.basename(of: String(dir.dropLast(path.count)))] = dir
        }
        return sources
    }

    func destroy() throws(LighterError) {
        for dir in joinedDirectories() { try Cgroups.removeDirectory(dir) }
    }
}

extension String {
    func trimmingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
