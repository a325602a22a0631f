import LighterSystem

extension Runtime {
    /// Change the cgroup limits of a created or running container (`runc update`): memory, cpu, pids and
    /// block I/O. Device rules, huge page and network classes are set at create only: refused when given.
    public func update(id: String, resources: RuntimeSpec.Resources) throws(LighterError) {
        let fixed: [(String, Bool)] = [("devices", !(resources.devices ?? []).isEmpty), ("hugepageLimits", !(resources.hugepageLimits ?? []).isEmpty),
                                       ("network", resources.network != nil)]
        for (name, given) in fixed where given {
            throw .unsupported(feature: "changing linux.resources.\(name) of a running container", fix: "recreate the container with the new \(name)")
        }
        try cgroup(of: try state(id: id)).update(resources: resources.unsetZeros())
    }
}

extension RuntimeSpec.Resources {
    /// An update's zeros mean "leave as is", as for runc (Docker's update sends every field, 0 when not
    /// given: kernel memory, swap, reservation, CPU shares and quotas).
    func unsetZeros() -> Self {
        func keep<T: BinaryInteger>(_ value: T?) -> T? { value == 0 ? nil : value }
        var result = self
        if var memory {
            (memory.limit, memory.reservation, memory.swap) = (keep(memory.limit), keep(memory.reservation), keep(memory.swap))
            (memory.kernel, memory.kernelTCP) = (keep(memory.kernel), keep(memory.kernelTCP))
            result.memory = memory
        }
        if var cpu {
            (cpu.shares, cpu.quota, cpu.period) = (keep(cpu.shares), keep(cpu.quota), keep(cpu.period))
            (cpu.realtimePeriod, cpu.realtimeRuntime) = (keep(cpu.realtimePeriod), keep(cpu.realtimeRuntime))
            if cpu.cpus == "" { cpu.cpus = nil }
            if cpu.mems == "" { cpu.mems = nil }
            result.cpu = cpu
        }
        if let pids, pids.limit == 0 { result.pids = nil }
        return result
    }
}

extension RuntimeSpec.BlockIO {
    /// True when something would be written (a weight of 0 is "unset", as Docker sends it).
    var isEffective: Bool {
        (weight ?? 0) != 0 || !(weightDevice ?? []).isEmpty || !(throttleReadBpsDevice ?? []).isEmpty
            || !(throttleWriteBpsDevice ?? []).isEmpty || !(throttleReadIOPSDevice ?? []).isEmpty || !(throttleWriteIOPSDevice ?? []).isEmpty
    }
}
