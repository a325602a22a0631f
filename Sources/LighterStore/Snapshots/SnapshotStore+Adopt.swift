#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

extension SnapshotStore {
    /// Make `directory` — already in overlayfs form, on the data root's filesystem (a build
    /// container's upper directory, just committed as layer `chainID`) — that snapshot, by renaming
    /// it into place: no unpacking again. When the snapshot exists already, `directory` is removed.
    /// Returns the snapshot's size on disk.
    public func adopt(_ directory: String, as chainID: Digest) throws(LighterError) -> Int64 {
        let target = path(of: chainID)
        if contains(chainID) {
            try FileSystem.removeTree(directory)
            return FileSystem.diskUsage(target)
        }
        let size = FileSystem.diskUsage(directory)
        try FileSystem.syncDirectory(directory)
        if try syscallTolerating("rename", target, [EEXIST, ENOTEMPTY], { rename(directory, target) }) != nil {
            try FileSystem.removeTree(directory)
        }
        try FileSystem.syncDirectory(paths.snapshots)
        return size
    }
}
