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
    /// One stat per controller: a directory with a `cgroup.procs` is a cgroup of that hierarchy (this
    /// runs four times per container, and the hierarchy check first cost three stats per controller).
    private func joinedDirectories() -> [String] {
        var seen = Set<[UInt64]>()
        var result: [String] = []
        for controller in Self.alwaysJoined + ["cpuset", "hugetlb", "net_cls", "net_prio"] {
            var st = stat()
            let dir = "\(mountPoint)/\(controller)\(path)"
            guard stat("\(dir)/cgroup.procs", &st) == 0 else { continue }
            // cgroup.procs of a shared hierarchy (cpu,cpuacct) is one inode, whichever name reached it.
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
        let blockIO = resources?.blockIO.flatMap { $0.isEmpty ? nil : $0 }
        if blockIO != nil { _ = try require("blkio", for: "block I/O limits") }

        for controller in Self.alwaysJoined {
            if let dir = directory(controller) { try FileSystem.makeDirectories(dir) }
        }
        if wantsCpuset, let root = hierarchy("cpuset") { try createCpuset(root: root, cpu: cpu!) }
        if let memory = resources?.memory { try apply(memory) }
        if let cpu { try apply(cpu) }
        if let blockIO { try apply(blockIO) }
        if let limits = resources?.hugepageLimits, !limits.isEmpty {
            let dir = try makeDirectory(in: try require("hugetlb", for: "hugepage limits"))
            for limit in limits {
                let file = "\(dir)/hugetlb.\(limit.pageSize).limit_in_bytes"
                guard FileSystem.exists(file) else {
                    throw .unsupported(feature: "hugepage limit for page size \(limit.pageSize)", fix: "use a page size this kernel has (see \(dir)/hugetlb.*.limit_in_bytes)")
                }
                try Cgroups.write(String(limit.limit), to: file)
            }
        }
        if let network = resources?.network, !network.isEmpty {
            if let classID = network.classID {
                try Cgroups.write(String(classID), to: try makeDirectory(in: try require("net_cls", for: "network class id")) + "/net_cls.classid")
            }
            if let priorities = network.priorities, !priorities.isEmpty {
                let dir = try makeDirectory(in: try require("net_prio", for: "network priorities"))
                for entry in priorities { try Cgroups.write("\(entry.name) \(entry.priority)", to: "\(dir)/net_prio.ifpriomap") }
            }
        }
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
        if let blockIO = resources.blockIO, blockIO.isEffective { try apply(blockIO) }
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
        if let kernel = memory.kernel { try writeEnforced(kernel, to: "\(dir)/memory.kmem.limit_in_bytes", what: "kernel memory limit") }
        if let tcp = memory.kernelTCP { try writeEnforced(tcp, to: "\(dir)/memory.kmem.tcp.limit_in_bytes", what: "kernel TCP memory limit") }
    }

    /// Write a byte limit and read it back: recent kernels accept `memory.kmem.limit_in_bytes` and
    /// ignore it, and a limit the kernel does not enforce is an error, never a silent no-op.
    private func writeEnforced(_ bytes: Int64, to file: String, what: String) throws(LighterError) {
        guard FileSystem.exists(file) else {
            throw .unsupported(feature: "\(what) (\(FileSystem.basename(of: file)))", fix: "this kernel has no such cgroup v1 file; leave the limit unset")
        }
        try Cgroups.write(String(bytes), to: file)
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        let expected = bytes < 0 ? nil : (bytes / page) * page
        let actual = Int64((Cgroups.read(file) ?? "").trimmingNewlines())
        if let expected, actual != expected {
            throw .unsupported(feature: "\(what) (\(FileSystem.basename(of: file)))",
                               fix: "this kernel accepts the value but does not enforce it (kernel memory accounting is deprecated since Linux 5.4); leave the limit unset")
        }
    }

    private func apply(_ cpu: RuntimeSpec.CPU) throws(LighterError) {
        guard cpu.shares != nil || cpu.quota != nil || cpu.period != nil || cpu.realtimePeriod != nil || cpu.realtimeRuntime != nil else { return }
        let dir = try require("cpu", for: "CPU limits")
        if let shares = cpu.shares { try Cgroups.write(String(shares), to: "\(dir)/cpu.shares") }
        if let period = cpu.period { try Cgroups.write(String(period), to: "\(dir)/cpu.cfs_period_us") }
        if let quota = cpu.quota { try Cgroups.write(String(quota), to: "\(dir)/cpu.cfs_quota_us") }
        if cpu.realtimePeriod != nil || cpu.realtimeRuntime != nil { try applyRealtime(cpu, root: hierarchy("cpu")!) }
    }

    /// Real-time budget: a cgroup's `cpu.rt_runtime_us` must fit in its parent's, and new cgroups
    /// get 0, so every level above the container is raised to the runtime asked for (Docker asks
    /// the daemon's `--cpu-rt-runtime` for the same). The kernel refuses what the host cannot give.
    private func applyRealtime(_ cpu: RuntimeSpec.CPU, root: String) throws(LighterError) {
        guard FileSystem.exists("\(root)/cpu.rt_runtime_us") else {
            throw .unsupported(feature: "real-time CPU limits (cpu.rt_runtime_us)", fix: "build the kernel with CONFIG_RT_GROUP_SCHED=y")
        }
        var levels: [String] = []
        var current = root
        for part in path.split(separator: "/") {
            current += "/\(part)"
            levels.append(current)
        }
        func write(_ value: String, _ file: String) throws(LighterError) {
            do { try Cgroups.write(value, to: file) } catch {
                throw .invalidArgument("\(file): the kernel refused \(value) (\(error)); the real-time runtime must fit in the parent's cpu.rt_runtime_us and in cpu.rt_period_us")
            }
        }
        if let period = cpu.realtimePeriod { try write(String(period), "\(levels.last!)/cpu.rt_period_us") }
        if let runtime = cpu.realtimeRuntime {
            for level in levels.dropLast() {
                let existing = Int64((Cgroups.read("\(level)/cpu.rt_runtime_us") ?? "").trimmingNewlines()) ?? 0
                if runtime > existing { try write(String(runtime), "\(level)/cpu.rt_runtime_us") }
            }
            try write(String(runtime), "\(levels.last!)/cpu.rt_runtime_us")
        }
    }

    /// The container's directory of a hierarchy joined only when the spec asks for it, made now.
    private func makeDirectory(in dir: String) throws(LighterError) -> String {
        try FileSystem.makeDirectories(dir)
        return dir
    }

    /// blkio: throttles always (blk-throttle); weights only where the I/O scheduler offers them (BFQ).
    private func apply(_ blockIO: RuntimeSpec.BlockIO) throws(LighterError) {
        let dir = try makeDirectory(in: try require("blkio", for: "block I/O limits"))
        // A weight of 0 is "unset" (what Docker writes when --blkio-weight is not given), as for runc.
        let weight = blockIO.weight == 0 ? nil : blockIO.weight
        if weight != nil || !(blockIO.weightDevice ?? []).isEmpty {
            let file = ["blkio.weight", "blkio.bfq.weight"].map { "\(dir)/\($0)" }.first(where: FileSystem.exists)
            guard let file else {
                throw .unsupported(feature: "block I/O weights (blkio.weight)",
                                   fix: "use the BFQ I/O scheduler (CONFIG_BFQ_GROUP_IOSCHED, `echo bfq > /sys/block/DEV/queue/scheduler`)")
            }
            if let weight { try Cgroups.write(String(weight), to: file) }
            let deviceFile = file.hasSuffix("bfq.weight") ? file : "\(dir)/blkio.weight_device"
            for device in blockIO.weightDevice ?? [] {
                try Cgroups.write("\(device.major):\(device.minor) \(device.weight)", to: deviceFile)
            }
        }
        let throttles: [(String, [RuntimeSpec.BlockIO.ThrottleDevice]?)] = [
            ("blkio.throttle.read_bps_device", blockIO.throttleReadBpsDevice), ("blkio.throttle.write_bps_device", blockIO.throttleWriteBpsDevice),
            ("blkio.throttle.read_iops_device", blockIO.throttleReadIOPSDevice), ("blkio.throttle.write_iops_device", blockIO.throttleWriteIOPSDevice),
        ]
        for (file, devices) in throttles {
            for device in devices ?? [] { try Cgroups.write("\(device.major):\(device.minor) \(device.rate)", to: "\(dir)/\(file)") }
        }
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
