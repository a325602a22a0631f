import LighterDatabase
import LighterOCI
import LighterSystem

/// `repositories.json`: every tag (and `repository@digest` reference) with its image ID, written
/// durably whenever tags change, so that `system check --repair` can give images rebuilt from the
/// content store their names back when `lighter.db` is lost or damaged. The content store knows
/// images (manifests, configs, layers) but not their names; this file is the only other record.
///
/// `{"database":"<identity>","tags":{"docker.io/library/busybox:latest":"<config digest hex>", …}}`
///
/// `database` tells the database it was written with (the random token its `database_identity` table
/// got when the database was made): a journal whose images the
/// database lacks is a lost or replaced database when the identity differs, and otherwise an
/// operation cut off between its commit and the journal's rewrite.
extension ImageStore {
    public var tagJournalPath: String { "\(paths.root)/repositories.json" }

    /// The identity of this `lighter.db` (see above).
    public func databaseIdentity() throws(LighterError) -> String {
        guard let row = try db.query("SELECT token FROM database_identity").first else {
            throw .database(code: 0, message: "\(paths.database) has no database_identity row")
        }
        return row.string("token")
    }

    /// Rewrite the journal from the `tags` table (after a committed change). A lock orders writers,
    /// and each writes what the table holds when it has the lock, so the last write is the newest.
    public func writeTagJournal() throws(LighterError) {
        let lock = try FileLock(path: "\(tagJournalPath).lock", mode: .exclusive)
        defer { lock.release() }
        var tags: [String: JSONNode] = [:]
        for row in try db.query("SELECT name, image_id FROM tags") {
            tags[row.string("name")] = .string(row.string("image_id"))
        }
        let document = JSONNode.object(["database": .string(try databaseIdentity()), "tags": .object(tags)])
        try FileSystem.writeDurably(document.serialized(pretty: true), to: tagJournalPath, mode: 0o600)
    }

    /// The journal: the identity of the database it was written with, its tags (name → image ID);
    /// nil when there is no journal.
    public func readTagJournal() throws(LighterError) -> (database: String, tags: [String: Digest])? {
        guard FileSystem.exists(tagJournalPath) else { return nil }
        let what = "tag journal \(tagJournalPath)"
        guard case let .object(fields) = try JSONNode.parse(try FileSystem.readFile(tagJournalPath), what: what),
              case let .string(database)? = fields["database"], case let .object(tags)? = fields["tags"] else {
            throw .malformed(what: what, reason: "expected {\"database\": IDENTITY, \"tags\": {NAME: IMAGE ID}}")
        }
        var result: [String: Digest] = [:]
        for (name, value) in tags {
            guard case let .string(hex) = value, let id = try? Digest(hex: hex) else {
                throw .malformed(what: what, reason: "tag \(name) has no image ID")
            }
            result[name] = id
        }
        return (database, result)
    }

    /// What the journal says about the database: the tags whose image it does not hold, and whether
    /// the journal was written with another database (lost, replaced: the tags are to be recovered)
    /// rather than with this one (an operation cut off before the journal's rewrite: a leftover).
    public func compareTagJournal() throws(LighterError) -> (missing: [String: Digest], otherDatabase: Bool) {
        guard let journal = try readTagJournal() else { return ([:], false) }
        let known = Set(try db.query("SELECT id FROM images").map { $0.string("id") })
        let missing = journal.tags.filter { !known.contains($0.value.hex) }
        return (missing, journal.database != (try databaseIdentity()))
    }
}
