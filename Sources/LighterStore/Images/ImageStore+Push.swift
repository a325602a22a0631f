import LighterOCI
import LighterSystem

/// What `push` needs of a stored image: its manifest exactly as stored and where its blobs are.
public struct PushableImage: Sendable {
    public let id: Digest
    public let manifestBytes: [UInt8]
    public let manifest: Manifest
    public let manifestDigest: Digest
    public let platform: Platform
    /// References the image is known by (the repositories its blobs may be mounted from).
    public let tags: [Reference]

    /// Media type to send the manifest with (its own field, else OCI).
    public var manifestMediaType: String { manifest.mediaType ?? MediaType.ociManifest }
}

extension ImageStore {
    /// The stored image `input` names, ready to push; its manifest is read and verified.
    public func pushable(_ input: String) throws(LighterError) -> PushableImage {
        let (id, _) = try resolve(input)
        let record = try image(id: id)
        let bytes = try content.read(record.manifestDigest)
        let manifest = try JSON.decode(Manifest.self, from: bytes, what: "stored manifest \(record.manifestDigest)")
        let config = try self.config(of: id)
        let tags = (record.tags + record.repoDigests).compactMap { try? Reference(parsing: $0) }
        return PushableImage(id: id, manifestBytes: bytes, manifest: manifest, manifestDigest: record.manifestDigest,
                             platform: config.platform, tags: tags)
    }

    /// After a push (or pull) of image `id` to `reference`'s repository as manifest `digest`:
    /// remember `repository@digest` (Docker's RepoDigests; `pull NAME@DIGEST` then finds it here).
    public func recordRepoDigest(_ reference: Reference, digest: Digest, image id: Digest) throws(LighterError) {
        let named = Reference(registry: reference.registry, repository: reference.repository, tag: nil, digest: digest)
        try withLock(.shared) { () throws(LighterError) in
            try db.execute("INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)", [.text(named.description), .text(id.hex)])
            try writeTagJournal()
        }
    }
}
