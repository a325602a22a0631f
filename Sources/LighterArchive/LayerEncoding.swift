#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import LighterOCI
import LighterSystem

/// How a layer blob is made from its uncompressed tar, when Lighter can make it again byte for byte:
/// a plain tar (`identity`), or gzip as Lighter's own builder writes it (libarchive's gzip filter,
/// no time in the header) at a level from 1 to 9 (`gzip-N`). A delta rebuilds the tar; this makes the
/// blob whose digest the target's manifest names. Blobs made by other tools (Go's gzip, pigz) cannot
/// be made again: their layers are fetched whole.
public enum LayerEncoding: Sendable, Equatable, CustomStringConvertible {
    case identity
    case gzip(level: Int)

    public init(parsing text: String) throws(LighterError) {
        if text == "identity" {
            self = .identity
        } else if text.hasPrefix("gzip-"), let level = Int(text.dropFirst(5)), (1...9).contains(level) {
            self = .gzip(level: level)
        } else {
            throw .malformed(what: "layer delta", reason: "unknown layer encoding \"\(text)\" (this Lighter knows identity and gzip-1 … gzip-9)")
        }
    }

    public var description: String {
        switch self {
        case .identity: return "identity"
        case let .gzip(level): return "gzip-\(level)"
        }
    }

    /// The encodings worth trying for a blob whose first bytes are `head`: the builder's level first.
    public static func candidates(forHead head: [UInt8]) -> [LayerEncoding] {
        switch Compression.detect(head) {
        case .none: return [.identity]
        case .gzip: return [1, 6, 9, 2, 3, 4, 5, 7, 8].map { .gzip(level: $0) }
        default: return []
        }
    }

    /// True when encoding `tar` gives exactly `blob`: compared as the encoder writes, so a blob made
    /// by another tool is told apart within its first bytes, not after a whole layer's compression.
    public func reproduces(_ blob: UnsafeRawBufferPointer, from tar: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .identity:
            return blob.count == tar.count && (blob.count == 0 || memcmp(blob.baseAddress!, tar.baseAddress!, blob.count) == 0)
        case let .gzip(level):
            guard let sink = try? FileDescriptor(path: "/dev/null", flags: O_WRONLY),
                  let written = try? Self.gzip(tar, level: level, to: sink, expected: blob) else { return false }
            return written.size == Int64(blob.count)
        }
    }

    /// Encode `tar` into `output`; returns the digest and size of what was written.
    public func encode(_ tar: UnsafeRawBufferPointer, to output: FileDescriptor) throws(LighterError) -> (digest: Digest, size: Int64) {
        switch self {
        case .identity:
            var hasher = SHA256Hasher()
            hasher.update(tar)
            try output.write(tar)
            return (hasher.finalize(), Int64(tar.count))
        case let .gzip(level):
            return try Self.gzip(tar, level: level, to: output)
        }
    }

    private static func gzip(_ tar: UnsafeRawBufferPointer, level: Int, to output: FileDescriptor,
                             expected: UnsafeRawBufferPointer? = nil) throws(LighterError) -> (digest: Digest, size: Int64) {
        let sink = EncodedSink(fd: output, expected: expected)
        guard let archive = archive_write_new() else { throw .system(call: "archive_write_new", path: nil, errno: ENOMEM) }
        defer { archive_write_free(archive) }
        guard archive_write_set_format_raw(archive) == ARCHIVE_OK,
              archive_write_add_filter_gzip(archive) == ARCHIVE_OK,
              archive_write_set_filter_option(archive, "gzip", "compression-level", "\(level)") == ARCHIVE_OK,
              archive_write_set_bytes_per_block(archive, 0) == ARCHIVE_OK,
              archive_write_set_filter_option(archive, "gzip", "timestamp", nil) != ARCHIVE_FATAL,
              archive_write_open(archive, Unmanaged.passUnretained(sink).toOpaque(), nil, encodedWrite, nil) == ARCHIVE_OK else {
            throw sink.failure ?? failure(archive)
        }
        guard let entry = archive_entry_new() else { throw .system(call: "archive_entry_new", path: nil, errno: ENOMEM) }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, "layer.tar")
        archive_entry_set_filetype(entry, UInt32(POSIX.regularFileType))
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw sink.failure ?? failure(archive) }
        var offset = 0
        while offset < tar.count {
            // The builder's tar writer hands the gzip filter 10240-byte blocks: so do we.
            let length = min(10240, tar.count - offset)
            let written = archive_write_data(archive, tar.baseAddress! + offset, length)
            guard written > 0 else { throw sink.failure ?? failure(archive) }
            offset += written
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw sink.failure ?? failure(archive) }
        if let failure = sink.failure { throw failure }
        return (sink.hasher.finalize(), sink.size)
    }

    private static func failure(_ archive: OpaquePointer) -> LighterError {
        .malformed(what: "layer compression", reason: archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error")
    }
}

/// Where `LayerEncoding.gzip` writes: the file, through a hasher.
final class EncodedSink {
    let fd: FileDescriptor
    var hasher = SHA256Hasher()
    var size: Int64 = 0
    var failure: LighterError?
    /// When set, every byte written must equal these, in order (else the write fails).
    let expected: UnsafeRawBufferPointer?
    init(fd: FileDescriptor, expected: UnsafeRawBufferPointer? = nil) {
        self.fd = fd
        self.expected = expected
    }
}

private func encodedWrite(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                          _ buffer: UnsafeRawPointer?, _ length: Int) -> la_ssize_t {
    let sink = Unmanaged<EncodedSink>.fromOpaque(context!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
    if let expected = sink.expected {
        guard sink.size + Int64(length) <= Int64(expected.count),
              length == 0 || memcmp(expected.baseAddress! + Int(sink.size), buffer!, length) == 0 else {
            sink.failure = .digestMismatch(what: "layer encoding", expected: "the blob's bytes", actual: "other bytes at offset \(sink.size)")
            return -1
        }
    }
    do throws(LighterError) {
        try sink.fd.write(bytes)
    } catch {
        sink.failure = error
        return -1
    }
    sink.hasher.update(bytes)
    sink.size += Int64(length)
    return length
}
