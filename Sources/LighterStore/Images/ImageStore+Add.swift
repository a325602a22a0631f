#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterDatabase
import LighterOCI
import LighterSystem

/// A layer blob already in the content store, to become part of an image.
public struct LayerBlob: Sendable {
    public let digest: Digest
    public let mediaType: String
    public let size: Int64
    public init(digest: Digest, mediaType: String, size: Int64) {
        self.digest = digest
        self.mediaType = mediaType
        self.size = size
    }
}

extension ImageStore {
    /// Add an image whose layer blobs are in the content store: unpack missing snapshots, store
    /// config and manifest, then record everything (and the tags) in one transaction — after a crash
    /// the store holds the whole image or none of it. The caller holds the shared lock.
    ///
    /// `manifestBytes`, when given, are kept as they are (their digest is the image's manifest digest);
    /// otherwise an OCI manifest is written. `unpacked` holds snapshots (chain ID → size) the caller
    /// has just created from these very blobs with `SnapshotStore.create`, which verified them.
    /// `parent` (a build step's image: the previous step's) is recorded as Docker's Parent when given.
    /// `durable: false` (a build's step images) leaves the fsync to the next durable commit.
    @discardableResult
    public func addImage(configBytes: [UInt8], layers: [LayerBlob], manifestBytes: [UInt8]? = nil, tags: [Reference],
                         unpacked: [Digest: Int64] = [:], parent: Digest? = nil, durable: Bool = true) throws(LighterError) -> Digest {
        let config = try ImageConfig(jsonBytes: configBytes, what: "image config")
        let diffIDs = config.rootfs.diff_ids
        guard diffIDs.count == layers.count else {
            throw .malformed(what: "image", reason: "config lists \(diffIDs.count) layers (rootfs.diff_ids) but the manifest has \(layers.count)")
        }
        let chainIDs = Digest.chainIDs(of: diffIDs)
        var sizes: [Int64] = []
        for (index, layer) in layers.enumerated() {
            if let size = unpacked[chainIDs[index]], snapshots.contains(chainIDs[index]) { sizes.append(size); continue }
            sizes.append(try ensureSnapshot(chainID: chainIDs[index], parent: index > 0 ? chainIDs[index - 1] : nil, diffID: diffIDs[index], blob: layer))
        }
        let configDigest = try content.write(configBytes, what: "image config")
        let manifest: [UInt8]
        if let manifestBytes {
            manifest = manifestBytes
        } else {
            let configDescriptor = Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count))
            let layerDescriptors = layers.map { Descriptor(mediaType: $0.mediaType, digest: $0.digest, size: $0.size) }
            manifest = try JSON.encode(Manifest(config: configDescriptor, layers: layerDescriptors))
        }
        let manifestDigest = try content.write(manifest, what: "manifest")
        let manifestType = (try? JSON.decode(MediaTypeProbe.self, from: manifest, what: "manifest").mediaType) ?? nil

        // Durable: the command reports the image stored once this returns.
        try db.transaction(durable: durable) { () throws(LighterError) in
            let insertBlob = "INSERT OR IGNORE INTO blobs (digest, size, media_type) VALUES (?, ?, ?)"
            try db.execute(insertBlob, [.text(manifestDigest.hex), .integer(Int64(manifest.count)), .text(manifestType ?? MediaType.ociManifest)])
            try db.execute(insertBlob, [.text(configDigest.hex), .integer(Int64(configBytes.count)), .text(MediaType.ociConfig)])
            for layer in layers {
                try db.execute(insertBlob, [.text(layer.digest.hex), .integer(layer.size), .text(layer.mediaType)])
            }
            for (index, chainID) in chainIDs.enumerated() {
                try db.execute("INSERT OR IGNORE INTO snapshots (chain_id, parent, diff_id, size) VALUES (?, ?, ?, ?)",
                               [.text(chainID.hex), SQLValue(index > 0 ? chainIDs[index - 1].hex : nil), .text(diffIDs[index].hex), .integer(sizes[index])])
            }
            let exists = try !db.query("SELECT 1 FROM images WHERE id = ?", [.text(configDigest.hex)]).isEmpty
            if !exists {
                try db.execute("INSERT INTO images (id, manifest_digest, platform, created, added_at) VALUES (?, ?, ?, ?, ?)",
                               [.text(configDigest.hex), .text(manifestDigest.hex), .text(config.platform.description), SQLValue(config.created), .integer(Time.now().seconds)])
                for digest in Set([manifestDigest, configDigest] + layers.map(\.digest)) {
                    try db.execute("INSERT INTO image_blobs (image_id, digest) VALUES (?, ?)", [.text(configDigest.hex), .text(digest.hex)])
                }
                for (index, layer) in layers.enumerated() {
                    try db.execute("INSERT INTO image_layers (image_id, position, diff_id, chain_id, blob_digest) VALUES (?, ?, ?, ?, ?)",
                                   [.text(configDigest.hex), .integer(Int64(index)), .text(diffIDs[index].hex), .text(chainIDs[index].hex), .text(layer.digest.hex)])
                }
            }
            for tag in tags {
                try db.execute("INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)", [.text(tag.description), .text(configDigest.hex)])
            }
            if let parent { try setParent(of: configDigest, to: parent) }
        }
        if !tags.isEmpty { try writeTagJournal() }
        return configDigest
    }

    /// Unpack a layer blob as snapshot `chainID` unless it is already there; returns its size on disk.
    private func ensureSnapshot(chainID: Digest, parent: Digest?, diffID: Digest, blob: LayerBlob) throws(LighterError) -> Int64 {
        if snapshots.contains(chainID) { try verifyDiffID(of: blob, is: diffID) }
        if snapshots.contains(chainID),
           let size = try db.query("SELECT size FROM snapshots WHERE chain_id = ?", [.text(chainID.hex)]).first?.int("size") {
            return size
        }
        if snapshots.contains(chainID) {
            // On disk from an interrupted import but not recorded: measure it again.
            return FileSystem.diskUsage(snapshots.path(of: chainID))
        }
        let fd = try content.open(blob.digest)
        return try snapshots.create(chainID: chainID, from: fd, expectedDigest: blob.digest, expectedDiffID: diffID, limits: limits).size
    }
}

extension ImageStore {
    /// When a layer's snapshot already exists its blob is not unpacked again, so check here that the
    /// blob really is that layer: an uncompressed blob must hash to the diff ID, a compressed one is
    /// decompressed and hashed (once: a blob already recorded was checked when it arrived).
    fileprivate func verifyDiffID(of blob: LayerBlob, is diffID: Digest) throws(LighterError) {
        if blob.digest == diffID { return }
        if try !db.query("SELECT 1 FROM image_layers WHERE blob_digest = ? AND diff_id = ?", [.text(blob.digest.hex), .text(diffID.hex)]).isEmpty {
            return
        }
        let source = try content.open(blob.digest)
        let sink = try FileDescriptor(path: "/dev/null", flags: O_WRONLY)
        let stream = try LayerStream.decompress(from: source, to: sink, limits: limits)
        guard stream.input == blob.digest else {
            throw .digestMismatch(what: "layer blob", expected: blob.digest.description, actual: stream.input.description)
        }
        guard stream.output == diffID else {
            throw .digestMismatch(what: "uncompressed layer (diff ID)", expected: diffID.description, actual: stream.output.description)
        }
    }
}

/// Reads only `mediaType` out of a manifest or index.
struct MediaTypeProbe: Decodable {
    let mediaType: String?
}
