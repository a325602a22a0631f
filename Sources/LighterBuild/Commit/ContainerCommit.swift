import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

/// `commit CONTAINER [REF]`: the container's writable layer (its overlay upper directory) written
/// as a layer the same way a build step's is, on top of its image's layers, with `--change`
/// instructions applied to the image's config. The container keeps its upper directory, so the new
/// layer's snapshot is unpacked from the blob. The container's image is the new one's Parent (Docker's).
public enum ContainerCommit {
    public static func commit(engine: Engine, container: String, reference: Reference?, changes: [String],
                              message: String?, author: String?) throws(LighterError) -> Digest {
        let id = try engine.resolve(container)
        let record = try engine.inspect(id)
        let store = engine.images
        let image = try store.image(id: record.spec.imageID)
        var config = try store.config(of: record.spec.imageID)
        var container = config.config ?? ContainerConfig()
        for change in changes { try container.apply(change: change) }
        config.config = container.isEmpty ? nil : container
        return try store.withLock(.shared) { () throws(LighterError) -> Digest in
            let ingest = try store.content.beginIngest()
            let written = try LayerCommit.write(directory: engine.upperDirectory(id), to: ingest.fd)
            try store.content.commit(ingest, digest: written.digest, size: written.size, what: "committed layer")
            let now = Time.nowRFC3339()
            config.created = now
            if let author { config.author = author }
            config.rootfs.diff_ids.append(written.diffID)
            var entry = ImageConfig.History(created: now, createdBy: ([record.path] + record.args).joined(separator: " "), comment: message)
            entry.author = author
            config.history = (config.history ?? []) + [entry]
            let layers = image.layers.map { LayerBlob(digest: $0.blob, mediaType: $0.mediaType, size: $0.blobSize) }
                + [LayerBlob(digest: written.digest, mediaType: MediaType.ociLayerGzip, size: written.size)]
            let bytes = try JSON.encode(config)
            // Docker's commit: the container's image is the new image's Parent.
            let imageID = try store.addImage(configBytes: bytes, layers: layers, tags: reference.map { [$0] } ?? [], parent: record.spec.imageID)
            return imageID
        }
    }
}
