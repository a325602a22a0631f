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
        for directory in [paths.blobs, paths.ingest, paths.snapshots, paths.snapshotsTemp, paths.containers] {
            try FileSystem.makeDirectories(directory, mode: 0o700)
        }
        content = ContentStore(paths: paths)
        snapshots = SnapshotStore(paths: paths)
        db = dataRoot.database
        self.limits = limits
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
    public var layers: [LayerRecord]
    /// Unpacked size of all its layers.
    public var size: Int64 { layers.reduce(0) { $0 + $1.size } }
    public var createdSeconds: Int64 { created.flatMap(Time.parseRFC3339) ?? addedAt }
}
