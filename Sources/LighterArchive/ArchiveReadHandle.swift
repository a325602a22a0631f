#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import LighterSystem

/// A libarchive read handle that frees itself.
final class ArchiveReadHandle {
    let archive: OpaquePointer

    /// A reader of `format` ("raw" or "tar") whose only decompression filter is the one for `compression`,
    /// so no other filter (compress, uu, lzip, ...) ever bids on the input.
    init(format: Format, compression: Compression, what: String) throws(LighterError) {
        guard let archive = archive_read_new() else { throw .system(call: "archive_read_new", path: nil, errno: ENOMEM) }
        self.archive = archive
        let filterStatus: Int32
        switch compression {
        case .none: filterStatus = ARCHIVE_OK
        case .gzip: filterStatus = archive_read_support_filter_gzip(archive)
        case .zstd: filterStatus = archive_read_support_filter_zstd(archive)
        case .bzip2: filterStatus = archive_read_support_filter_bzip2(archive)
        case .xz: filterStatus = archive_read_support_filter_xz(archive)
        }
        // ARCHIVE_WARN means libarchive would fork an external program: not in this process.
        guard filterStatus == ARCHIVE_OK else {
            throw .unsupported(feature: "\(compression.rawValue) decompression in libarchive",
                               fix: "use a libarchive built with \(compression.rawValue) support")
        }
        let formatStatus: Int32
        switch format {
        case .raw: formatStatus = archive_read_support_format_raw(archive)
        case .tar: formatStatus = archive_read_support_format_tar(archive)
        }
        guard formatStatus == ARCHIVE_OK else { throw ArchiveError.from(archive, what: what) }
    }

    enum Format { case raw, tar }

    deinit { archive_read_free(archive) }
}
