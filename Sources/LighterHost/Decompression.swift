import CArchive
import LighterSystem

/// Decompression through libarchive's "raw" format with every filter enabled: gzip, xz, zstd,
/// bzip2 or plain bytes all come out as plain bytes.
enum Decompression {
    /// The largest decompressed size accepted (kernel configs are a few hundred KiB).
    static let limit = 32 * 1024 * 1024

    static func decompress(_ bytes: [UInt8], what: String) throws(LighterError) -> [UInt8] {
        guard let archive = archive_read_new() else {
            throw .limitExceeded("libarchive could not allocate a reader for \(what)")
        }
        defer { archive_read_free(archive) }
        archive_read_support_filter_all(archive)
        archive_read_support_format_raw(archive)
        let result: Result<[UInt8], LighterError> = bytes.withUnsafeBytes { buffer in
            guard archive_read_open_memory(archive, buffer.baseAddress, buffer.count) == ARCHIVE_OK else {
                return .failure(.malformed(what: what, reason: errorString(archive)))
            }
            var entry: OpaquePointer?
            guard archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
                return .failure(.malformed(what: what, reason: errorString(archive)))
            }
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                if n == 0 { return .success(output) }
                if n < 0 { return .failure(.malformed(what: what, reason: errorString(archive))) }
                output.append(contentsOf: chunk[0..<n])
                if output.count > limit {
                    return .failure(.limitExceeded("\(what) decompresses to more than \(limit / 1024 / 1024) MiB"))
                }
            }
        }
        return try result.get()
    }

    private static func errorString(_ archive: OpaquePointer) -> String {
        if let message = archive_error_string(archive) { return String(cString: message) }
        return "libarchive error \(archive_errno(archive))"
    }
}
