#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

extension Runtime {
    /// Every container under `root` with its refreshed status, sorted by id (`runc list`).
    /// A missing root holds no containers; a directory without a readable state.json is skipped.
    public func list() throws(LighterError) -> [ContainerState] {
        guard FileSystem.isDirectory(root) else { return [] }
        var states: [ContainerState] = []
        for name in try FileSystem.list(root).sorted() {
            guard (try? Self.validate(id: name)) != nil, FileSystem.exists(statePath(name)),
                  let state = try? state(id: name) else { continue }
            states.append(state)
        }
        return states
    }

    /// What a create that failed half-way may leave without a state.json: the state directory.
    public func removeLeftovers(id: String) throws(LighterError) {
        try Self.validate(id: id)
        if FileSystem.exists(directory(id)) { try FileSystem.removeTree(directory(id)) }
    }

    /// `kill --all`: send `signal` to every process of the container's cgroup (a paused container's
    /// processes get it once thawed, as with runc).
    public func killAll(id: String, signal: Int32) throws(LighterError) {
        let state = try state(id: id)
        guard state.status != .stopped else { throw .conflict("container \(id) is not running") }
        for pid in cgroup(of: state).processes() {
            _ = try syscallTolerating("kill", "process \(pid) of container \(id)", [ESRCH]) { POSIX.kill(pid, signal) }
        }
    }
}
