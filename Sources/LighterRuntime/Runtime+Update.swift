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
        try cgroup(of: try state(id: id)).update(resources: resources)
    }
}

extension RuntimeSpec.BlockIO {
    /// True when something would be written (a weight of 0 is "unset", as Docker sends it).
    var isEffective: Bool {
        (weight ?? 0) != 0 || !(weightDevice ?? []).isEmpty || !(throttleReadBpsDevice ?? []).isEmpty
            || !(throttleWriteBpsDevice ?? []).isEmpty || !(throttleReadIOPSDevice ?? []).isEmpty || !(throttleWriteIOPSDevice ?? []).isEmpty
    }
}
