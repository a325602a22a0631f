#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// cgroup v2: one directory in the unified hierarchy; controllers enabled top-down via cgroup.subtree_control.
struct CgroupV2: CgroupManager {
    let path: String
    let mountPoint: String

    var directory: String { mountPoint + path }

    func create(resources: RuntimeSpec.Resources?) throws(LighterError) {
        var needed: [(String, String)] = []
        if resources?.memory != nil { needed.append(("memory", "memory limits")) }
        let cpu = resources?.cpu
        if cpu?.shares != nil || cpu?.quota != nil || cpu?.period != nil { needed.append(("cpu", "CPU limits")) }
        if cpu?.cpus != nil || cpu?.mems != nil { needed.append(("cpuset", "cpuset")) }
        if resources?.pids != nil { needed.append(("pids", "pids limit")) }
        let blockIO = resources?.blockIO.flatMap { $0.isEmpty ? nil : $0 }
        if blockIO != nil { needed.append(("io", "block I/O limits")) }
        let hugepages = resources?.hugepageLimits ?? []
        if !hugepages.isEmpty { needed.append(("hugetlb", "hugepage limits")) }
        if let network = resources?.network, !network.isEmpty {
            throw .unsupported(feature: "network class id and priorities (net_cls, net_prio) on cgroup v2",
                               fix: "cgroup v2 has no such controllers; classify traffic with nftables (meta cgroup) instead")
        }
        if cpu?.realtimePeriod != nil || cpu?.realtimeRuntime != nil {
            throw .unsupported(feature: "real-time CPU limits on cgroup v2", fix: "leave the real-time period and runtime unset (cgroup v2 has no per-group real-time budget)")
        }
        if resources?.memory?.kernel != nil || resources?.memory?.kernelTCP != nil {
            throw .unsupported(feature: "kernel memory limits on cgroup v2", fix: "leave the kernel memory limits unset (cgroup v2 accounts kernel memory in memory.max)")
        }
        if let rules = resources?.devices, rules.contains(where: { !($0.allow == false && ($0.type ?? "a") == "a") }) {
            throw .unsupported(feature: "device rules on cgroup v2 (needs an eBPF device filter)",
                               fix: "remove linux.resources.devices from the spec")
        }
        let available = Set((Cgroups.read("\(mountPoint)/cgroup.controllers") ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for (controller, what) in needed where !available.contains(controller) {
            throw .unsupported(feature: "\(what) (cgroup v2 \(controller) controller)",
                               fix: "enable the \(controller) controller in \(mountPoint)/cgroup.controllers")
        }
        // Enable the controllers at every level above the container's cgroup.
        var current = mountPoint
        let enable = needed.map { "+\($0.0)" }.joined(separator: " ")
        for part in path.split(separator: "/") {
            if !enable.isEmpty { try Cgroups.write(enable, to: "\(current)/cgroup.subtree_control") }
            current += "/\(part)"
            try FileSystem.makeDirectories(current)
        }
        if let memory = resources?.memory { try apply(memory) }
        if let cpu { try apply(cpu) }
        if let pids = resources?.pids {
            try Cgroups.write(pids.limit > 0 ? String(pids.limit) : "max", to: "\(directory)/pids.max")
        }
        if let blockIO { try apply(blockIO) }
        for limit in hugepages {
            let file = "\(directory)/hugetlb.\(limit.pageSize).max"
            guard FileSystem.exists(file) else {
                throw .unsupported(feature: "hugepage limit for page size \(limit.pageSize)", fix: "use a page size this kernel has (see \(directory)/hugetlb.*.max)")
            }
            try Cgroups.write(String(limit.limit), to: file)
        }
    }

    /// io.weight (BFQ's io.bfq.weight where that is the scheduler) and io.max.
    private func apply(_ blockIO: RuntimeSpec.BlockIO) throws(LighterError) {
        // A weight of 0 is "unset" (what Docker writes when --blkio-weight is not given), as for runc.
        let weight = blockIO.weight == 0 ? nil : blockIO.weight
        if weight != nil || !(blockIO.weightDevice ?? []).isEmpty {
            let file = ["io.weight", "io.bfq.weight"].map { "\(directory)/\($0)" }.first(where: FileSystem.exists)
            guard let file else {
                throw .unsupported(feature: "block I/O weights (io.weight)", fix: "use an I/O scheduler with weights (BFQ) or leave the weights unset")
            }
            if let weight { try Cgroups.write("default \(weight)", to: file) }
            for device in blockIO.weightDevice ?? [] { try Cgroups.write("\(device.major):\(device.minor) \(device.weight)", to: file) }
        }
        let throttles: [(String, [RuntimeSpec.BlockIO.ThrottleDevice]?)] = [
            ("rbps", blockIO.throttleReadBpsDevice), ("wbps", blockIO.throttleWriteBpsDevice),
            ("riops", blockIO.throttleReadIOPSDevice), ("wiops", blockIO.throttleWriteIOPSDevice),
        ]
        for (key, devices) in throttles {
            for device in devices ?? [] { try Cgroups.write("\(device.major):\(device.minor) \(key)=\(device.rate)", to: "\(directory)/io.max") }
        }
    }

    func update(resources: RuntimeSpec.Resources) throws(LighterError) {
        if let memory = resources.memory { try apply(memory) }
        if let cpu = resources.cpu {
            if cpu.cpus != nil, !FileSystem.exists("\(directory)/cpuset.cpus") {
                throw .unsupported(feature: "changing the CPUs of a container started without --cpuset-cpus (cgroup v2 cpuset controller not enabled for it)",
                                   fix: "recreate the container with --cpuset-cpus")
            }
            try apply(cpu)
        }
        if let pids = resources.pids {
            try Cgroups.write(pids.limit > 0 ? String(pids.limit) : "max", to: "\(directory)/pids.max")
        }
        if let blockIO = resources.blockIO, blockIO.isEffective { try apply(blockIO) }
    }

    private func apply(_ memory: RuntimeSpec.Memory) throws(LighterError) {
        if let limit = memory.limit { try Cgroups.write(limit > 0 ? String(limit) : "max", to: "\(directory)/memory.max") }
        if let reservation = memory.reservation { try Cgroups.write(String(reservation), to: "\(directory)/memory.low") }
        if let swap = memory.swap {
            guard FileSystem.exists("\(directory)/memory.swap.max") else {
                throw .unsupported(feature: "swap limit (memory.swap.max)", fix: "enable swap accounting or leave memory.swap unset")
            }
            // The spec's swap is memory+swap (v1 semantics); v2 limits swap alone.
            let value: String
            if swap < 0 { value = "max" } else { value = String(max(0, swap - (memory.limit ?? 0))) }
            try Cgroups.write(value, to: "\(directory)/memory.swap.max")
        }
        if memory.disableOOMKiller == true {
            throw .unsupported(feature: "disabling the OOM killer on cgroup v2", fix: "leave memory.disableOOMKiller unset")
        }
    }

    private func apply(_ cpu: RuntimeSpec.CPU) throws(LighterError) {
        if let shares = cpu.shares, shares > 0 {
            // runc's conversion of cpu.shares [2, 262144] to cpu.weight [1, 10000].
            let weight = 1 + ((max(2, min(shares, 262_144)) - 2) * 9999) / 262_142
            try Cgroups.write(String(weight), to: "\(directory)/cpu.weight")
        }
        if cpu.quota != nil || cpu.period != nil {
            let quota = cpu.quota.map { $0 > 0 ? String($0) : "max" } ?? "max"
            try Cgroups.write("\(quota) \(cpu.period ?? 100_000)", to: "\(directory)/cpu.max")
        }
        if let cpus = cpu.cpus { try Cgroups.write(cpus, to: "\(directory)/cpuset.cpus") }
        if let mems = cpu.mems { try Cgroups.write(mems, to: "\(directory)/cpuset.mems") }
    }

    func add(pid: Int32) throws(LighterError) {
        try Cgroups.write(String(pid), to: "\(directory)/cgroup.procs")
    }

    /// v2 has no per-thread move for a domain cgroup: the runtime moves the init (`add(pid:)`).
    func selfJoinFiles() -> [String]? { nil }

    func oomKillCount() -> UInt64 {
        Cgroups.keyedValue("oom_kill", in: "\(directory)/memory.events") ?? 0
    }

    func processes() -> [Int32] { Cgroups.pids(in: "\(directory)/cgroup.procs") }

    func mountSources() -> [String: String] { ["": directory] }

    func destroy() throws(LighterError) {
        guard FileSystem.isDirectory(directory) else { return }
        if FileSystem.exists("\(directory)/cgroup.kill") { try? Cgroups.write("1", to: "\(directory)/cgroup.kill") }
        try Cgroups.removeDirectory(directory)
    }
}
