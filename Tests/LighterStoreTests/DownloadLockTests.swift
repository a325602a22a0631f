import Testing
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

/// The per-blob download locks of `pull` (downloads/<hex>.lock): their files go with the download,
/// and `system prune` removes those of killed pulls, never one a pull holds. Before, every blob ever
/// pulled left its lock file behind for good (found by the power-cut harness's pull workload).
@Suite struct DownloadLockTests {
    @Test func aReleasedLockLeavesNoFile() throws {
        let t = try TestStore()
        let digest = Digest.of(Array("blob".utf8))
        let lock = try #require(try t.store.tryLockDownload(digest))
        #expect(FileSystem.exists(t.store.downloadLockPath(for: digest)))
        #expect(try t.store.tryLockDownload(digest) == nil, "a held lock is not taken twice")
        try t.store.releaseDownloadLock(lock, digest: digest)
        #expect(try FileSystem.list(t.store.downloadsDirectory).isEmpty)
        let again = try #require(try t.store.tryLockDownload(digest))
        try t.store.releaseDownloadLock(again, digest: digest)
    }

    @Test func pruneRemovesLocksOfKilledPullsButNotHeldOnes() throws {
        let t = try TestStore()
        let stale = Digest.of(Array("killed".utf8))
        let busy = Digest.of(Array("busy".utf8))
        // A pull killed mid-download leaves its lock file and its partial blob.
        let killed = try #require(try t.store.tryLockDownload(stale))
        try FileSystem.writeDurably([1, 2, 3], to: t.store.partialDownloadPath(for: stale))
        try killed.close()
        // A pull still at work holds its lock.
        let held = try #require(try t.store.tryLockDownload(busy))
        try FileSystem.writeDurably([4, 5], to: t.store.partialDownloadPath(for: busy))
        #expect(try t.store.removePartialDownloads() == 3)
        #expect(try FileSystem.list(t.store.downloadsDirectory) == ["\(busy.hex).lock", "\(busy.hex).partial"])
        // Its lock is still the one the working pull holds.
        #expect(try t.store.tryLockDownload(busy) == nil)
        try t.store.releaseDownloadLock(held, digest: busy)
        #expect(try t.store.removePartialDownloads() == 2)
        #expect(try FileSystem.list(t.store.downloadsDirectory).isEmpty)
    }
}
