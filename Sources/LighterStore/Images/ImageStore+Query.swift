import LighterDatabase
import LighterOCI
import LighterSystem

extension ImageStore {
    /// All images, newest first.
    public func images() throws(LighterError) -> [ImageRecord] {
        let rows = try db.query("SELECT id, manifest_digest, platform, created, added_at FROM images")
        var tagsByImage: [String: [String]] = [:]
        var digestsByImage: [String: [String]] = [:]
        for row in try db.query("SELECT name, image_id FROM tags") {
            let name = row.string("name")
            if name.contains("@") {
                digestsByImage[row.string("image_id"), default: []].append(name)
            } else {
                tagsByImage[row.string("image_id"), default: []].append(name)
            }
        }
        var layersByImage: [String: [LayerRecord]] = [:]
        let layerRows = try db.query("""
            SELECT l.image_id, l.position, l.diff_id, l.chain_id, l.blob_digest, b.media_type, b.size AS blob_size, s.size AS size
            FROM image_layers l JOIN blobs b ON b.digest = l.blob_digest JOIN snapshots s ON s.chain_id = l.chain_id
            ORDER BY l.image_id, l.position
            """)
        for row in layerRows {
            layersByImage[row.string("image_id"), default: []].append(try layer(from: row))
        }
        var parents: [String: String] = [:]
        for row in try db.query("SELECT image_id, parent FROM image_parents") { parents[row.string("image_id")] = row.string("parent") }
        let withChildren = Set(parents.values)
        var result: [ImageRecord] = []
        for row in rows {
            let id = row.string("id")
            result.append(ImageRecord(
                id: try Digest(hex: id),
                manifestDigest: try Digest(hex: row.string("manifest_digest")),
                platform: row.string("platform"),
                created: row["created"].string,
                addedAt: row.int("added_at"),
                tags: (tagsByImage[id] ?? []).sorted(),
                repoDigests: (digestsByImage[id] ?? []).sorted(),
                layers: layersByImage[id] ?? [],
                parent: try parents[id].map { (hex: String) throws(LighterError) -> Digest in try Digest(hex: hex) },
                hasChildren: withChildren.contains(id)))
        }
        return result.sorted { ($0.createdSeconds, $0.id.hex) > ($1.createdSeconds, $1.id.hex) }
    }

    private func layer(from row: SQLRow) throws(LighterError) -> LayerRecord {
        LayerRecord(diffID: try Digest(hex: row.string("diff_id")), chainID: try Digest(hex: row.string("chain_id")),
                    blob: try Digest(hex: row.string("blob_digest")), mediaType: row.string("media_type"),
                    blobSize: row.int("blob_size"), size: row.int("size"))
    }

    public func image(id: Digest) throws(LighterError) -> ImageRecord {
        guard let record = try images().first(where: { $0.id == id }) else {
            throw .notFound(kind: "image", name: id.description)
        }
        return record
    }

    /// Resolve what a user typed — a reference (`busybox`, `busybox:1.35`, `host:5000/app@sha256:…`),
    /// a full ID (`sha256:…`) or an unambiguous ID prefix — to an image ID, Docker's way.
    /// Returns the matched tag when the input named one.
    public func resolve(_ input: String) throws(LighterError) -> (id: Digest, tag: Reference?) {
        if input.hasPrefix("sha256:"), let digest = try? Digest(parsing: input) {
            if try !db.query("SELECT 1 FROM images WHERE id = ?", [.text(digest.hex)]).isEmpty { return (digest, nil) }
            throw .notFound(kind: "image", name: input)
        }
        if let reference = try? Reference(parsing: input) {
            if let digest = reference.digest {
                // What this repository was pulled as or pushed to, then any image stored with that manifest.
                let named = Reference(registry: reference.registry, repository: reference.repository, tag: nil, digest: digest)
                if let row = try db.query("SELECT image_id FROM tags WHERE name = ?", [.text(named.description)]).first {
                    return (try Digest(hex: row.string("image_id")), nil)
                }
                let rows = try db.query("SELECT id FROM images WHERE manifest_digest = ?", [.text(digest.hex)])
                if let row = rows.first { return (try Digest(hex: row.string("id")), nil) }
            } else if let row = try db.query("SELECT image_id FROM tags WHERE name = ?", [.text(reference.description)]).first {
                return (try Digest(hex: row.string("image_id")), reference)
            }
        }
        let hex = input.lowercased()
        if hex.count >= 4, hex.count <= 64, hex.allSatisfy({ $0.isHexDigit }) {
            let rows = try db.query("SELECT id FROM images WHERE id LIKE ? || '%'", [.text(hex)])
            if rows.count == 1 { return (try Digest(hex: rows[0].string("id")), nil) }
            if rows.count > 1 { throw .conflict("image ID prefix \(input) is ambiguous (\(rows.count) images match)") }
        }
        if hex.count > 64 || !hex.allSatisfy(\.isHexDigit) {
            _ = try Reference(parsing: input)   // not a reference: its parse error says what is wrong
        }
        throw .notFound(kind: "image", name: input)
    }

    /// The image config as stored (bytes verified against the image ID).
    public func configBytes(of id: Digest) throws(LighterError) -> [UInt8] { try content.read(id) }

    public func config(of id: Digest) throws(LighterError) -> ImageConfig {
        try ImageConfig(jsonBytes: try configBytes(of: id), what: "image config \(id.short)")
    }

    /// IDs of images that containers use.
    public func imagesInUse() throws(LighterError) -> Set<String> {
        Set(try db.query("SELECT DISTINCT image_id FROM containers").map { $0.string("image_id") })
    }
}
