import LighterSystem

extension Runtime {
    /// Freeze every process of a running container (`runc pause`).
    public func pause(id: String) throws(LighterError) {
        let state = try state(id: id)
        if state.status == .paused { throw .conflict("container \(id) is already paused") }
        guard state.status == .running else { throw .conflict("container \(id) is \(state.status.rawValue), not running") }
        try cgroup(of: state).freeze()
    }

    /// Thaw a paused container (`runc resume`).
    public func resume(id: String) throws(LighterError) {
        let state = try state(id: id)
        guard state.status == .paused else { throw .conflict("container \(id) is not paused") }
        try cgroup(of: state).thaw()
    }

    /// True while the container's cgroup is frozen.
    public func isPaused(id: String) throws(LighterError) -> Bool {
        cgroup(of: try state(id: id)).isFrozen()
    }

    /// CPU, memory and pids usage of the container's cgroup.
    public func stats(id: String) throws(LighterError) -> CgroupStats {
        cgroup(of: try state(id: id)).stats()
    }

    /// The host pids of the container's processes.
    public func processes(id: String) throws(LighterError) -> [Int32] {
        cgroup(of: try state(id: id)).processes()
    }
}
