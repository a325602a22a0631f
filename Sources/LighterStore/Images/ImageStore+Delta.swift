#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import LighterArchive
import LighterOCI
import LighterSystem
import Synchronization

/// What `applyDelta` did: the layer blobs it rebuilt (now in the content store) and the snapshots it
/// unpacked from their verified tars (chain ID → size, for `addImage`'s `unpacked`).
public struct AppliedDelta: Sendable {
    public var rebuilt: [Digest]
    public var unpacked: [Digest: Int64]
    /// Unchanged files hard-linked from the base's snapshots rather than written.
    public var linkedFiles = 0
}

/// A delta artifact made by `createDelta`: its manifest and config (bytes as they are to be pushed
/// or saved) and its delta blobs, as files in the directory it was made in.
public struct DeltaBundle: Sendable {
    public let manifestBytes: [UInt8]
    public let manifestDigest: Digest
    public let configBytes: [UInt8]
    /// The config's bytes as a file (for upload).
    public let configPath: String
    public let config: DeltaConfig
    /// Each delta blob: its descriptor and the file holding it.
    public let blobs: [(descriptor: Descriptor, path: String)]
    /// The target's manifest, config and whole layers (those no delta rebuilds), as stored.
    public let target: PushableImage
    /// What a board downloads for the delta (its manifest, its config and the delta blobs), and the
    /// sum of the target layers BASE lacks (what a full pull fetches).
    public var deltaBytes: Int64 { blobs.reduce(Int64(manifestBytes.count + configBytes.count)) { $0 + $1.descriptor.size } }
    public var fullBytes: Int64 { config.layers.reduce(0) { $0 + $1.size } }
}

extension ImageStore {
    /// `delta create BASE TARGET`: for each layer of TARGET whose blob BASE lacks, a delta of its
    /// tar against BASE's uncompressed layers, written into `directory` (it must exist). A layer
    /// whose blob Lighter cannot make again from its tar (see `LayerEncoding`) gets no delta.
    public func createDelta(base: String, target: String, in directory: String,
                            level: Int32 = LayerDelta.defaultLevel) throws(LighterError) -> DeltaBundle {
        let baseID = try resolve(base).id
        let targetImage = try pushable(target)
        let baseRecord = try image(id: baseID)
        let targetRecord = try image(id: targetImage.id)
        guard baseID != targetImage.id else { throw .invalidArgument("BASE and TARGET are the same image (\(baseID.short))") }
        let baseBlobs = Set(baseRecord.layers.map(\.blob))
        var reference: MappedFile?
        var splitBase: [SplitLayer]?
        var layers: [DeltaConfig.Layer] = []
        var blobs: [(descriptor: Descriptor, path: String)] = []
        var done = Set<Digest>()
        for layer in targetRecord.layers where !baseBlobs.contains(layer.blob) && done.insert(layer.blob).inserted {
            let path = "\(directory)/delta-\(layer.blob.hex)"
            if try isGzipBlob(layer.blob) {
                if splitBase == nil {
                    splitBase = []
                    for baseLayer in baseRecord.layers {
                        if let split = try splitLayer(baseLayer.blob, diffID: baseLayer.diffID) { splitBase!.append(split) }
                    }
                }
                // The member path has tried every level on the blob's members: when it makes nothing, no
                // encoding makes the whole blob either, and the layer is fetched whole.
                if let made = try memberDelta(target: layer, base: splitBase!, to: path, level: level) {
                    blobs.append((made.descriptor, path))
                    layers.append(made.layer)
                } else {
                    layers.append(DeltaConfig.Layer(digest: layer.blob, size: layer.blobSize, mediaType: layer.mediaType,
                                                    diffID: layer.diffID, delta: nil, encoding: nil))
                }
                continue
            }
            let tar = try uncompressedTemporary(layer.blob, diffID: layer.diffID)
            let tarMap = try MappedFile(fd: tar, count: Int(try tar.stat().st_size), writable: false, what: "layer \(layer.blob.short)")
            let blobMap = try MappedFile(path: content.path(of: layer.blob), what: "layer \(layer.blob.short)")
            let encoding = LayerEncoding.candidates(forHead: Array(blobMap.bytes.prefix(8))).first {
                $0.reproduces(blobMap.bytes, from: tarMap.bytes)
            }
            guard let encoding else {
                layers.append(DeltaConfig.Layer(digest: layer.blob, size: layer.blobSize, mediaType: layer.mediaType,
                                                diffID: layer.diffID, delta: nil, encoding: nil))
                continue
            }
            if reference == nil { reference = try deltaReference(baseRecord) }
            let output = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o644)
            let size = try LayerDelta.create(target: tarMap, reference: reference!, to: output, level: level)
            try output.seek(to: 0)
            var hasher = SHA256Hasher()
            _ = try output.readChunks { hasher.update($0) }
            let digest = hasher.finalize()
            blobs.append((Descriptor(mediaType: DeltaArtifact.layerMediaType, digest: digest, size: size), path))
            layers.append(DeltaConfig.Layer(digest: layer.blob, size: layer.blobSize, mediaType: layer.mediaType,
                                            diffID: layer.diffID, delta: digest, encoding: encoding.description))
        }
        let config = DeltaConfig(base: .init(image: baseID, manifest: baseRecord.manifestDigest, diffIDs: baseRecord.layers.map(\.diffID),
                                                blobs: baseRecord.layers.map(\.blob)),
                                 target: .init(manifest: targetImage.manifestDigest, image: targetImage.id), layers: layers)
        let configBytes = try JSON.encode(config)
        let configPath = "\(directory)/config.json"
        try FileSystem.writeThrowaway(configBytes, to: configPath)
        let manifest = DeltaManifest(
            config: Descriptor(mediaType: DeltaArtifact.configMediaType, digest: Digest.of(configBytes), size: Int64(configBytes.count)),
            layers: blobs.map(\.descriptor),
            subject: Descriptor(mediaType: targetImage.manifestMediaType, digest: targetImage.manifestDigest, size: Int64(targetImage.manifestBytes.count)),
            base: baseID)
        let manifestBytes = try JSON.encode(manifest)
        return DeltaBundle(manifestBytes: manifestBytes, manifestDigest: Digest.of(manifestBytes), configBytes: configBytes,
                           configPath: configPath, config: config, blobs: blobs, target: targetImage)
    }

    /// The image a delta was made against, when this store holds it with the same layers.
    public func deltaBase(for config: DeltaConfig) -> ImageRecord? {
        guard let record = try? image(id: config.base.image), record.layers.map(\.diffID) == config.base.diffIDs else { return nil }
        return record
    }

    /// Rebuild target layers from a delta: for each layer of `target` (the target manifest's layers
    /// with the diff IDs of its verified config) that the content store lacks and `config` has a delta
    /// for, apply it against the base's layers, check the tar's diff ID, encode it and store the blob
    /// only if it has the manifest's digest and size. While one thread encodes, another unpacks the
    /// verified tar as the layer's snapshot (the diff ID vouches for it; a pull then need not gunzip
    /// the blob again); it is kept even when the blob does not match (the fallback pull reuses it).
    /// `deltaBlob` gives the file of a delta blob (already verified against its digest). Throws at the
    /// first mismatch.
    public func applyDelta(_ config: DeltaConfig, target: [Descriptor], diffIDs: [Digest],
                           deltaBlob: (Digest) throws(LighterError) -> String) throws(LighterError) -> AppliedDelta {
        guard let base = deltaBase(for: config) else {
            throw .notFound(kind: "delta base", name: "\(config.base.image.short): this store lacks the image the delta was made against")
        }
        guard target.count == diffIDs.count else {
            throw .malformed(what: "target image", reason: "\(diffIDs.count) diff IDs for \(target.count) layers")
        }
        let chainIDs = Digest.chainIDs(of: diffIDs)
        var reference: MappedFile?
        var applied = AppliedDelta(rebuilt: [], unpacked: [:])
        for (index, (layer, diffID)) in zip(target, diffIDs).enumerated()
        where !content.contains(layer.digest) && !applied.rebuilt.contains(layer.digest) {
            guard let entry = config.layers.first(where: { $0.digest == layer.digest }), let delta = entry.delta, let encodingName = entry.encoding else {
                continue
            }
            let deltaMap = try MappedFile(path: try deltaBlob(delta), what: "layer delta \(delta.short)")
            if let pieces = entry.pieces {
                let chainID = chainIDs[index]
                if let made = try applyMemberDelta(entry, pieces: pieces, layer: layer, diffID: diffID,
                                                   chainID: snapshots.contains(chainID) ? nil : chainID,
                                                   base: base, config: config.base, delta: deltaMap) {
                    applied.unpacked[chainID] = made.size
                    applied.linkedFiles += made.linkedFiles
                }
                applied.rebuilt.append(layer.digest)
                continue
            }
            let encoding = try LayerEncoding(parsing: encodingName)
            if reference == nil { reference = try deltaReference(base) }
            let tar = try deltaTemporaryFile()
            let result = try LayerDelta.apply(delta: deltaMap, reference: reference!, to: tar, limits: limits)
            guard result.digest == diffID else {
                throw .digestMismatch(what: "layer \(layer.digest.short) rebuilt from a delta (diff ID)", expected: diffID.description, actual: result.digest.description)
            }
            let chainID = chainIDs[index]
            let unpack = !snapshots.contains(chainID)
            try tar.seek(to: 0)
            let outcome = Mutex<(encoded: LighterError?, unpacked: Result<Int64, LighterError>?)>((nil, nil))
            DispatchQueue.concurrentPerform(iterations: unpack ? 2 : 1) { job in
                do throws(LighterError) {
                    if job == 0 {
                        let tarMap = try MappedFile(fd: tar, count: Int(result.size), writable: false, what: "rebuilt layer")
                        let ingest = try content.beginIngest()
                        let blob = try encoding.encode(tarMap.bytes, to: ingest.fd)
                        try content.commit(ingest, digest: blob.digest, size: blob.size, expected: layer.digest, expectedSize: layer.size,
                                           what: "layer \(layer.digest.short) rebuilt from a delta")
                    } else {
                        let size = try snapshots.create(chainID: chainID, from: tar, expectedDigest: diffID, expectedDiffID: diffID, limits: limits).size
                        outcome.withLock { $0.unpacked = .success(size) }
                    }
                } catch {
                    outcome.withLock { state in
                        if job == 0 { state.encoded = error } else { state.unpacked = .failure(error) }
                    }
                }
            }
            let (encoded, unpacked) = outcome.withLock { $0 }
            // A blob that does not match is an error; the snapshot stays (the diff ID vouches for it,
            // and removing it could pull it from under a concurrent pull that found it made).
            if let encoded { throw encoded }
            if let unpacked { applied.unpacked[chainID] = try unpacked.get() }
            applied.rebuilt.append(layer.digest)
        }
        return applied
    }

    /// A delta's reference: `image`'s layers uncompressed, one after the other, each checked against
    /// its diff ID, in an unlinked file of the ingest directory (nothing is left behind by a kill).
    func deltaReference(_ image: ImageRecord) throws(LighterError) -> MappedFile {
        let file = try deltaTemporaryFile()
        var size: Int64 = 0
        for layer in image.layers {
            let stream = try LayerStream.decompress(from: try content.open(layer.blob), to: file, limits: limits)
            guard stream.output == layer.diffID else {
                throw .digestMismatch(what: "base layer \(layer.blob.short) (diff ID)", expected: layer.diffID.description, actual: stream.output.description)
            }
            size += stream.outputSize
        }
        return try MappedFile(fd: file, count: Int(size), writable: false, what: "delta reference")
    }

    /// A layer blob's tar in an unlinked temporary file, checked against its diff ID.
    private func uncompressedTemporary(_ blob: Digest, diffID: Digest) throws(LighterError) -> FileDescriptor {
        let file = try deltaTemporaryFile()
        let stream = try LayerStream.decompress(from: try content.open(blob), to: file, limits: limits)
        guard stream.output == diffID else {
            throw .digestMismatch(what: "layer \(blob.short) (diff ID)", expected: diffID.description, actual: stream.output.description)
        }
        return file
    }

    /// An empty file in the ingest directory, already unlinked.
    func deltaTemporaryFile() throws(LighterError) -> FileDescriptor {
        try FileSystem.makeDirectories(paths.ingest)
        let path = "\(paths.ingest)/delta-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        try FileSystem.remove(path)
        return fd
    }
}
