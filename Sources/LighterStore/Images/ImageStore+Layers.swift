import LighterDatabase
import LighterOCI
import LighterSystem

extension ImageStore {
    /// Record a layer a module made itself (the builder's commit): its blob, already in the content
    /// store, and its snapshot, already in place. Nothing happens for rows already there. The rows are
    /// garbage unless an image or a `layer_holds` row (the build cache) keeps them.
    public func recordLayer(_ blob: LayerBlob, chainID: Digest, parent: Digest?, diffID: Digest, size: Int64) throws(LighterError) {
        try db.transaction { () throws(LighterError) in
            try db.execute("INSERT OR IGNORE INTO blobs (digest, size, media_type) VALUES (?, ?, ?)",
                           [.text(blob.digest.hex), .integer(blob.size), .text(blob.mediaType)])
            try db.execute("INSERT OR IGNORE INTO snapshots (chain_id, parent, diff_id, size) VALUES (?, ?, ?, ?)",
                           [.text(chainID.hex), SQLValue(parent?.hex), .text(diffID.hex), .integer(size)])
        }
    }

    /// Forget an untagged image no container uses, keeping its content for the next GC to judge (a
    /// build's intermediate images, whose layers the build cache holds). Returns false when the image
    /// is tagged, in use or another image's parent, and then leaves it.
    @discardableResult
    public func forgetIntermediateImage(_ id: Digest) throws(LighterError) -> Bool {
        try db.transaction { () throws(LighterError) -> Bool in
            let busy = try !db.query("""
                SELECT 1 FROM tags WHERE image_id = ?1 UNION SELECT 1 FROM containers WHERE image_id = ?1
                UNION SELECT 1 FROM image_parents WHERE parent = ?1
                """, [.text(id.hex)]).isEmpty
            if busy { return false }
            try db.execute("DELETE FROM image_layers WHERE image_id = ?", [.text(id.hex)])
            try db.execute("DELETE FROM image_blobs WHERE image_id = ?", [.text(id.hex)])
            try db.execute("DELETE FROM images WHERE id = ?", [.text(id.hex)])
            return true
        }
    }

    /// True when the data root has the `layer_holds` table of a module that keeps layers alive
    /// without an image (the build cache: its rows name blob digests and chain IDs GC must keep).
    func hasLayerHolds() throws(LighterError) -> Bool {
        try !db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'layer_holds'").isEmpty
    }
}
