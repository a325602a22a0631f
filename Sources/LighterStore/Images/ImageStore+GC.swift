import LighterDatabase
import LighterOCI
import LighterSystem

/// What a prune removed.
public struct PruneReport: Sendable {
    public var deleted: [RemovalEvent] = []
    public var reclaimedBytes: Int64 = 0
}

extension ImageStore {
    /// Remove blobs and snapshots that no image references, and leftovers of interrupted
    /// operations (ingest files, temporary snapshot directories, unrecorded blobs and snapshots).
    /// The caller holds the exclusive lock. Returns the bytes freed.
    @discardableResult
    public func collectGarbage() throws(LighterError) -> Int64 {
        // Durable before any file goes: after a power cut, rows must never name deleted files.
        // Layers the build cache holds (`layer_holds`, when the data root has it) are kept without an image.
        let holds = try hasLayerHolds()
        let unusedBlobs = "digest NOT IN (SELECT digest FROM image_blobs)" + (holds ? " AND digest NOT IN (SELECT blob_digest FROM layer_holds)" : "")
        let unusedSnapshots = "chain_id NOT IN (SELECT chain_id FROM image_layers)" + (holds ? " AND chain_id NOT IN (SELECT chain_id FROM layer_holds)" : "")
        let (blobRows, snapshotRows) = try db.transaction(durable: true) { () throws(LighterError) -> ([SQLRow], [SQLRow]) in
            let blobs = try db.query("SELECT digest, size FROM blobs WHERE \(unusedBlobs)")
            let snaps = try db.query("SELECT chain_id, size FROM snapshots WHERE \(unusedSnapshots)")
            try db.execute("DELETE FROM blobs WHERE \(unusedBlobs)")
            try db.execute("DELETE FROM snapshots WHERE \(unusedSnapshots)")
            return (blobs, snaps)
        }
        var freed: Int64 = 0
        for row in blobRows { freed += row.int("size") }
        for row in snapshotRows { freed += row.int("size") }
        // Files: anything on disk the database does not know is garbage (crash leftovers included).
        let knownBlobs = Set(try db.query("SELECT digest FROM blobs").map { $0.string("digest") })
        // Their bytes count too: `system prune` reports what it reclaimed, leftovers included.
        for digest in try content.allOnDisk() where !knownBlobs.contains(digest.hex) {
            freed += FileSystem.diskUsage(content.path(of: digest))
            try FileSystem.remove(content.path(of: digest))
        }
        let knownSnapshots = Set(try db.query("SELECT chain_id FROM snapshots").map { $0.string("chain_id") })
        for chainID in try snapshots.allOnDisk() where !knownSnapshots.contains(chainID.hex) {
            freed += FileSystem.diskUsage(snapshots.path(of: chainID))
            try snapshots.remove(chainID)
        }
        // Indexes of snapshots that are gone (a crash between the two), and their temporary files.
        for name in try FileSystem.list(paths.snapshotIndexes) where !knownSnapshots.contains(name) {
            try FileSystem.remove("\(paths.snapshotIndexes)/\(name)")
        }
        // Ingest files, and the work directories of killed `load`s (load-PID-N).
        for name in try FileSystem.list(paths.ingest) {
            freed += FileSystem.diskUsage("\(paths.ingest)/\(name)")
            try FileSystem.removeTree("\(paths.ingest)/\(name)")
        }
        for name in try FileSystem.list(paths.snapshotsTemp) {
            freed += FileSystem.diskUsage("\(paths.snapshotsTemp)/\(name)")
            try FileSystem.removeTree("\(paths.snapshotsTemp)/\(name)")
        }
        try FileSystem.syncDirectory(paths.blobs)
        try FileSystem.syncDirectory(paths.snapshots)
        return freed
    }

    /// `image prune [-a]`: remove dangling images (no tag, no image built on them), or with `all`
    /// every image no container uses; the untagged parents of what goes (a build's step images) go
    /// too unless something else holds them, as Docker prunes them. An image another kept image was
    /// built on stays. `only` (image ids, hex): consider these images alone (the daemon's `until` and
    /// `label` filters).
    public func prune(all: Bool, only: Set<String>? = nil) throws(LighterError) -> PruneReport {
        try withLock(.exclusive) { () throws(LighterError) -> PruneReport in
            var report = PruneReport()
            try db.transaction { () throws(LighterError) in
                let condition = all ? "" : "AND id NOT IN (SELECT image_id FROM tags) AND id NOT IN (SELECT parent FROM image_parents)"
                // An image a container ran before its last update stays: `rollback` goes back to it.
                let candidates = try db.query("""
                    SELECT id FROM images WHERE id NOT IN (SELECT image_id FROM containers)
                    AND id NOT IN (SELECT previous_image_id FROM containers WHERE previous_image_id IS NOT NULL) \(condition)
                    ORDER BY id
                    """).map { $0.string("id") }.filter { only?.contains($0) ?? true }
                var left = candidates
                // Children first: an image goes once nothing is built on it any more.
                while true {
                    var progressed = false
                    var waiting: [String] = []
                    for id in left {
                        let digest = try Digest(hex: id)
                        guard try children(of: digest).isEmpty else { waiting.append(id); continue }
                        if try db.query("SELECT 1 FROM images WHERE id = ?", [.text(id)]).isEmpty { progressed = true; continue }
                        for tag in try db.query("SELECT name FROM tags WHERE image_id = ? ORDER BY name", [.text(id)]) {
                            report.deleted.append(.untagged((try? Reference(parsing: tag.string("name")).familiar) ?? tag.string("name")))
                        }
                        let parent = try parent(of: digest)
                        try db.execute("DELETE FROM tags WHERE image_id = ?", [.text(id)])
                        try db.execute("DELETE FROM images WHERE id = ?", [.text(id)])
                        report.deleted.append(.deleted(digest))
                        report.deleted += try deleteUnusedParents(from: parent).map { .deleted($0) }
                        progressed = true
                    }
                    left = waiting
                    if !progressed || left.isEmpty { break }
                }
            }
            try writeTagJournal()   // also brings back in line a journal an interrupted rmi left behind
            report.reclaimedBytes = try collectGarbage()
            emit(report.deleted)
            return report
        }
    }
}
