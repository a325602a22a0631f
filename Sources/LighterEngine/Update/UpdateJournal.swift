import LighterOCI
import LighterSystem

/// The intent of one container replacement (`auto-update`, `rollback`), written durably to
/// `updates/<old container id>.json` before anything changes, its phase advanced durably as it goes,
/// and removed when it is over. One left behind means the update was interrupted (SIGKILL, power
/// cut): `Engine.recoverUpdates` (the next `auto-update`, `system check --repair`) finishes it when it
/// had committed, else undoes it — the name runs the old or the new container, never neither.
public struct UpdateJournal: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// The old container may be stopped, renamed and cut from its network; a new one may exist.
        case replacing
        /// The new container is running (and healthy): the old one is to be removed.
        case committed
    }

    public var name: String
    public var oldID: String
    public var oldImageID: Digest
    public var newImageID: Digest
    /// The old container's name while it waits, stopped, for the new one to prove itself.
    public var parkedName: String
    public var wasRunning: Bool
    public var newID: String?
    public var phase: Phase
}

extension UpdateJournal.Phase: JSONConvertible {}

extension UpdateJournal: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        name = try f.required("name")
        oldID = try f.required("oldID")
        oldImageID = try f.required("oldImageID")
        newImageID = try f.required("newImageID")
        parkedName = try f.required("parkedName")
        wasRunning = try f.required("wasRunning")
        newID = try f.optional("newID")
        phase = try f.required("phase")
    }

    public var json: JSONNode {
        .object(["name": name, "oldID": oldID, "oldImageID": oldImageID, "newImageID": newImageID, "parkedName": parkedName,
                 "wasRunning": wasRunning, "newID": newID, "phase": phase])
    }
}

extension Engine {
    var updatesDirectory: String { "\(images.paths.root)/updates" }
    func journalPath(_ oldID: String) -> String { "\(updatesDirectory)/\(oldID).json" }

    /// temp → fsync → rename → fsync directory.
    func writeJournal(_ journal: UpdateJournal) throws(LighterError) {
        try FileSystem.makeDirectories(updatesDirectory, mode: 0o700)
        try FileSystem.writeDurably(journal.jsonBytes(pretty: true), to: journalPath(journal.oldID), mode: 0o600)
    }

    func removeJournal(_ journal: UpdateJournal) throws(LighterError) {
        try FileSystem.remove(journalPath(journal.oldID))
        try FileSystem.syncDirectory(updatesDirectory)
    }

    /// The updates left unfinished, oldest name first.
    public func pendingUpdates() throws(LighterError) -> [UpdateJournal] {
        guard FileSystem.isDirectory(updatesDirectory) else { return [] }
        var journals: [UpdateJournal] = []
        for file in try FileSystem.list(updatesDirectory).sorted() where file.hasSuffix(".json") && !file.hasPrefix(".") {
            let path = "\(updatesDirectory)/\(file)"
            guard let bytes = try? FileSystem.readFile(path), !bytes.isEmpty else {
                try? FileSystem.remove(path)   // written before the fsync of its first write: nothing was changed yet
                continue
            }
            journals.append(try UpdateJournal(jsonBytes: bytes, what: path))
        }
        return journals
    }
}
