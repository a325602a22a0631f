import LighterSystem

extension Runtime {
    /// Change the cgroup limits of a created or running container (`runc update`).
    public func update(id: String, resources: RuntimeSpec.Resources) throws(LighterError) {
        try cgroup(of: try state(id: id)).update(resources: resources)
    }
}
