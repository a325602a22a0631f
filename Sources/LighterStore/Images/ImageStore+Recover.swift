import LighterDatabase
import LighterOCI
import LighterSystem

/// What `recoverImages` rebuilt.
public struct ImageRecovery: Sendable {
    /// Images recorded again, by ID.
    public var images: [Digest] = []
    /// Tags given back from the journal.
    public var tags: [String] = []
    /// Manifests found that could not become images (a blob missing or damaged), with the reason.
    public var skipped: [String] = []
}

extension ImageStore {
    /// Rebuild the records of images from the content store, for a database that was lost, replaced
    /// or damaged (and set aside): every blob the database does not record that is an image manifest
    /// whose config and layers are all present becomes an image again (`addImage`: layers are
    /// verified, snapshots reused or unpacked again), named by the tags `journal` gives its ID.
    /// Blobs are read only when small (manifests are; layers rarely), and verified by digest.
    public func recoverImages(journal: [String: Digest]) throws(LighterError) -> ImageRecovery {
        try withLock(.exclusive) { () throws(LighterError) -> ImageRecovery in
            var recovery = ImageRecovery()
            let recorded = Set(try db.query("SELECT digest FROM blobs").map { $0.string("digest") })
            for digest in try content.allOnDisk() where !recorded.contains(digest.hex) {
                guard let st = FileSystem.lstatOrNil(content.path(of: digest)), st.st_size < 4 << 20,
                      let bytes = try? content.read(digest), bytes.first == UInt8(ascii: "{"),
                      let manifest = try? JSON.decode(Manifest.self, from: bytes, what: "manifest"),
                      [MediaType.ociConfig, MediaType.dockerConfig].contains(manifest.config.mediaType) else { continue }
                let configBytes: [UInt8]
                do {
                    configBytes = try content.read(manifest.config.digest)
                    for layer in manifest.layers where !FileSystem.exists(content.path(of: layer.digest)) {
                        throw LighterError.notFound(kind: "layer blob", name: layer.digest.description)
                    }
                } catch {
                    recovery.skipped.append("manifest \(digest): \(error)")
                    continue
                }
                let id = Digest.of(configBytes)
                let names = journal.filter { $0.value == id }.map(\.key).sorted()
                do {
                    try addImage(configBytes: configBytes,
                                 layers: manifest.layers.map { LayerBlob(digest: $0.digest, mediaType: $0.mediaType, size: $0.size) },
                                 manifestBytes: bytes, tags: names.compactMap { try? Reference(parsing: $0) })
                    recovery.images.append(id)
                    recovery.tags += names
                } catch {
                    recovery.skipped.append("manifest \(digest): \(error)")
                }
            }
            try writeTagJournal()
            return recovery
        }
    }
}
