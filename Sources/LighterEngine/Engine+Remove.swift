#if canImport(Glibc)
import Glibc
#endif
import LighterRuntime
import LighterSystem

extension Engine {
    /// `rm [-f] [-v]`: a running or paused container needs `force` (it is killed first); `volumes`
    /// also removes its anonymous volumes.
    public func remove(_ id: String, force: Bool, volumes removeVolumes: Bool = false) throws(LighterError) {
        guard let record = try inspectUnlessTorn(id) else {
            try removeFiles(id)   // nothing is known to be running: remove what is there
            return
        }
        if [.running, .restarting, .paused].contains(record.state.status) {
            guard force else {
                throw .conflict("you cannot remove a \(record.state.status.rawValue) container \(record.shortID). Stop the container before attempting removal or force remove")
            }
            try stop(id, timeout: 0, signal: SIGKILL)
        }
        try removeFiles(id)
        if removeVolumes { try removeAnonymousVolumes(of: record) }
    }

    /// The record, or nil when a power cut left it empty or torn (a `--rm` container's record is
    /// written without fsync): such a container is dead.
    private func inspectUnlessTorn(_ id: String) throws(LighterError) -> ContainerRecord? {
        do {
            return try inspect(id)
        } catch {
            guard case .malformed = error else { throw error }
            return nil
        }
    }

    /// Remove every trace of a stopped container: mounts, runtime state, directory, database row.
    /// Safe to run twice (the monitor's `--rm` and a user's `rm -f` may race).
    func removeFiles(_ id: String) throws(LighterError) {
        let removed = try? self.record(id)
        unmountRootfs(id)
        try? runtime.delete(id: id, force: true)
        // Host-side veths, port rules, then the addresses and ports themselves; peers' hosts files.
        try? networks.detach(container: id)
        try refreshPeerHosts(of: id, leaving: true)
        try images.db.execute("DELETE FROM containers WHERE id = ?", [.text(id)])
        let doomed = "\(images.paths.containers)/.rm-\(id)"
        if rename(directory(id), doomed) == 0 {
            if let removed { emit("destroy", removed) }
            try FileSystem.removeTree(doomed)
        }
    }

    /// `container prune`: remove every stopped container; the IDs removed.
    public func prune() throws(LighterError) -> [String] {
        var removed: [String] = []
        for id in try allIDs() {
            let readable: ContainerRecord?
            do { readable = try inspectUnlessTorn(id) } catch { continue }
            guard let record = readable else {   // unreadable after a crash: dead
                try removeFiles(id)
                removed.append(id)
                continue
            }
            if record.state.status == .exited || record.state.status == .created || record.state.status == .dead {
                try removeFiles(id)
                removed.append(id)
            }
        }
        return removed
    }
}
