#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterSystem

extension ImageStore {
    /// Resumable downloads: `downloads/<hex>.partial`. Garbage collection leaves this directory
    /// alone (an interrupted pull resumes from it); nothing here is used before it is verified.
    public var downloadsDirectory: String { "\(paths.root)/downloads" }

    public func partialDownloadPath(for digest: Digest) -> String { "\(downloadsDirectory)/\(digest.hex).partial" }

    /// Take the per-blob download lock (another process pulling the same blob waits for it).
    /// Returns nil while another process holds it, so async callers can wait without blocking a thread.
    public func tryLockDownload(_ digest: Digest) throws(LighterError) -> FileDescriptor? {
        try FileSystem.makeDirectories(downloadsDirectory, mode: 0o700)
        let lockPath = "\(downloadsDirectory)/\(digest.hex).lock"
        let fd = try FileDescriptor(path: lockPath, flags: O_RDWR | O_CREAT, mode: 0o600)
        if let code = try syscallTolerating("flock", lockPath, [EWOULDBLOCK], { flock(fd.rawValue, LOCK_EX | LOCK_NB) }) {
            _ = code
            return nil
        }
        return fd
    }

    /// Move a downloaded blob, already verified against `digest` and fsynced by the downloader,
    /// into the content store. The caller holds the shared store lock (so GC cannot race it).
    public func adoptVerifiedDownload(_ path: String, digest: Digest) throws(LighterError) {
        let target = content.path(of: digest)
        if FileSystem.exists(target) {
            try FileSystem.remove(path)
            return
        }
        try FileSystem.rename(path, to: target)
        try FileSystem.syncDirectory(paths.blobs)
    }

    /// Unpack one downloaded layer blob as snapshot `chainID` while the rest of the image is still
    /// downloading; returns its size, or nil when the snapshot already exists (then `addImage` checks
    /// it against the blob). The blob's digest and the diff ID are verified while unpacking.
    public func unpackPulledLayer(_ blob: LayerBlob, chainID: Digest, diffID: Digest) throws(LighterError) -> Int64? {
        if snapshots.contains(chainID) { return nil }
        let fd = try content.open(blob.digest)
        return try snapshots.create(chainID: chainID, from: fd, expectedDigest: blob.digest, expectedDiffID: diffID, limits: limits).size
    }

    /// Partial downloads left by interrupted pulls, and their size (for `system prune` and `system df`).
    public func partialDownloads() throws(LighterError) -> [(path: String, size: Int64)] {
        guard FileSystem.isDirectory(downloadsDirectory) else { return [] }
        return try FileSystem.list(downloadsDirectory).filter { $0.hasSuffix(".partial") }.map { name in
            let path = "\(downloadsDirectory)/\(name)"
            return (path, Int64(FileSystem.lstatOrNil(path)?.st_size ?? 0))
        }
    }

    /// `system prune`: delete partial downloads no pull is working on (their blob lock is free);
    /// returns the bytes freed.
    @discardableResult
    public func removePartialDownloads() throws(LighterError) -> Int64 {
        var freed: Int64 = 0
        for (path, size) in try partialDownloads() {
            let hex = String(FileSystem.basename(of: path).dropLast(".partial".count))
            guard let digest = try? Digest(hex: hex), let lock = try tryLockDownload(digest) else { continue }
            try FileSystem.remove(path)
            withExtendedLifetime(lock) {}
            freed += size
        }
        return freed
    }
}
