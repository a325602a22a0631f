import LighterOCI
import LighterStore
import LighterSystem

/// What `push` reports as it goes.
public enum PushEvent: Sendable {
    case blobExists(Digest)
    case blobMounted(Digest, from: String)
    case blobPushed(Digest, size: Int64)
    case manifestPushed(reference: String, digest: Digest)
}

/// `push`: upload an image's blobs the registry lacks (HEAD first, cross-repository mount when the
/// image came from another repository of the same registry, else a monolithic upload), then its
/// manifest; or several images as one multi-platform index.
public struct ImagePusher: Sendable {
    public let store: ImageStore
    public let options: RegistryOptions

    public init(store: ImageStore, options: RegistryOptions) {
        self.store = store
        self.options = options
    }

    /// Push the stored image `source` as `target`; returns the manifest digest.
    public func push(_ source: String, as target: Reference, progress: @escaping @Sendable (PushEvent) -> Void = { _ in }) async throws(LighterError) -> Digest {
        let image = try store.pushable(source)
        let digest = try await withClient(for: target) { (client) throws(LighterError) -> Digest in
            try await pushImage(image, to: target, tag: target.tag ?? image.manifestDigest.description, client: client, progress: progress)
        }
        try store.recordRepoDigest(target, digest: digest, image: image.id)
        return digest
    }

    /// Push several stored images (one per platform) and an OCI index of them as `target`; returns the index digest.
    public func pushIndex(_ sources: [String], as target: Reference, progress: @escaping @Sendable (PushEvent) -> Void = { _ in }) async throws(LighterError) -> Digest {
        guard !sources.isEmpty else { throw .invalidArgument("an index needs at least one image") }
        let images = try sources.map { (source) throws(LighterError) -> PushableImage in try store.pushable(source) }
        var platforms = Set<String>()
        for image in images where !platforms.insert(image.platform.description).inserted {
            throw .invalidArgument("two images for platform \(image.platform) in one index")
        }
        return try await withClient(for: target) { (client) throws(LighterError) -> Digest in
            var entries: [Descriptor] = []
            for image in images {
                let digest = try await pushImage(image, to: target, tag: image.manifestDigest.description, client: client, progress: progress)
                entries.append(Descriptor(mediaType: image.manifestMediaType, digest: digest, size: Int64(image.manifestBytes.count), platform: image.platform))
            }
            let index = try JSON.encode(Index(manifests: entries))
            let tag = target.tag ?? "latest"
            let digest = try await client.putManifest(repository: target.repository, reference: tag, bytes: index, mediaType: MediaType.ociIndex)
            progress(.manifestPushed(reference: tag, digest: digest))
            return digest
        }
    }

    private func withClient<T: Sendable>(for target: Reference, _ body: (RegistryClient) async throws(LighterError) -> T) async throws(LighterError) -> T {
        let credentials = try CredentialStore(options: options).credentials(for: target.registry)
        let client = try RegistryClient(registry: target.registry, options: options, credentials: credentials)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func pushImage(_ image: PushableImage, to target: Reference, tag: String, client: RegistryClient,
                           progress: @escaping @Sendable (PushEvent) -> Void) async throws(LighterError) -> Digest {
        let mountFrom = image.tags.first { $0.registry == target.registry && $0.repository != target.repository }?.repository
        var seen = Set<Digest>()
        for blob in image.manifest.layers + [image.manifest.config] where seen.insert(blob.digest).inserted {
            let present = try await client.retrying { () async throws(LighterError) -> Bool in
                try await client.hasBlob(repository: target.repository, digest: blob.digest)
            }
            if present {
                progress(.blobExists(blob.digest))
                continue
            }
            guard store.content.contains(blob.digest) else {
                throw .notFound(kind: "blob", name: "\(blob.digest) of image \(image.id.short) (the store lacks it; pull the image again)")
            }
            // A failed upload starts a new upload session (monolithic uploads cannot resume).
            let mounted = try await client.retrying { () async throws(LighterError) -> Bool in
                try await client.uploadBlob(repository: target.repository, digest: blob.digest, size: blob.size,
                                            from: store.content.path(of: blob.digest), mountFrom: mountFrom)
            }
            if mounted, let mountFrom { progress(.blobMounted(blob.digest, from: mountFrom)) } else { progress(.blobPushed(blob.digest, size: blob.size)) }
        }
        let digest = try await client.retrying { () async throws(LighterError) -> Digest in
            try await client.putManifest(repository: target.repository, reference: tag, bytes: image.manifestBytes, mediaType: image.manifestMediaType)
        }
        progress(.manifestPushed(reference: tag, digest: digest))
        return digest
    }
}
