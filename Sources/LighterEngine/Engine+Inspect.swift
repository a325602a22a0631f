#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

extension Engine {
    /// A running record whose processes are gone (monitor killed, machine rebooted) is really exited.
    /// When it ended is unknown: it is taken as the moment this was found, never left unset (which
    /// would print as 1970). Pids recorded in an earlier boot are dead whatever runs under them now.
    func refresh(_ record: inout ContainerRecord) {
        guard [.running, .restarting, .paused].contains(record.state.status) else { return }
        let earlierBoot = record.state.isFromEarlierBoot
        let containerAlive = !earlierBoot && record.state.pid > 0 && Runtime.isAlive(record.state.pid, startTime: record.state.pidStartTime)
        let monitorAlive = !earlierBoot && Runtime.isAlive(record.state.monitorPid)
        if !containerAlive && !monitorAlive {
            record.state.status = .exited
            record.state.exitCode = 255
            record.state.error = ContainerRuntimeState.monitorGone
            record.state.pid = 0
            let started = record.state.startedAt.flatMap(Time.parseRFC3339) ?? 0
            if (record.state.finishedAt.flatMap(Time.parseRFC3339) ?? 0) < started || record.state.finishedAt == nil {
                record.state.finishedAt = Time.nowRFC3339()
            }
        }
    }

    /// The record, with stale running states corrected. One found dead here (its monitor gone) is saved
    /// so, with the time it was found; a dead `--rm` container is removed, as its monitor would have
    /// done (then this throws `notFound`). `settling: false` only corrects the copy returned.
    public func inspect(_ id: String, settling: Bool = true) throws(LighterError) -> ContainerRecord {
        var record = try record(id)
        let before = record.state.status
        refresh(&record)
        if settling && record.state.status != before { return try settleAbandoned(id) ?? record }
        return record
    }

    /// Save (or, for `--rm`, remove) a container whose monitor is gone, unless someone holds its lock.
    private func settleAbandoned(_ id: String) throws(LighterError) -> ContainerRecord? {
        guard let lock = try FileLock(trying: "\(directory(id))/lock", mode: .exclusive) else { return nil }
        var record = try record(id)
        refresh(&record)
        guard record.state.status == .exited else { return record }
        if record.spec.autoRemove {
            lock.release()
            try removeFiles(id)
            try? removeAnonymousVolumes(of: record)   // as Docker's run --rm
            throw .notFound(kind: "container", name: id)
        }
        try save(record)
        return record
    }

    public func isRunning(_ record: ContainerRecord) -> Bool {
        record.state.status == .running && record.state.pid > 0 && !record.state.isFromEarlierBoot
            && Runtime.isAlive(record.state.pid, startTime: record.state.pidStartTime)
    }
}
