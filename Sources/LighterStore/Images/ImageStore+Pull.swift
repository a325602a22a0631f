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

    public func downloadLockPath(for digest: Digest) -> String { "\(downloadsDirectory)/\(digest.hex).lock" }

    /// Take the per-blob download lock (another process pulling the same blob waits for it).
    /// Returns nil while another process holds it, so async callers can wait without blocking a thread.
    /// The lock's file goes when its holder is done (`releaseDownloadLock`, or `system prune` after a
    /// crash), so a lock taken on a file removed meanwhile is no lock: it is taken again on the file
    /// now at the path.
    public func tryLockDownload(_ digest: Digest) throws(LighterError) -> FileDescriptor? {
        try FileSystem.makeDirectories(downloadsDirectory, mode: 0o700)
        let lockPath = downloadLockPath(for: digest)
        while true {
            let fd = try FileDescriptor(path: lockPath, flags: O_RDWR | O_CREAT, mode: 0o600)
            if let code = try syscallTolerating("flock", lockPath, [EWOULDBLOCK], { flock(fd.rawValue, LOCK_EX | LOCK_NB) }) {
                _ = code
                return nil
            }
            let held = try fd.stat()
            if let current = FileSystem.lstatOrNil(lockPath), current.st_ino == held.st_ino, current.st_dev == held.st_dev {
                return fd
            }
        }
    }

    /// Release a download lock and remove its file (while it is still held, so no one else holds it).
    public func releaseDownloadLock(_ lock: FileDescriptor, digest: Digest) throws(LighterError) {
        try FileSystem.remove(downloadLockPath(for: digest))
        try lock.close()
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

    /// `system prune`: delete partial downloads no pull is working on (their blob lock is free), and
    /// the lock files of pulls that were killed; returns the bytes freed.
    @discardableResult
    public func removePartialDownloads() throws(LighterError) -> Int64 {
        var freed: Int64 = 0
        for (path, size) in try partialDownloads() {
            let hex = String(FileSystem.basename(of: path).dropLast(".partial".count))
            guard let digest = try? Digest(hex: hex), let lock = try tryLockDownload(digest) else { continue }
            try FileSystem.remove(path)
            try releaseDownloadLock(lock, digest: digest)
            freed += size
        }
        guard FileSystem.isDirectory(downloadsDirectory) else { return freed }
        for name in try FileSystem.list(downloadsDirectory) where name.hasSuffix(".lock") {
            guard let digest = try? Digest(hex: String(name.dropLast(".lock".count))), let lock = try tryLockDownload(digest) else { continue }
            try releaseDownloadLock(lock, digest: digest)
        }
        return freed
    }
}
