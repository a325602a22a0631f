#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

/// How a replacement ended (`auto-update`'s UPDATED column).
public enum ReplaceOutcome: Sendable, Equatable {
    /// The new container runs (healthy, when it has a check); the old one is removed.
    case updated(newID: String)
    /// The new one failed: it is removed, the old one has its name back and runs as before.
    case rolledBack(reason: String)
    /// The new one failed and `rollback` was off: it stays as it is, the old one is removed.
    case failed(newID: String, reason: String)
}

extension Engine {
    /// The label naming a container's update policy (Podman's): `registry` or `local`.
    public static let autoUpdateLabel = "io.containers.autoupdate"

    /// Replace container `id` by one with the same name, spec (volumes, networks, ports, labels,
    /// health check settings) on image `image`: the old one is stopped and kept, renamed, until the
    /// new one runs and — when it has a health check — is healthy within `healthWait` seconds;
    /// otherwise (with `rollback`) the new one is removed and the old one gets its name back and runs
    /// again. Every step follows a durable journal entry (`UpdateJournal`), so an interrupted
    /// replacement is finished or undone by `recoverUpdates`.
    public func replace(_ id: String, image: Digest, rollback: Bool = true, healthWait: Double = 300) throws(LighterError) -> ReplaceOutcome {
        try recoverUpdates()
        let old = try inspect(id)
        guard !old.spec.autoRemove else { throw .invalidArgument("container \(old.name) is a --rm container: it cannot be replaced") }
        let wasRunning = isRunning(old)
        var journal = UpdateJournal(name: old.name, oldID: old.id, oldImageID: old.spec.imageID, newImageID: image,
                                    parkedName: Self.parkedName(old), wasRunning: wasRunning, newID: nil, phase: .replacing)
        try writeJournal(journal)
        let new: ContainerRecord
        do {
            if wasRunning { try stop(old.id, timeout: nil) }
            try renameContainer(old.id, to: journal.parkedName)
            // Its address and published ports go to the new container (they are reserved while it exists).
            if old.spec.usesBridge { try networks.store.release(container: old.id) }
            new = try create(old.spec, name: old.name, image: image)
            journal.newID = new.id
            try writeJournal(journal)
            // Recorded in the row too: `image prune` keeps what a container may roll back to.
            try images.db.execute("UPDATE containers SET previous_image_id = ? WHERE id = ?", [.text(old.spec.imageID.hex), .text(new.id)])
            try update(new.id) { (r) throws(LighterError) in r.previousImageID = old.spec.imageID }
            // A stopped container is replaced by a stopped one: nothing to prove until it is started.
            if wasRunning { try startDetached(new.id, justCreated: true) }
        } catch {
            try undo(journal)
            return .rolledBack(reason: "\(error)")
        }
        guard wasRunning else {
            try commit(&journal)
            return .updated(newID: new.id)
        }
        if let reason = verdict(on: new.id, healthWait: healthWait) {
            if rollback {
                try undo(journal)
                return .rolledBack(reason: reason)
            }
            try commit(&journal)
            return .failed(newID: new.id, reason: reason)
        }
        try commit(&journal)
        return .updated(newID: new.id)
    }

    /// `rollback CONTAINER`: replace it by one on the image it ran before its last update.
    public func rollback(_ id: String, healthWait: Double = 300) throws(LighterError) -> ReplaceOutcome {
        let record = try inspect(id)
        guard let previous = record.previousImageID else {
            throw .conflict("container \(record.name) has no previous image to go back to (it was not updated by auto-update)")
        }
        guard (try? images.image(id: previous)) != nil else {
            throw .notFound(kind: "image", name: "\(previous) (the image container \(record.name) ran before; it was removed)")
        }
        return try replace(id, image: previous, rollback: true, healthWait: healthWait)
    }

    /// Nil when the new container proved itself: running, and healthy if it has a check (waiting for
    /// the check's verdict at most `healthWait` seconds); else why not.
    func verdict(on id: String, healthWait: Double) -> String? {
        guard let started = try? inspect(id) else { return "the new container is gone" }
        guard healthConfig(of: started) != nil else {
            return isRunning(started) ? nil : "the new container exited (code \(started.state.exitCode))"
        }
        let deadline = Double(Time.now().seconds) + healthWait
        while Double(Time.now().seconds) < deadline {
            guard let current = try? inspect(id), isRunning(current) else {
                let code = (try? record(id))?.state.exitCode ?? -1
                return "the new container exited (code \(code)) before its health check passed"
            }
            switch health(of: current)?.status {
            case .healthy?: return nil
            case .unhealthy?:
                let output = health(of: current)?.log.last.map { ": \($0.output.trimmed)" } ?? ""
                return "the new container is unhealthy\(output)"
            default: usleep(100_000)
            }
        }
        return "the new container was not healthy within \(Int(healthWait)) s"
    }

    /// The new container stays: mark the journal committed, remove the old container, drop the journal.
    private func commit(_ journal: inout UpdateJournal) throws(LighterError) {
        journal.phase = .committed
        try writeJournal(journal)
        try finish(journal)
    }

    private func finish(_ journal: UpdateJournal) throws(LighterError) {
        if (try? record(journal.oldID)) != nil { try remove(journal.oldID, force: true) }
        emitUpdate(journal)
        try removeJournal(journal)
    }

    /// Put things back as they were: the new container (found by id, or by the name when killed before
    /// its id was written) removed, the old one under its name, on its network, running if it ran.
    private func undo(_ journal: UpdateJournal) throws(LighterError) {
        var newIDs = Set<String>()
        if let newID = journal.newID { newIDs.insert(newID) }
        if let holder = try? resolve(journal.name), holder != journal.oldID { newIDs.insert(holder) }
        // A create killed midway may have left a row without a record: removal takes that too.
        for newID in newIDs where (try? resolve(newID)) != nil { try remove(newID, force: true) }
        if var old = try? record(journal.oldID) {
            if old.name != journal.name { try renameContainer(journal.oldID, to: journal.name) }
            if old.spec.usesBridge {
                try? networks.store.release(container: old.id)
                old.spec.ports = try connect(old, exposed: old.spec.exposedPorts)
                let ports = old.spec.ports
                try update(old.id) { (r) throws(LighterError) in r.spec.ports = ports }
            }
            if journal.wasRunning, !isRunning(try inspect(old.id)) { try startDetached(old.id) }
        }
        try removeJournal(journal)
    }

    /// Finish (committed) or undo (not yet) every update a killed `auto-update` or `rollback` left.
    /// Returns what was done, one line each.
    @discardableResult
    public func recoverUpdates() throws(LighterError) -> [String] {
        var done: [String] = []
        for journal in try pendingUpdates() {
            switch journal.phase {
            case .committed:
                try finish(journal)
                done.append("update of \(journal.name) finished (interrupted after it committed)")
            case .replacing:
                try undo(journal)
                done.append("update of \(journal.name) undone (interrupted): it runs \(journal.oldImageID.description.prefix(19)) again")
            }
        }
        return done
    }

    /// `NAME-lighter-previous`: where the old container waits (a valid name, unique per container).
    static func parkedName(_ record: ContainerRecord) -> String { "\(record.name)-previous-\(record.id.prefix(12))" }

    private func emitUpdate(_ journal: UpdateJournal) {
        guard let record = try? inspect(journal.name.isEmpty ? journal.oldID : resolve(journal.name)) else { return }
        emit("update", record, ["previousImage": journal.oldImageID.description])
    }
}
