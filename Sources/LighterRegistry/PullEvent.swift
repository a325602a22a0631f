import LighterOCI

/// What a pull reports as it goes (for progress bars, plain lines, or nothing).
public enum PullEvent: Sendable {
    /// The reference resolved to this manifest (and, from an index, this platform).
    case resolved(manifest: Digest, platform: Platform?)
    /// A layer the store already has.
    case layerExists(Digest)
    /// A layer to download, with what a previous interrupted pull left of it.
    case layerStarted(Digest, size: Int64)
    /// Bytes of a layer on disk so far.
    case layerProgress(Digest, bytes: Int64, size: Int64)
    /// A layer downloaded and verified.
    case layerVerified(Digest)
    /// All blobs are in; layers are being unpacked.
    case unpacking
    /// One line for the user: a delta used, unavailable or failed (and the full layers pulled instead).
    case notice(String)
}
