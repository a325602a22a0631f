import LighterOCI

/// Bounds on what one layer stream may expand to (a gzip/zstd bomb guard): an absolute size, a ratio
/// of decompressed to compressed bytes, and the free space of the file system it is written to.
public struct LayerLimits: Sendable {
    /// The most bytes the uncompressed tar stream may hold.
    public var maxUncompressedBytes: Int64
    /// The most decompressed bytes per compressed byte read so far (0: no limit). gzip cannot exceed
    /// ~1032:1; real layers stay under ~20:1, a file of zeros reaches ~1000:1.
    public var maxExpansionRatio: Int64
    /// Up to this many decompressed bytes the ratio is not checked (small layers of zeros are fine).
    public var ratioAllowance: Int64
    /// A path on the file system the expanded bytes go to (the data root): nil, not checked.
    public var diskPath: String?
    /// Free space that must remain on `diskPath`'s file system while a layer expands.
    public var diskReserve: Int64

    public static let defaultDiskReserve: Int64 = 256 << 20

    public init(maxUncompressedBytes: Int64 = 32 << 30, maxExpansionRatio: Int64 = 100, ratioAllowance: Int64 = 64 << 20,
                diskPath: String? = nil, diskReserve: Int64 = LayerLimits.defaultDiskReserve) {
        self.maxUncompressedBytes = maxUncompressedBytes
        self.maxExpansionRatio = maxExpansionRatio
        self.ratioAllowance = ratioAllowance
        self.diskPath = diskPath
        self.diskReserve = diskReserve
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
    /// Where a gzip layer's files lie in its blob (nil for other compressions).
    public let index: LayerIndex?
    /// Files hard-linked from another snapshot rather than written.
    public let linkedFiles: Int

    public init(diffID: Digest, digest: Digest, size: Int64, uncompressedSize: Int64, compression: Compression,
                index: LayerIndex? = nil, linkedFiles: Int = 0) {
        self.index = index
        self.linkedFiles = linkedFiles
        self.diffID = diffID
        self.digest = digest
        self.size = size
        self.uncompressedSize = uncompressedSize
        self.compression = compression
    }
}
