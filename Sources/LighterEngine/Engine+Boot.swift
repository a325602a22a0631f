#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

/// What `Engine.boot()` did to one container.
public struct BootAction: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Found running with its monitor gone: saved as exited (255), its leftovers removed.
        case markedExited
        /// A `--rm` container found with its monitor gone: removed, as its monitor would have done.
        case removed
        /// Started by its restart policy.
        case started
        /// Its restart policy says start but the start failed, or it could not be saved as exited (why).
        case failed(String)
    }

    public let kind: Kind
    public let id: String
    public let name: String
    public let policy: RestartPolicy

    /// One line for `system boot`.
    public var description: String {
        let who = "\(name) (\(id.prefix(12)))"
        switch kind {
        case .markedExited: return "exited: \(who): its monitor was gone, exit code 255"
        case .removed: return "removed: \(who): a --rm container whose monitor was gone"
        case .started: return "started: \(who): restart policy \(policy)"
        case let .failed(message): return "failed: \(who): \(message)"
        }
    }
}

/// What `Engine.boot()` did: one action per container it settled or started, the bridges it made
/// again (with Lighter's nftables table), and why the networks could not be restored, if so.
public struct BootReport: Sendable {
    public var actions: [BootAction] = []
    public var restoredBridges: [String] = []
    public var networkError: String?
    /// Updates a power cut or a kill interrupted, finished or undone (`recoverUpdates`), one line each.
    public var recoveredUpdates: [String] = []
    public var updateError: String?

    /// Nothing failed.
    public var succeeded: Bool {
        networkError == nil && updateError == nil && !actions.contains { if case .failed = $0.kind { return true } else { return false } }
    }

    /// One line per thing done (none when there was nothing to do).
    public var lines: [String] {
        var lines: [String] = []
        if !restoredBridges.isEmpty { lines.append("network: bridges \(restoredBridges.joined(separator: ", ")) and their rules restored") }
        if let networkError { lines.append("network: not restored: \(networkError)") }
        lines += recoveredUpdates
        if let updateError { lines.append("update: an interrupted update was neither finished nor undone: \(updateError)") }
        return lines + actions.map(\.description)
    }
}

extension Engine {
    /// Reconcile the store with what runs after a power cut, a reboot or killed monitors, then start
    /// the containers whose restart policy says so. What `lighter system boot` and the daemon run at
    /// start; idempotent (a second run finds nothing to do), and one boot at a time per data root.
    ///
    /// 1. Each container recorded running, restarting or paused whose monitor and process are gone is
    ///    saved as exited (255, Docker's code after a daemon crash) and its leftovers go: the overlay
    ///    and /dev/shm mounts, the runtime's state and cgroups, host veths, its published ports'
    ///    rules. A `--rm` one is removed. Containers exited that way earlier (another command saw it
    ///    first) get the same clean-up.
    /// 2. The bridges of networks in use and Lighter's nftables table are made again when missing.
    /// 3. Containers that have run before start by policy: `always`; `unless-stopped` unless a user
    ///    stopped it; `on-failure` when it was running when its monitor went. `no` never.
    ///
    /// Costs, with nothing to do: one read of each container record, a few netlink requests.
    public func boot() throws(LighterError) -> BootReport {
        let lock = try FileLock(path: "\(images.paths.root)/boot.lock", mode: .exclusive)
        defer { lock.release() }
        var report = BootReport()
        var settledOnBridge = false
        var candidates: [ContainerRecord] = []
        for id in try allIDs() {
            guard let stored = try? record(id) else { continue }   // torn by a power cut: `rm`/prune remove it
            var record = stored
            if [.running, .restarting, .paused].contains(stored.state.status) {
                refresh(&record)
                guard record.state.status == .exited else { continue }   // alive: nothing to do
                let settledOrNil: ContainerRecord?
                do {
                    settledOrNil = try settleAtBoot(id)
                } catch {
                    report.actions.append(BootAction(kind: .failed("could not save it as exited: \(error)"), id: id, name: stored.name,
                                                     policy: stored.spec.restart))
                    continue
                }
                guard let settled = settledOrNil else { continue }   // someone holds its lock, or it is alive
                if settled.spec.usesBridge { settledOnBridge = true }
                if settled.spec.autoRemove {
                    report.actions.append(BootAction(kind: .removed, id: id, name: stored.name, policy: stored.spec.restart))
                    continue
                }
                report.actions.append(BootAction(kind: .markedExited, id: id, name: stored.name, policy: stored.spec.restart))
                record = settled
            } else if stored.state.endedWithItsMonitor && (stored.state.isFromEarlierBoot || !Runtime.isAlive(stored.state.monitorPid))
                        && !runtime.isActive(id: id, cgroupsPath: "\(stored.spec.cgroupParent)/\(id)") {
                removeLeftovers(of: stored)   // settled by another command, which leaves them
            }
            candidates.append(record)
        }
        // A failure here (no nf_tables, a foreign bridge) is reported; containers without a bridge still start.
        do {
            report.restoredBridges = try networks.restore(force: settledOnBridge) ?? []
        } catch {
            report.networkError = "\(error)"
        }
        // An update the power cut interrupted: finished or undone before anything starts by policy, so
        // the app comes back old or new, never both nor neither (the undo starts the old one itself).
        do {
            report.recoveredUpdates = try recoverUpdates()
        } catch {
            report.updateError = "\(error)"
        }
        for stale in candidates where Self.startsAtBoot(stale) {
            // The recovery may have removed, renamed or started it.
            guard let record = try? inspect(stale.id), !isRunning(record) else { continue }
            let action: BootAction.Kind
            do {
                try startDetached(record.id)
                action = .started
            } catch {
                action = .failed("restart policy \(record.spec.restart), but it did not start: \(error)")
            }
            report.actions.append(BootAction(kind: action, id: record.id, name: record.name, policy: record.spec.restart))
        }
        return report
    }

    /// Does this stopped container start at boot? Only one that has run before (Docker's rule), never
    /// a `--rm` one.
    static func startsAtBoot(_ record: ContainerRecord) -> Bool {
        let state = record.state
        guard state.status == .exited, state.startedAt != nil, !record.spec.autoRemove else { return false }
        switch record.spec.restart {
        case .no: return false
        case .always: return true
        case .unlessStopped: return !state.stoppedByUser
        case .onFailure: return !state.stoppedByUser && state.endedWithItsMonitor
        }
    }

    /// Save a container whose monitor is gone as exited (durably), or remove it if `--rm`; its
    /// leftovers go. Nil when another process holds its lock or it turned out alive.
    private func settleAtBoot(_ id: String) throws(LighterError) -> ContainerRecord? {
        guard let lock = try FileLock(trying: "\(directory(id))/lock", mode: .exclusive) else { return nil }
        var record = try record(id)
        refresh(&record)
        guard record.state.status == .exited else {
            lock.release()
            return nil
        }
        removeLeftovers(of: record)
        if record.spec.autoRemove {
            lock.release()
            try removeFiles(id)
            try? removeAnonymousVolumes(of: record)
            return record
        }
        try save(record, durable: true)
        lock.release()
        emit("die", record, ["exitCode": String(record.state.exitCode)])
        return record
    }

    /// What a dead container's run left: mounts, runtime state and cgroups, host veths, active ports.
    private func removeLeftovers(of record: ContainerRecord) {
        unmountRootfs(record.id)
        try? runtime.deleteLeftovers(id: record.id, cgroupsPath: "\(record.spec.cgroupParent)/\(record.id)")
        guard record.spec.usesBridge else { return }
        try? networks.removeVeths(container: record.id)
        _ = try? networks.store.setPortsActive(false, container: record.id)
    }
}
