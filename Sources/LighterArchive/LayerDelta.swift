#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZstd
import LighterOCI
import LighterSystem

/// Binary deltas between uncompressed layer tars: one zstd frame per target layer, compressed with a
/// reference (the base image's uncompressed layers, one after the other) as its prefix, with
/// long-distance matching and a window that spans reference and target — the engine of
/// `zstd --patch-from`. The frame carries the target's size; applying it needs the same reference.
public enum LayerDelta {
    /// The compression level `delta create` uses (see docs/BENCHMARKS.md, "Delta updates").
    public static let defaultLevel: Int32 = 3
    /// zstd's largest window on 64-bit machines (2 GiB: reference and target together) and its smallest
    /// (ZSTD_WINDOWLOG_MAX_64 and _ABSOLUTEMIN, which zstd.h keeps for static linking only).
    static let maxWindowLog: Int32 = 31
    static let minWindowLog: Int32 = 10

    /// Compress `target` (a whole file) against `reference` into `output`; returns the delta's size.
    public static func create(target: MappedFile, reference: MappedFile, to output: FileDescriptor,
                              level: Int32 = defaultLevel) throws(LighterError) -> Int64 {
        guard let context = ZSTD_createCCtx() else { throw .system(call: "ZSTD_createCCtx", path: nil, errno: ENOMEM) }
        defer { ZSTD_freeCCtx(context) }
        let span = UInt64(max(1, reference.count + target.count))
        let windowLog = min(maxWindowLog, max(minWindowLog, Int32(64 - span.leadingZeroBitCount)))
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), "delta compression level")
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog), "delta window")
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_enableLongDistanceMatching, 1), "delta long-distance matching")
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), "delta checksum")
        try check(ZSTD_CCtx_setPledgedSrcSize(context, UInt64(target.count)), "delta size")
        try check(ZSTD_CCtx_refPrefix(context, reference.base, reference.count), "delta reference")
        let capacity = Int(ZSTD_CStreamOutSize())
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var input = ZSTD_inBuffer(src: target.base, size: target.count, pos: 0)
        var written: Int64 = 0
        while true {
            var out = ZSTD_outBuffer(dst: buffer, size: capacity, pos: 0)
            let remaining = ZSTD_compressStream2(context, &out, &input, ZSTD_e_end)
            try check(remaining, "delta compression")
            try output.write(UnsafeRawBufferPointer(start: buffer, count: out.pos))
            written += Int64(out.pos)
            if remaining == 0 { break }
        }
        return written
    }

    /// Rebuild a target layer from `delta` and `reference` into `output` (a new, empty file), which
    /// ends up holding exactly the frame's bytes: returns their digest and size. The size the frame
    /// announces is checked against `limits` before anything is written; a truncated or corrupt
    /// delta, or one made against another reference, fails (zstd's checksum covers the output).
    public static func apply(delta: MappedFile, reference: MappedFile, to output: FileDescriptor,
                             limits: LayerLimits) throws(LighterError) -> (digest: Digest, size: Int64) {
        guard delta.count > 0 else { throw .malformed(what: "layer delta", reason: "it is empty") }
        let announced = ZSTD_getFrameContentSize(delta.base, delta.count)
        // ZSTD_CONTENTSIZE_UNKNOWN and _ERROR are the two largest values of unsigned long long.
        guard announced < UInt64.max - 1 else {
            throw .malformed(what: "layer delta", reason: "it is not a zstd frame that states its size (truncated or not a delta)")
        }
        guard announced <= UInt64(limits.maxUncompressedBytes) else {
            throw .limitExceeded("a layer delta would rebuild \(announced) bytes, more than \(limits.maxUncompressedBytes) (LayerLimits)")
        }
        let size = Int(announced)
        if let path = limits.diskPath { try requireSpace(Int64(size), on: path, reserve: limits.diskReserve) }
        try output.truncate(to: Int64(size))
        let rebuilt = try MappedFile(fd: output, count: size, writable: true, what: "rebuilt layer")
        guard let context = ZSTD_createDCtx() else { throw .system(call: "ZSTD_createDCtx", path: nil, errno: ENOMEM) }
        defer { ZSTD_freeDCtx(context) }
        try check(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, maxWindowLog), "delta window")
        try check(ZSTD_DCtx_refPrefix(context, reference.base, reference.count), "delta reference")
        let produced = ZSTD_decompressDCtx(context, rebuilt.mutableBase, size, delta.base, delta.count)
        if ZSTD_isError(produced) != 0 {
            throw .malformed(what: "layer delta", reason: "\(String(cString: ZSTD_getErrorName(produced))) (a truncated or corrupt delta, or one made against another base)")
        }
        guard produced == size else {
            throw .sizeMismatch(what: "layer rebuilt from a delta", expected: Int64(size), actual: Int64(produced))
        }
        var hasher = SHA256Hasher()
        hasher.update(UnsafeRawBufferPointer(start: rebuilt.base, count: size))
        return (hasher.finalize(), Int64(size))
    }

    static func check(_ code: Int, _ what: String) throws(LighterError) {
        if ZSTD_isError(code) != 0 {
            throw .malformed(what: what, reason: String(cString: ZSTD_getErrorName(code)))
        }
    }

    static func requireSpace(_ bytes: Int64, on path: String, reserve: Int64) throws(LighterError) {
        var fs = statvfs()
        try syscall("statvfs", path) { statvfs(path, &fs) }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        guard free - bytes >= reserve else {
            throw .limitExceeded("rebuilding a layer of \(bytes) bytes would leave less than \(reserve) bytes free on \(path) (LIGHTER_DISK_RESERVE)")
        }
    }
}

/// A file mapped into memory (read-only, or shared and writable for an output of known size).
/// Mapped, not read: a reference of a few hundred MiB costs page cache the kernel can reclaim.
public final class MappedFile {
    public let count: Int
    let pointer: UnsafeMutableRawPointer?
    /// Keeps the file open as long as the mapping lives.
    let fd: FileDescriptor

    public var base: UnsafeRawPointer? { UnsafeRawPointer(pointer) }
    var mutableBase: UnsafeMutableRawPointer? { pointer }

    public convenience init(path: String, what: String) throws(LighterError) {
        let fd = try FileDescriptor(path: path, flags: O_RDONLY)
        try self.init(fd: fd, count: Int(try fd.stat().st_size), writable: false, what: what)
    }

    public init(fd: FileDescriptor, count: Int, writable: Bool, what: String) throws(LighterError) {
        self.fd = fd
        self.count = count
        if count == 0 {
            pointer = nil
            return
        }
        let mapped = mmap(nil, count, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd.rawValue, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw .system(call: "mmap", path: what, errno: errno)
        }
        pointer = mapped
    }

    /// Tell the kernel the whole mapping will be read, in order: it reads ahead at once instead of one
    /// fault at a time (a cold blob of 50 MB read through faults took longer than downloading it).
    public func willReadSequentially() {
        guard let pointer else { return }
        _ = madvise(pointer, count, MADV_SEQUENTIAL)
        _ = madvise(pointer, count, MADV_WILLNEED)
    }

    /// The mapped bytes as a buffer (empty for an empty file).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit { if let pointer { munmap(pointer, count) } }
}
