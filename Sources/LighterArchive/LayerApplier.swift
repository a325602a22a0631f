#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterSystem

/// Unpacking one layer into its own snapshot directory, as containerd's overlay snapshotter does: whiteouts
/// become overlayfs whiteouts (0/0 character devices, `trusted.overlay.opaque=y`), and the overlay mount stacks
/// the directories later.
public enum LayerApplier {
    /// Read a layer (tar, tar+gzip, tar+zstd — also bzip2/xz; recognised from the magic bytes) sequentially from
    /// `source` and unpack it into `directory`, which must exist and be empty.
    ///
    /// Owners (numeric uid/gid), permission bits (setuid/setgid/sticky included), xattrs, hardlinks, symlinks,
    /// devices, fifos and modification times are kept; directory times are set last. Parent directories the tar
    /// does not list are created 0755. Member names are relative to `directory`: a leading "/" is stripped (as
    /// Docker does) and ".." is resolved lexically — anything that would land outside `directory`, pass through
    /// a symlink, or link to something outside the layer is refused with `.unsafeArchive`; nothing is ever
    /// written outside `directory`. The whole stream is read to its end, so `digest` and `diffID` cover every byte.
    /// When `apply` returns, the unpacked files are on disk (syncfs of `directory`'s file system).
    ///
    /// Throws `.unsafeArchive`, `.malformed` (garbage, truncated gzip/zstd/tar), `.limitExceeded` (decompressed
    /// size over `limits.maxUncompressedBytes`), `.digestMismatch` (when `expectedDigest` is given and the bytes
    /// read hash to something else) or a system error. On ANY error `directory` holds a partial layer: the
    /// caller must remove it (e.g. `FileSystem.removeTree`) and must not use it.
    ///
    /// A gzip layer's result holds its `LayerIndex`. Files that `links` show to be byte for byte files of
    /// another snapshot are hard-linked from it instead of written (their bytes are still read and hashed).
    /// `layout`, for a source that is the tar of a gzip blob, places the index and the links in that blob.
    public static func apply(from source: FileDescriptor, into directory: String, expectedDigest: Digest?,
                             limits: LayerLimits, links: [LayerLinkSource] = [], layout: GzipLayout? = nil) throws(LighterError) -> AppliedLayer {
        let snapshot = try SnapshotDirectory(path: directory)
        let input = try HashingInput(fd: source)
        let stream = try UncompressedStream(input: input, limits: limits, what: "layer")
        let linker = links.isEmpty ? nil : try LayerLinker(links)
        let unpacker = try LayerUnpacker(snapshot: snapshot, stream: stream, linker: linker, members: layout?.members)
        try unpacker.unpackAll()
        // Trailing padding after the tar's end marker, and anything after the compressed stream.
        try stream.drain()
        try unpacker.setDirectoryTimes()
        // The store records the layer as unpacked next: it must survive a power cut from here on.
        try syscall("syncfs", directory) { lighter_syncfs(snapshot.root.rawValue) }
        let digest = input.digest
        if let expectedDigest, expectedDigest != digest {
            throw .digestMismatch(what: "layer", expected: expectedDigest.description, actual: digest.description)
        }
        return AppliedLayer(diffID: stream.digest, digest: digest, size: input.count,
                            uncompressedSize: stream.count, compression: input.compression,
                            index: unpacker.recorder.index(blob: layout?.blob ?? digest, members: layout?.members ?? stream.members,
                                                           end: unpacker.end, gzipEnd: layout?.gzipEnd ?? stream.gzipEnd, tarSize: stream.count),
                            linkedFiles: linker?.linked ?? 0)
    }
}
