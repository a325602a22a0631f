import LighterDatabase
import LighterOCI
import LighterSystem

/// The result of `system check`.
public struct StoreCheckReport: Sendable {
    /// Inconsistencies: the store is damaged.
    public var problems: [String] = []
    /// Leftovers of interrupted operations that GC reclaims; harmless.
    public var leftovers: [String] = []
    public var imagesChecked = 0
    public var blobsChecked = 0
    public var snapshotsChecked = 0
    public var isConsistent: Bool { problems.isEmpty }
}

extension ImageStore {
    /// Verify the store: SQLite integrity and foreign keys, every recorded blob present with the
    /// right digest and size, every recorded snapshot present, every image complete. With `repair`,
    /// leftovers are removed (problems are reported, never "fixed" by guessing).
    public func check(repair: Bool) throws(LighterError) -> StoreCheckReport {
        try withLock(.exclusive) { () throws(LighterError) -> StoreCheckReport in
            var report = StoreCheckReport()
            let integrity = try db.query("PRAGMA integrity_check").first?.string("integrity_check") ?? "?"
            if integrity != "ok" { report.problems.append("database integrity: \(integrity)") }
            for row in try db.query("PRAGMA foreign_key_check") {
                report.problems.append("database: row \(row.int("rowid")) of \(row.string("table")) points at a missing \(row.string("parent"))")
            }
            var recordedBlobs = Set<String>()
            for row in try db.query("SELECT digest, size FROM blobs") {
                report.blobsChecked += 1
                let hex = row.string("digest")
                recordedBlobs.insert(hex)
                guard let digest = try? Digest(hex: hex) else {
                    report.problems.append("blob record with a malformed digest: \(hex)")
                    continue
                }
                guard let st = FileSystem.lstatOrNil(content.path(of: digest)) else {
                    report.problems.append("blob \(digest) is recorded but missing on disk")
                    continue
                }
                if Int64(st.st_size) != row.int("size") {
                    report.problems.append("blob \(digest) has \(st.st_size) bytes, recorded \(row.int("size"))")
                } else if try !content.verify(digest) {
                    report.problems.append("blob \(digest) does not hash to its name (corrupted)")
                }
            }
            var recordedSnapshots = Set<String>()
            for row in try db.query("SELECT chain_id FROM snapshots") {
                report.snapshotsChecked += 1
                let hex = row.string("chain_id")
                recordedSnapshots.insert(hex)
                if !FileSystem.isDirectory(paths.snapshot(hex)) {
                    report.problems.append("snapshot \(hex) is recorded but missing on disk")
                }
            }
            for image in try images() {
                report.imagesChecked += 1
                do {
                    let config = try config(of: image.id)
                    if config.rootfs.diff_ids != image.layers.map(\.diffID) {
                        report.problems.append("image \(image.id.short): recorded layers differ from its config")
                    }
                    if Digest.chainIDs(of: config.rootfs.diff_ids) != image.layers.map(\.chainID) {
                        report.problems.append("image \(image.id.short): recorded chain IDs are wrong")
                    }
                } catch {
                    report.problems.append("image \(image.id.short): \(error)")
                }
            }
            for row in try db.query("SELECT image_id, parent FROM image_parents WHERE parent NOT IN (SELECT id FROM images)") {
                report.problems.append("image \(row.string("image_id").prefix(12)): its parent \(row.string("parent").prefix(12)) is not in the store")
            }
            for digest in try content.allOnDisk() where !recordedBlobs.contains(digest.hex) {
                report.leftovers.append("unrecorded blob \(digest)")
            }
            for chainID in try snapshots.allOnDisk() where !recordedSnapshots.contains(chainID.hex) {
                report.leftovers.append("unrecorded snapshot \(chainID.hex)")
            }
            for name in try FileSystem.list(paths.ingest) { report.leftovers.append("ingest file \(name)") }
            for name in try FileSystem.list(paths.snapshotsTemp) { report.leftovers.append("temporary snapshot \(name)") }
            if repair && !report.leftovers.isEmpty { try collectGarbage() }
            return report
        }
    }
}
