#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem

/// Unpacked layers, one directory per chain ID under `snapshots/<chainID hex>`. Each directory holds
/// only its own layer's changes in overlayfs form; a container's root is an overlay of the chain.
/// Images that share a chain share the directories.
public struct SnapshotStore: Sendable {
    public let paths: StorePaths

    public init(paths: StorePaths) { self.paths = paths }

    public func path(of chainID: Digest) -> String { paths.snapshot(chainID.hex) }

    public func contains(_ chainID: Digest) -> Bool { FileSystem.isDirectory(path(of: chainID)) }

    /// Unpack the layer in `blob` as the snapshot `chainID`. The layer is unpacked into a private
    /// temporary directory and renamed into place only when complete and verified, so a failure
    /// (hostile entry, bad digest, crash) never leaves a half snapshot under its final name. A gzip
    /// layer's `LayerIndex` is kept beside it (written before the snapshot takes its name); `links`
    /// are snapshots whose files it may hard-link (see `LayerApplier.apply`).
    public func create(chainID: Digest, from blob: FileDescriptor, expectedDigest: Digest, expectedDiffID: Digest, limits: LayerLimits,
                       links: [LayerLinkSource] = [], layout: GzipLayout? = nil) throws(LighterError) -> (layer: AppliedLayer, size: Int64) {
        let temp = "\(paths.snapshotsTemp)/\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try syscall("mkdir", temp) { mkdir(temp, 0o755) }
        do throws(LighterError) {
            let layer = try LayerApplier.apply(from: blob, into: temp, expectedDigest: expectedDigest, limits: limits, links: links, layout: layout)
            guard layer.diffID == expectedDiffID else {
                throw LighterError.digestMismatch(what: "uncompressed layer (diff ID)", expected: expectedDiffID.description, actual: layer.diffID.description)
            }
            let size = FileSystem.diskUsage(temp)
            try FileSystem.syncDirectory(temp)
            if let index = layer.index {
                try FileSystem.writeDurably(index.encoded, to: paths.snapshotIndex(chainID.hex), mode: 0o600)
            }
            let target = path(of: chainID)
            if let code = try syscallTolerating("rename", target, [EEXIST, ENOTEMPTY], { rename(temp, target) }) {
                _ = code  // another process created the same snapshot first: keep theirs
                try FileSystem.removeTree(temp)
            }
            try FileSystem.syncDirectory(paths.snapshots)
            return (layer, size)
        } catch {
            try? FileSystem.removeTree(temp)
            throw error
        }
    }

    /// The `LayerIndex` of snapshot `chainID`, if it has one that reads.
    public func index(of chainID: Digest) -> LayerIndex? {
        guard let bytes = try? FileSystem.readFile(paths.snapshotIndex(chainID.hex)) else { return nil }
        return try? LayerIndex(decoding: bytes, what: "index of snapshot \(chainID.short)")
    }

    /// Snapshot directories on disk (finished ones; the temp area is not included).
    public func allOnDisk() throws(LighterError) -> [Digest] {
        try FileSystem.list(paths.snapshots).compactMap { try? Digest(hex: $0) }
    }

    public func remove(_ chainID: Digest) throws(LighterError) {
        try FileSystem.remove(paths.snapshotIndex(chainID.hex))
        // Rename out of the way first so a crash mid-removal never leaves a partial snapshot under its name.
        let doomed = "\(paths.snapshotsTemp)/rm-\(chainID.hex)-\(UInt32.random(in: 0...UInt32.max))"
        if try syscallTolerating("rename", path(of: chainID), [ENOENT], { rename(path(of: chainID), doomed) }) == nil {
            try FileSystem.removeTree(doomed)
        }
    }
}
