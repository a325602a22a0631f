#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

/// Blobs addressed by sha256 under `blobs/sha256/<hex>`. Content arrives through an ingest file
/// that is hashed while written; only content whose digest is verified is renamed into place,
/// so a blob with a wrong digest never becomes visible.
public struct ContentStore: Sendable {
    public let paths: StorePaths

    public init(paths: StorePaths) { self.paths = paths }

    public func path(of digest: Digest) -> String { paths.blob(digest.hex) }

    public func contains(_ digest: Digest) -> Bool { FileSystem.exists(path(of: digest)) }

    /// A file being written in the ingest directory; commit or discard it.
    // Unchecked: the hasher and byte count change with every write, and an ingest has one writer —
    // the task that began it writes, then commits or drops it; it is never shared between threads.
    public final class Ingest: @unchecked Sendable {
        public let path: String
        public let fd: FileDescriptor
        fileprivate var hasher = SHA256Hasher()
        fileprivate var written: Int64 = 0

        fileprivate init(path: String, fd: FileDescriptor) {
            self.path = path
            self.fd = fd
        }

        /// Write through the hasher.
        public func write(_ bytes: [UInt8]) throws(LighterError) {
            hasher.update(bytes)
            written += Int64(bytes.count)
            try fd.write(bytes)
        }

        deinit { _ = unlink(path) }
    }

    /// Open a new ingest file.
    public func beginIngest() throws(LighterError) -> Ingest {
        let path = "\(paths.ingest)/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o644)
        return Ingest(path: path, fd: fd)
    }

    /// Commit bytes written through `Ingest.write`, checking them against `expected` when given.
    @discardableResult
    public func commit(_ ingest: Ingest, expected: Digest? = nil, expectedSize: Int64? = nil, what: String = "blob") throws(LighterError) -> (Digest, Int64) {
        let digest = ingest.hasher.finalize()
        try commit(ingest, digest: digest, size: ingest.written, expected: expected, expectedSize: expectedSize, what: what)
        return (digest, ingest.written)
    }

    /// Commit an ingest file whose digest was computed by its producer as it wrote the bytes
    /// (e.g. a decompressor), checking it against `expected` when given.
    public func commit(_ ingest: Ingest, digest: Digest, size: Int64, expected: Digest? = nil, expectedSize: Int64? = nil, what: String = "blob") throws(LighterError) {
        if let expectedSize, expectedSize != size {
            throw .sizeMismatch(what: what, expected: expectedSize, actual: size)
        }
        if let expected, expected != digest {
            throw .digestMismatch(what: what, expected: expected.description, actual: digest.description)
        }
        let target = path(of: digest)
        if FileSystem.exists(target) { return }   // same content already stored; the ingest file goes away
        try ingest.fd.sync()
        try FileSystem.rename(ingest.path, to: target)
        try FileSystem.syncDirectory(paths.blobs)
    }

    /// Store small content (manifests, configs) held in memory.
    @discardableResult
    public func write(_ bytes: [UInt8], expected: Digest? = nil, what: String = "blob") throws(LighterError) -> Digest {
        let ingest = try beginIngest()
        try ingest.write(bytes)
        return try commit(ingest, expected: expected, expectedSize: nil, what: what).0
    }

    /// Read a whole blob and verify its digest before handing it out.
    public func read(_ digest: Digest) throws(LighterError) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path(of: digest))
        } catch let error {
            if case let .system(_, _, code) = error, code == ENOENT { throw .notFound(kind: "blob", name: digest.description) }
            throw error
        }
        let actual = Digest.of(bytes)
        guard actual == digest else {
            throw .digestMismatch(what: "stored blob \(digest) (the store is damaged; run `lighter system check`)", expected: digest.description, actual: actual.description)
        }
        return bytes
    }

    /// Open a blob for streaming (the reader verifies the digest as it reads).
    public func open(_ digest: Digest) throws(LighterError) -> FileDescriptor {
        do {
            return try FileDescriptor(path: path(of: digest), flags: O_RDONLY)
        } catch let error {
            if case let .system(_, _, code) = error, code == ENOENT { throw .notFound(kind: "blob", name: digest.description) }
            throw error
        }
    }

    /// Hash a stored blob from disk.
    public func verify(_ digest: Digest) throws(LighterError) -> Bool {
        var hasher = SHA256Hasher()
        try open(digest).readChunks { hasher.update($0) }
        return hasher.finalize() == digest
    }

    /// Every blob file on disk.
    public func allOnDisk() throws(LighterError) -> [Digest] {
        try FileSystem.list(paths.blobs).compactMap { try? Digest(hex: $0) }
    }
}
