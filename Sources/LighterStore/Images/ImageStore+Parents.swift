import LighterDatabase
import LighterOCI
import LighterSystem

/// Docker's image Parent, as the classic builder leaves it: every step of a build is an image whose
/// parent is the previous step's (the first step's is the base image). `images` hides untagged
/// parents, `history` names each step's image, `rmi` refuses a parent and deletes the untagged chain
/// under what it deletes. The parent is store metadata (`image_parents`), never part of the config.
extension ImageStore {
    /// Record that image `id` was built on `parent` (replacing an earlier record); nil forgets it.
    public func setParent(of id: Digest, to parent: Digest?) throws(LighterError) {
        guard let parent, parent != id else {
            try db.execute("DELETE FROM image_parents WHERE image_id = ?", [.text(id.hex)])
            return
        }
        try db.execute("INSERT OR REPLACE INTO image_parents (image_id, parent) VALUES (?, ?)", [.text(id.hex), .text(parent.hex)])
    }

    /// True when the store holds image `id`.
    public func imageExists(_ id: Digest) throws(LighterError) -> Bool {
        try !db.query("SELECT 1 FROM images WHERE id = ?", [.text(id.hex)]).isEmpty
    }

    /// The image `id` was built on, if the store knows one.
    public func parent(of id: Digest) throws(LighterError) -> Digest? {
        guard let row = try db.query("SELECT parent FROM image_parents WHERE image_id = ?", [.text(id.hex)]).first else { return nil }
        return try Digest(hex: row.string("parent"))
    }

    /// The images built on `id` (IDs, hex).
    public func children(of id: Digest) throws(LighterError) -> [String] {
        try db.query("SELECT image_id FROM image_parents WHERE parent = ? ORDER BY image_id", [.text(id.hex)]).map { $0.string("image_id") }
    }

    /// The image ID `history` shows beside each of `entries` history entries, newest first: the
    /// image's own for its last entry, its parent's for the one before, and so on up the chain;
    /// nil (`<missing>`) once the chain ends (a pulled image has no parent), as Docker's ImageHistory.
    public func historyImageIDs(of id: Digest, entries: Int) throws(LighterError) -> [Digest?] {
        var result: [Digest?] = []
        var current: Digest? = id
        var seen = Set<Digest>()
        for _ in 0..<entries {
            if let known = current, !seen.insert(known).inserted { current = nil }
            result.append(current)
            if let known = current {
                let parent = try self.parent(of: known)
                let stored = try parent.map { (digest: Digest) throws(LighterError) -> Bool in
                    try !db.query("SELECT 1 FROM images WHERE id = ?", [.text(digest.hex)]).isEmpty
                } ?? false
                current = stored ? parent : nil
            }
        }
        return result
    }

    /// True when a container runs (or can roll back to) image `hex`.
    func isUsedByContainer(_ hex: String) throws(LighterError) -> Bool {
        try !db.query("""
            SELECT 1 FROM containers WHERE image_id = ?1 UNION SELECT 1 FROM containers WHERE previous_image_id = ?1
            """, [.text(hex)]).isEmpty
    }

    /// Inside the caller's transaction, after an image whose parent was `parent` is deleted: delete
    /// the parent, then its parent, … while each has no tag, no container and no other child (Docker
    /// prunes a deleted image's parents so). Returns the deleted IDs, nearest first.
    func deleteUnusedParents(from parent: Digest?) throws(LighterError) -> [Digest] {
        var deleted: [Digest] = []
        var next = parent
        while let id = next {
            let referenced = try !db.query("SELECT 1 FROM tags WHERE image_id = ? UNION SELECT 1 FROM image_parents WHERE parent = ?",
                                           [.text(id.hex), .text(id.hex)]).isEmpty
            guard !referenced, try !isUsedByContainer(id.hex),
                  try !db.query("SELECT 1 FROM images WHERE id = ?", [.text(id.hex)]).isEmpty else { break }
            next = try self.parent(of: id)
            try db.execute("DELETE FROM images WHERE id = ?", [.text(id.hex)])
            deleted.append(id)
        }
        return deleted
    }
}
