#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

extension ContentStore {
    /// Move a file that already sits on the store's file system (e.g. unpacked from a `load` archive
    /// into the ingest directory) into the blob store, after hashing it; `expected` is checked when given.
    /// The file is consumed either way.
    @discardableResult
    public func adopt(_ path: String, expected: Digest?, what: String) throws(LighterError) -> (Digest, Int64) {
        defer { _ = unlink(path) }
        let fd = try FileDescriptor(path: path, flags: O_RDONLY)
        var hasher = SHA256Hasher()
        let size = try fd.readChunks { hasher.update($0) }
        let digest = hasher.finalize()
        if let expected, expected != digest {
            throw .digestMismatch(what: what, expected: expected.description, actual: digest.description)
        }
        let target = self.path(of: digest)
        if !FileSystem.exists(target) {
            try fd.sync()
            try FileSystem.rename(path, to: target)
            try FileSystem.syncDirectory(paths.blobs)
        }
        return (digest, size)
    }
}
