import LighterRuntime
import LighterSystem

extension Engine {
    /// `pause`: freeze every process of a running container (cgroup freezer).
    public func pause(_ id: String) throws(LighterError) {
        try update(id) { (record) throws(LighterError) in
            refresh(&record)
            if record.state.status == .paused { throw .conflict("container \(record.shortID) is already paused") }
            guard record.state.status == .running, isRunning(record) else {
                throw .conflict("container \(record.shortID) is not running")
            }
            try runtime.pause(id: id)
            record.state.status = .paused
            emit("pause", record)
        }
    }

    /// `unpause`: thaw a paused container.
    public func unpause(_ id: String) throws(LighterError) {
        try update(id) { (record) throws(LighterError) in
            guard record.state.status == .paused else { throw .conflict("container \(record.shortID) is not paused") }
            if (try? runtime.isPaused(id: id)) == true { try runtime.resume(id: id) }
            record.state.status = .running
            emit("unpause", record)
        }
    }

    /// Before `stop` or `kill`: a paused container is thawed so that signals reach its processes.
    func thawIfPaused(_ id: String) throws(LighterError) {
        guard try record(id).state.status == .paused else { return }
        try unpause(id)
    }
}
