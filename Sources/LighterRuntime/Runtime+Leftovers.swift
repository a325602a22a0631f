#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

extension Runtime {
    /// Delete container `id` whether or not its `create` finished. With a readable state file this is
    /// `delete(force: true)`; without one (a create killed after it made the cgroups and cloned the init,
    /// before it saved the state) every process in the cgroups at `cgroupsPath` (the spec's) is killed,
    /// the cgroups removed and the state directory too. Nothing there is fine.
    public func deleteLeftovers(id: String, cgroupsPath: String) throws(LighterError) {
        try Self.validate(id: id)
        if let state = try? state(id: id) {
            try delete(state, force: true)
            if state.cgroupsPath == Cgroups.manager(path: cgroupsPath).path { return }
        }
        let cgroup = Cgroups.manager(path: cgroupsPath)
        if cgroup.isFrozen() { try? cgroup.thaw() }
        for _ in 0..<100 {
            let pids = cgroup.processes()
            if pids.isEmpty { break }
            for pid in pids { _ = POSIX.kill(pid, SIGKILL) }
            usleep(10_000)
        }
        try cgroup.destroy()
        if FileSystem.exists(directory(id)) { try FileSystem.removeTree(directory(id)) }
    }

    /// Something runs for container `id`: its init is alive, or (while a create has not saved its state)
    /// a process is in its cgroups. A killed create's init dies with its creator (PR_SET_PDEATHSIG).
    public func isActive(id: String, cgroupsPath: String) -> Bool {
        if let state = try? state(id: id) { return state.status != .stopped }
        return FileSystem.exists(directory(id)) && !Cgroups.manager(path: cgroupsPath).processes().isEmpty
    }
}
