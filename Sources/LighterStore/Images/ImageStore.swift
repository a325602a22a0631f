#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterDatabase
import LighterOCI
import LighterSystem

/// The image store: blobs, snapshots and their metadata under one data root.
///
/// Safety across processes: metadata changes are SQLite transactions (WAL, BEGIN IMMEDIATE);
/// adding content holds a shared `flock` on `lighter.lock` and garbage collection an exclusive one,
/// so GC never deletes a blob or snapshot that another process is adding.
public final class ImageStore: Sendable {
    public let paths: StorePaths
    public let content: ContentStore
    public let snapshots: SnapshotStore
    public let db: Database
    public let limits: LayerLimits

    /// The store of an opened data root, whose schemas include `ImageStore.schema` and the engine's.
    public init(dataRoot: DataRoot, limits: LayerLimits = LayerLimits()) throws(LighterError) {
        paths = StorePaths(root: dataRoot.root)
        for directory in [paths.blobs, paths.ingest, paths.snapshots, paths.snapshotsTemp, paths.snapshotIndexes, paths.containers] {
            try FileSystem.makeDirectories(directory, mode: 0o700)
        }
        content = ContentStore(paths: paths)
        snapshots = SnapshotStore(paths: paths)
        db = dataRoot.database
        self.limits = try Self.configured(limits, root: paths.root)
    }

    /// `limits` bounded by the data root's free space, with the user's settings from the environment:
    /// LIGHTER_DISK_RESERVE (free space kept while layers expand, e.g. `1g`; default 256 MiB) and
    /// LIGHTER_MAX_EXPANSION_RATIO (decompressed per compressed byte; 0 turns it off; default 100).
    static func configured(_ given: LayerLimits, root: String) throws(LighterError) -> LayerLimits {
        var limits = given
        if limits.diskPath == nil { limits.diskPath = root }
        if let text = getenv("LIGHTER_DISK_RESERVE").map({ String(cString: $0) }), !text.isEmpty {
            limits.diskReserve = text == "0" ? 0 : try ByteSize.parse(text, flag: "LIGHTER_DISK_RESERVE")
        }
        if let text = getenv("LIGHTER_MAX_EXPANSION_RATIO").map({ String(cString: $0) }), !text.isEmpty {
            guard let ratio = Int64(text), ratio >= 0 else {
                throw .invalidArgument("LIGHTER_MAX_EXPANSION_RATIO=\(text): give a whole number (0 turns the limit off)")
            }
            limits.maxExpansionRatio = ratio
        }
        return limits
    }

    /// Run `body` while holding the store lock: `.shared` to add content, `.exclusive` to delete it.
    public func withLock<T>(_ mode: FileLock.Mode, _ body: () throws(LighterError) -> T) throws(LighterError) -> T {
        let lock = try FileLock(path: paths.lockFile, mode: mode)
        defer { lock.release() }
        return try body()
    }
}

/// One layer of an image as the store records it.
public struct LayerRecord: Sendable, Equatable {
    public let diffID: Digest
    public let chainID: Digest
    public let blob: Digest
    public let mediaType: String
    public let blobSize: Int64
    public let size: Int64   // on disk, unpacked
}

/// An image as the store records it.
public struct ImageRecord: Sendable {
    public let id: Digest
    public let manifestDigest: Digest
    public let platform: String
    public let created: String?
    public let addedAt: Int64
    /// Fully qualified references that point at this image, sorted.
    public var tags: [String]
    /// Fully qualified digest references (`docker.io/library/busybox@sha256:…`) this image was
    /// pulled as or pushed to, one per repository, sorted: Docker's `RepoDigests`. They are rows of
    /// the `tags` table whose name holds an `@`, as Docker's reference store keeps them beside tags.
    public var repoDigests: [String] = []
    public var layers: [LayerRecord]
    /// The image it was built on (Docker's Parent: a build step's image names the previous step's).
    public var parent: Digest?
    /// True when another image names this one as its parent.
    public var hasChildren = false
    /// An untagged image another image was built on (a build's step image): `images` lists it only
    /// with -a, and `system df` counts it not, as Docker's.
    public var isHiddenIntermediate: Bool { tags.isEmpty && repoDigests.isEmpty && hasChildren }
    /// Unpacked size of all its layers.
    public var size: Int64 { layers.reduce(0) { $0 + $1.size } }
    public var createdSeconds: Int64 { created.flatMap(Time.parseRFC3339) ?? addedAt }
}
