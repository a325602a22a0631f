#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

extension Engine {
    /// `rm [-f] [-v]`: a running or paused container needs `force` (it is killed first); `volumes`
    /// also removes its anonymous volumes.
    /// With `force`, a `--rm` container its monitor removes meanwhile counts as removed.
    public func remove(_ id: String, force: Bool, volumes removeVolumes: Bool = false) throws(LighterError) {
        guard force else { return try removeOrFail(id, force: false, volumes: removeVolumes) }
        try unlessRemovedMeanwhile(id) { () throws(LighterError) in try removeOrFail(id, force: true, volumes: removeVolumes) }
    }

    private func removeOrFail(_ id: String, force: Bool, volumes removeVolumes: Bool) throws(LighterError) {
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
    /// written without fsync), or when its create was killed after the name's row and before the
    /// record: such a container is dead. A create still under way is a conflict.
    private func inspectUnlessTorn(_ id: String) throws(LighterError) -> ContainerRecord? {
        do {
            return try inspect(id, settling: false)
        } catch .malformed {
            return nil
        } catch .notFound(let kind, let name) {
            guard try isKilledCreate(id) else { throw .notFound(kind: kind, name: name) }
            return nil
        } catch {
            throw error
        }
    }

    /// A database row without a record whose create no longer holds the container's lock (or whose
    /// directory is gone): what a killed `create` leaves, holding the name until removed.
    private func isKilledCreate(_ id: String) throws(LighterError) -> Bool {
        guard try !images.db.query("SELECT id FROM containers WHERE id = ?", [.text(id)]).isEmpty else { return false }
        guard FileSystem.isDirectory(directory(id)) else { return true }
        guard let lock = try FileLock(trying: "\(directory(id))/lock", mode: .exclusive) else {
            throw .conflict("container \(id.prefix(12)) is being created; remove it once its create has returned")
        }
        defer { lock.release() }
        return !FileSystem.exists(recordPath(id))
    }

    /// Remove every trace of a stopped container: mounts, runtime state, directory, database row.
    /// Safe to run twice (the monitor's `--rm` and a user's `rm -f` may race).
    func removeFiles(_ id: String) throws(LighterError) {
        let removed = try? self.record(id)
        unmountRootfs(id)
        // Also when its create was killed before the runtime saved its state: its cgroups go too.
        let cgroupParent = (try? record(id))?.spec.cgroupParent ?? "/lighter"   // ContainerSpec's default
        try? runtime.deleteLeftovers(id: id, cgroupsPath: "\(cgroupParent)/\(id)")
        // Host-side veths, port rules, then the addresses and ports themselves; peers' hosts files.
        try? networks.detach(container: id)
        _ = unlink(AttachSocket.path(id))   // a killed monitor's attach socket
        try refreshPeerHosts(of: id, leaving: true)
        // The directory goes first, then the row: a container.json without a row is a container
        // `system check --repair` restores (its row lost to a power cut). For a lasting container both
        // are durable before `rm` returns, so a power cut never brings it back.
        let doomed = "\(images.paths.containers)/.rm-\(id)"
        let renamed = rename(directory(id), doomed) == 0
        let lasting = removed.map { !$0.spec.autoRemove } ?? false
        if renamed && lasting { try FileSystem.syncDirectory(images.paths.containers) }
        try images.db.transaction(durable: lasting) { () throws(LighterError) in
            try images.db.execute("DELETE FROM containers WHERE id = ?", [.text(id)])
        }
        if renamed {
            if let removed { emit("destroy", removed) }
            try FileSystem.removeTree(doomed)
        }
    }

    /// `container prune`: remove every stopped container, and what interrupted creates and removals
    /// left (`leftovers`); the IDs removed. A container whose init is alive is being started (its
    /// record still says created): it stays.
    public func prune() throws(LighterError) -> [String] { try pruneContainers().removed }

    /// `container prune`, and the bytes its containers held on disk (writable layer, logs, their
    /// files: what Docker's "reclaimed space" counts, and the logs besides).
    public func pruneContainers() throws(LighterError) -> (removed: [String], reclaimedBytes: Int64) {
        var removed = try leftovers(remove: true)
        var bytes: Int64 = 0
        func removeFiles(_ id: String) throws(LighterError) {
            bytes += diskUsage(of: id)
            try self.removeFiles(id)
        }
        for id in try allIDs() where !removed.contains(id) {
            let readable: ContainerRecord?
            do { readable = try inspectUnlessTorn(id) } catch { continue }
            guard let record = readable else {   // unreadable after a crash: dead
                try removeFiles(id)
                removed.append(id)
                continue
            }
            if record.state.status == .exited || record.state.status == .created || record.state.status == .dead {
                if runtime.isActive(id: id, cgroupsPath: "\(record.spec.cgroupParent)/\(id)") { continue }
                try removeFiles(id)
                removed.append(id)
            }
        }
        return (removed, bytes)
    }

    /// Bytes a stopped container holds in its directory, without its root mount point and idmapped
    /// lower mounts (which are the image's, and empty once unmounted).
    func diskUsage(of id: String) -> Int64 {
        let directory = directory(id)
        var seen = Set<UInt64>()
        var total: Int64 = 0
        for name in (try? FileSystem.list(directory)) ?? [] where name != "rootfs" && name != "lowers" {
            total += FileSystem.diskUsage("\(directory)/\(name)", seen: &seen)
        }
        return total
    }
}
