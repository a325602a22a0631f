#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import LighterOCI
import LighterSystem

/// The decompressed bytes of a stream: a libarchive reader with the detected decompression filter and the
/// `raw` format over a `HashingInput` (gzip: `GzipStreamDecoder`, which notes where members start). Every decompressed byte is hashed and counted exactly once, and the
/// count is held to `limit` while streaming (a gzip bomb stops at the limit, not at the end of the disk).
final class UncompressedStream {
    let input: HashingInput
    private let handle: ArchiveReadHandle?
    private let gzip: GzipStreamDecoder?
    private var hasher = SHA256Hasher()
    private(set) var count: Int64 = 0
    private let limit: Int64
    private let limits: LayerLimits
    /// The decompressed count at which the disk's free space is looked at next.
    private var nextDiskCheck: Int64 = 0
    private let what: String
    private var finished = false
    /// The error behind a failed read, so callers throw it rather than libarchive's generic message.
    var failure: LighterError?

    init(input: HashingInput, limits: LayerLimits, what: String) throws(LighterError) {
        self.input = input
        self.limit = limits.maxUncompressedBytes
        self.limits = limits
        self.what = what
        if input.compression == .gzip {
            handle = nil
            gzip = try GzipStreamDecoder(input: input, what: what)
        } else {
            handle = try ArchiveReadHandle(format: .raw, compression: input.compression, what: what)
            gzip = nil
        }
        if input.count == 0 {
            finished = true
            isEmpty = true
            return
        }
        if let handle {
            try input.open(handle.archive, what: what)
            var entry: OpaquePointer?
            let status = archive_read_next_header(handle.archive, &entry)
            if status == ARCHIVE_EOF {
                finished = true
            } else if status != ARCHIVE_OK {
                throw input.failure ?? ArchiveError.from(handle.archive, what: what)
            }
        }
        // Look at the first chunk now, so an empty stream is known before a tar reader bids on it.
        let first = try read()
        pending = first
        isEmpty = first.isEmpty
    }

    /// The first chunk, read by `init` and handed out by the first `next()`.
    private var pending: UnsafeRawBufferPointer?
    /// The stream holds no bytes at all (a zero-length layer, which Go's and GNU tar read as an empty archive).
    private(set) var isEmpty = false

    /// The next decompressed chunk (empty at the end). Valid until the next call.
    func next() throws(LighterError) -> UnsafeRawBufferPointer {
        if let chunk = pending {
            pending = nil
            return chunk
        }
        return try read()
    }

    /// Where each gzip member started (empty for other compressions).
    var members: [GzipMemberStart] { gzip?.members ?? [] }
    /// Where the gzip data ended in the input, once read to its end.
    var gzipEnd: Int64 { gzip?.end ?? 0 }

    private func read() throws(LighterError) -> UnsafeRawBufferPointer {
        if finished { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let handle else {
            let chunk = try gzip!.next()
            if chunk.isEmpty {
                finished = true
                return chunk
            }
            return try account(chunk)
        }
        var block: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        let status = archive_read_data_block(handle.archive, &block, &size, &offset)
        if status == ARCHIVE_EOF {
            finished = true
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            throw input.failure ?? ArchiveError.from(handle.archive, what: what)
        }
        // The raw format yields the stream in order; a gap would mean bytes we did not hash.
        guard offset == count else {
            throw .malformed(what: what, reason: "decompressor skipped from offset \(count) to \(offset)")
        }
        return try account(UnsafeRawBufferPointer(start: block, count: size))
    }

    private func account(_ chunk: UnsafeRawBufferPointer) throws(LighterError) -> UnsafeRawBufferPointer {
        count += Int64(chunk.count)
        if count > limit {
            throw .limitExceeded("\(what) decompresses to more than \(limit) bytes (maxUncompressedBytes)")
        }
        try checkExpansion()
        // A plain tar is its input: the input's digest is the stream's (no second hash).
        if input.compression != .none { hasher.update(chunk) }
        return chunk
    }

    /// A decompression bomb stops here: more than `maxExpansionRatio` decompressed bytes per compressed
    /// byte read (past `ratioAllowance`), or less than `diskReserve` free where the bytes go (looked at
    /// every 8 MiB; what this layer wrote so far is counted there already).
    private func checkExpansion() throws(LighterError) {
        let ratio = limits.maxExpansionRatio
        if ratio > 0, count > limits.ratioAllowance, count / max(input.count, 1) > ratio {
            throw .limitExceeded("\(what) expands more than \(ratio) times (\(input.count) compressed bytes gave \(count) so far): "
                                 + "a decompression bomb, or a layer of unusually repetitive data (the limit is LIGHTER_MAX_EXPANSION_RATIO)")
        }
        guard let path = limits.diskPath, count >= nextDiskCheck else { return }
        nextDiskCheck = count + (8 << 20)
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        if free < limits.diskReserve {
            throw .limitExceeded("\(what) does not fit: \(free >> 20) MiB left on the file system of \(path) after \(count >> 20) MiB "
                                 + "decompressed, and \(limits.diskReserve >> 20) MiB must stay free (LIGHTER_DISK_RESERVE)")
        }
    }

    /// Read to the end of the decompressed stream and then of the raw input, so both digests cover every byte.
    func drain() throws(LighterError) {
        while try !next().isEmpty {}
        try input.drain()
    }

    var digest: Digest { input.compression == .none ? input.digest : hasher.finalize() }

    /// Hook this stream up as the read callback of a second archive (the tar reader).
    func open(_ archive: OpaquePointer) throws(LighterError) {
        let status = archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, uncompressedStreamRead, nil)
        if status != ARCHIVE_OK { throw failure ?? ArchiveError.from(archive, what: what) }
    }
}

private func uncompressedStreamRead(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                                    _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t {
    let stream = Unmanaged<UncompressedStream>.fromOpaque(context!).takeUnretainedValue()
    do {
        let chunk = try stream.next()
        out?.pointee = chunk.baseAddress
        return chunk.count
    } catch {
        stream.failure = error
        return -1
    }
}
