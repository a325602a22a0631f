import LighterOCI

/// Bounds on what one layer stream may expand to (a gzip/zstd bomb guard).
public struct LayerLimits: Sendable {
    /// The most bytes the uncompressed tar stream may hold.
    public var maxUncompressedBytes: Int64

    public init(maxUncompressedBytes: Int64 = 32 << 30) {
        self.maxUncompressedBytes = maxUncompressedBytes
    }
}

/// What `LayerApplier.apply` read and unpacked.
public struct AppliedLayer: Sendable, Equatable {
    /// sha256 of the uncompressed tar stream (the image config's `rootfs.diff_ids` entry).
    public let diffID: Digest
    /// sha256 of the bytes as read (compressed or not): the layer's blob digest.
    public let digest: Digest
    /// Bytes read from the source.
    public let size: Int64
    /// Bytes of the uncompressed tar stream.
    public let uncompressedSize: Int64
    /// Compression recognised from the stream's first bytes.
    public let compression: Compression

    public init(diffID: Digest, digest: Digest, size: Int64, uncompressedSize: Int64, compression: Compression) {
        self.diffID = diffID
        self.digest = digest
        self.size = size
        self.uncompressedSize = uncompressedSize
        self.compression = compression
    }
}
