import LighterOCI
import LighterStore
import LighterSystem

/// The outcome of a pull.
public struct PulledImage: Sendable {
    public let id: Digest
    /// The digest of the image manifest (the platform's, when the reference named an index).
    public let manifestDigest: Digest
    /// The digest the reference resolved to (the index's, for a multi-platform image).
    public let resolvedDigest: Digest
    public let reference: Reference
    /// Layers fetched by this pull (the others were already in the store), rebuilt from a delta or downloaded.
    public let downloadedLayers: Int
    /// Bytes of the delta blobs this pull downloaded (0: no delta was used).
    public var deltaBytes: Int64 = 0
    /// Bytes of the layer blobs this pull downloaded whole.
    public var layerBytes: Int64 = 0
}

/// `pull`: resolve a reference (tag or digest, index → the wanted platform), download the config
/// and the missing layers in parallel (bounded, resumable, verified), then record the image.
public struct ImagePuller: Sendable {
    public let store: ImageStore
    public let options: RegistryOptions

    public init(store: ImageStore, options: RegistryOptions) {
        self.store = store
        self.options = options
    }

    public func pull(_ reference: Reference, platform: Platform? = nil,
                     progress: @escaping @Sendable (PullEvent) -> Void = { _ in }) async throws(LighterError) -> PulledImage {
        let credentials = try CredentialStore(options: options).credentials(for: reference.registry)
        let client = try RegistryClient(registry: reference.registry, options: options, credentials: credentials)
        do {
            let result = try await pull(reference, platform: platform, client: client, progress: progress)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func pull(_ reference: Reference, platform: Platform?, client: RegistryClient,
                      progress: @escaping @Sendable (PullEvent) -> Void) async throws(LighterError) -> PulledImage {
        let repository = reference.repository
        let top = try await client.retrying { () async throws(LighterError) -> FetchedManifest in
            try await client.manifest(repository: repository, reference: reference.digest?.description ?? reference.tag ?? "latest", expected: reference.digest)
        }
        var manifestBytes = top.bytes
        var manifestDigest = top.digest
        var chosen: Platform?
        if top.isIndex {
            let index = try JSON.decode(Index.self, from: top.bytes, what: "index \(reference)")
            let wanted = platform ?? Platform.host
            guard let entry = PlatformMatcher.best(for: wanted, among: index.manifests) else {
                let offered = index.manifests.compactMap { $0.platform?.description }
                throw .notFound(kind: "image for platform", name: "\(wanted) in \(reference.familiar): the index offers \(offered.isEmpty ? "no platforms" : offered.joined(separator: ", "))")
            }
            guard MediaType.isManifest(entry.mediaType) else {
                throw .malformed(what: "index \(reference)", reason: "entry \(entry.digest) has media type \(entry.mediaType), not an image manifest")
            }
            let manifest = try await client.retrying { () async throws(LighterError) -> FetchedManifest in
                try await client.manifest(repository: repository, reference: entry.digest.description, expected: entry.digest)
            }
            manifestBytes = manifest.bytes
            manifestDigest = manifest.digest
            chosen = entry.platform
        }
        let manifest = try JSON.decode(Manifest.self, from: manifestBytes, what: "manifest \(manifestDigest)")
        for layer in manifest.layers where !MediaType.isLayer(layer.mediaType) {
            throw .malformed(what: "manifest \(manifestDigest)", reason: "layer media type \(layer.mediaType) is not supported")
        }
        progress(.resolved(manifest: manifestDigest, platform: chosen))
        let configBytes = try await client.retrying { () async throws(LighterError) -> [UInt8] in
            try await client.smallBlob(repository: repository, descriptor: manifest.config)
        }
        let config = try ImageConfig(jsonBytes: configBytes, what: "image config \(manifest.config.digest)")
        if let platform, !top.isIndex, !platform.canRun(config.platform) {
            throw .notFound(kind: "image for platform", name: "\(platform) in \(reference.familiar): the image is \(config.platform)")
        }

        let diffIDs = config.rootfs.diff_ids
        guard diffIDs.count == manifest.layers.count else {
            throw .malformed(what: "image \(reference)", reason: "config lists \(diffIDs.count) layers (rootfs.diff_ids) but the manifest has \(manifest.layers.count)")
        }
        // Hold the shared store lock from the first blob moved in until the image is recorded,
        // so garbage collection cannot remove blobs of an image not yet recorded.
        let lock = try FileLock(path: store.paths.lockFile, mode: .shared)
        defer { lock.release() }
        var missing = uniqueMissing(manifest.layers)
        var delta: DeltaOutcome?
        if !missing.isEmpty {
            delta = await pullDelta(repository: repository, client: client, manifestDigest: manifestDigest, layers: manifest.layers,
                                    diffIDs: diffIDs, missing: missing, progress: progress)
            if delta != nil { missing = uniqueMissing(manifest.layers) }
        }
        for layer in manifest.layers where !missing.contains(layer) { progress(.layerExists(layer.digest)) }
        let layers = manifest.layers.map { LayerBlob(digest: $0.digest, mediaType: $0.mediaType, size: $0.size) }
        let unpacker = LayerUnpackQueue(store: store, layers: layers, chainIDs: Digest.chainIDs(of: diffIDs), diffIDs: diffIDs)
        try await download(missing, repository: repository, client: client, unpacker: unpacker, progress: progress)
        progress(.unpacking)
        // Layers rebuilt from a delta were unpacked from their verified tars already.
        let unpacked = try await unpacker.unpackReady().merging(delta?.unpacked ?? [:]) { queued, _ in queued }
        // The tag, and the digest the reference resolved to in this repository (Docker's RepoDigests:
        // recorded even when the store already held the image under another manifest).
        let repoDigest = Reference(registry: reference.registry, repository: reference.repository, tag: nil, digest: top.digest)
        let tags = (reference.tag != nil && reference.digest == nil ? [reference] : []) + [repoDigest]
        let id = try store.addImage(configBytes: configBytes, layers: layers, manifestBytes: manifestBytes, tags: tags, unpacked: unpacked)
        var pulled = PulledImage(id: id, manifestDigest: manifestDigest, resolvedDigest: top.digest, reference: reference,
                                 downloadedLayers: missing.count + (delta?.rebuilt.count ?? 0))
        pulled.deltaBytes = delta?.deltaBytes ?? 0
        pulled.layerBytes = missing.reduce(0) { $0 + $1.size }
        return pulled
    }

    private func uniqueMissing(_ layers: [Descriptor]) -> [Descriptor] {
        var seen = Set<Digest>()
        return layers.filter { seen.insert($0.digest).inserted && !store.content.contains($0.digest) }
    }

    /// Download `layers` with at most `maxConcurrentDownloads` at a time.
    /// Each time a download completes, the layers whose blobs are all in (in order) are unpacked
    /// while the others keep downloading.
    private func download(_ layers: [Descriptor], repository: String, client: RegistryClient, unpacker: LayerUnpackQueue,
                          progress: @escaping @Sendable (PullEvent) -> Void) async throws(LighterError) {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var pending = layers[...]
                var running = 0
                while running < options.maxConcurrentDownloads, let next = pending.popFirst() {
                    group.addTask { try await self.downloadLayer(next, repository: repository, client: client, progress: progress) }
                    running += 1
                }
                _ = try await unpacker.unpackReady()
                while try await group.next() != nil {
                    if let next = pending.popFirst() {
                        group.addTask { try await self.downloadLayer(next, repository: repository, client: client, progress: progress) }
                    }
                    _ = try await unpacker.unpackReady()
                }
            }
        } catch let error as LighterError {
            throw error
        } catch {
            throw .registry(host: client.registry, message: "\(error)")
        }
    }

    private func downloadLayer(_ layer: Descriptor, repository: String, client: RegistryClient,
                               progress: @escaping @Sendable (PullEvent) -> Void) async throws(LighterError) {
        // One process at a time downloads a given blob; the others wait and then find it stored.
        var taken = try store.tryLockDownload(layer.digest)
        while taken == nil {
            try? await Task.sleep(for: .milliseconds(200))
            taken = try store.tryLockDownload(layer.digest)
        }
        guard let lock = taken else { return }
        // Its file goes with it (a pull killed here leaves it to `system prune`).
        defer { try? store.releaseDownloadLock(lock, digest: layer.digest) }
        if store.content.contains(layer.digest) {
            progress(.layerExists(layer.digest))
            return
        }
        progress(.layerStarted(layer.digest, size: layer.size))
        let path = store.partialDownloadPath(for: layer.digest)
        do throws(LighterError) {
            try await client.downloadBlob(repository: repository, descriptor: layer, to: path) { bytes in
                progress(.layerProgress(layer.digest, bytes: bytes, size: layer.size))
            }
        } catch {
            if case .digestMismatch = error { try? FileSystem.remove(path) }
            if case .sizeMismatch = error { try? FileSystem.remove(path) }
            throw error
        }
        try store.adoptVerifiedDownload(path, digest: layer.digest)
        progress(.layerVerified(layer.digest))
    }
}
