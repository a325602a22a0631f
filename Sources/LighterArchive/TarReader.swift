import CArchive
import LighterSystem

/// One member of a tar read by `TarReader`.
public struct TarEntry: Sendable, Equatable {
    public enum EntryType: Sendable, Equatable { case file, directory, symlink, hardlink, other }

    /// The member name, cleaned: no leading "/" or "./", no "." components, never climbing with "..";
    /// "." for the archive root.
    public let name: String
    public let type: EntryType
    /// Bytes of data (0 for everything but files).
    public let size: Int64
    /// Target of a symlink (as written) or hardlink (cleaned like `name`).
    public let linkTarget: String?
}

/// A sequential tar reader (for `load` of docker-archive and OCI-layout tars), gzip/zstd/bzip2/xz recognised
/// from the magic bytes. Names that would climb out of the archive with ".." are refused with `.unsafeArchive`.
public final class TarReader {
    private let stream: UncompressedStream
    private let tar: ArchiveReadHandle
    private var current: TarEntry?

    public init(readingFrom fd: FileDescriptor, limits: LayerLimits = LayerLimits()) throws(LighterError) {
        let input = try HashingInput(fd: fd)
        stream = try UncompressedStream(input: input, limits: limits, what: "tar archive")
        tar = try ArchiveReadHandle(format: .tar, compression: .none, what: "tar archive")
        if !stream.isEmpty { try stream.open(tar.archive) }
    }

    /// The next member, or nil at the end of the archive. Unread data of the previous member is skipped.
    public func next() throws(LighterError) -> TarEntry? {
        if stream.isEmpty { return nil }
        var header: OpaquePointer?
        let status = archive_read_next_header(tar.archive, &header)
        if status == ARCHIVE_EOF { current = nil; return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let header else { throw failure() }
        guard let raw = archive_entry_pathname(header) ?? archive_entry_pathname_utf8(header) else {
            throw .malformed(what: "tar archive", reason: "entry without a name")
        }
        let rawName = String(cString: raw)
        let name = try LayerPath(member: Array(rawName.utf8), entry: rawName).text
        let type: TarEntry.EntryType
        var linkTarget: String?
        if let link = archive_entry_hardlink(header) ?? archive_entry_hardlink_utf8(header) {
            type = .hardlink
            let target = String(cString: link)
            linkTarget = try LayerPath(member: Array(target.utf8), entry: rawName, what: "hardlink target \"\(target)\"").text
        } else {
            switch archive_entry_filetype(header) & 0o170000 {
            case 0o100000: type = .file
            case 0o040000: type = .directory
            case 0o120000:
                type = .symlink
                linkTarget = (archive_entry_symlink(header) ?? archive_entry_symlink_utf8(header)).map { String(cString: $0) }
            default: type = .other
            }
        }
        let entry = TarEntry(name: name, type: type, size: type == .file ? archive_entry_size(header) : 0,
                             linkTarget: linkTarget)
        current = entry
        return entry
    }

    /// All data of the current member, refusing more than `maxBytes` (manifests and configs are small).
    public func readData(maxBytes: Int = 64 << 20) throws(LighterError) -> [UInt8] {
        guard let current else { throw .invalidArgument("TarReader.readData called with no current entry") }
        guard current.size <= Int64(maxBytes) else {
            throw .limitExceeded("tar member \"\(current.name)\" holds \(current.size) bytes, more than \(maxBytes)")
        }
        var result: [UInt8] = []
        result.reserveCapacity(Int(current.size))
        try readChunks { (chunk) throws(LighterError) in
            guard result.count + chunk.count <= maxBytes else {
                throw .limitExceeded("tar member \"\(current.name)\" holds more than \(maxBytes) bytes")
            }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// Copy the current member's data to `fd`; returns the bytes written.
    public func copyData(to fd: FileDescriptor) throws(LighterError) -> Int64 {
        var total: Int64 = 0
        try readChunks { (chunk) throws(LighterError) in
            try fd.write(chunk)
            total += Int64(chunk.count)
        }
        return total
    }

    private func readChunks(_ body: (UnsafeRawBufferPointer) throws(LighterError) -> Void) throws(LighterError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            // archive_read_data fills sparse holes with zeros.
            let n = archive_read_data(tar.archive, buffer.baseAddress, buffer.count)
            if n == 0 { return }
            guard n > 0 else { throw failure() }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    private func failure() -> LighterError {
        stream.failure ?? ArchiveError.from(tar.archive, what: "tar archive")
    }
}
