#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import LighterSystem

/// A deterministic tar writer (for `save`): pax-restricted format (plain ustar headers unless a name or size
/// needs a pax record), uid/gid 0 with no user/group names, mode 0644 for files and 0755 for directories,
/// mtime 0 unless given, no padding after the end-of-archive marker. The same calls give the same bytes.
public final class TarWriter {
    private let archive: OpaquePointer
    private let output: TarWriterOutput
    private var finished = false
    /// Allow member names under a leading "./" and "./" itself (Docker's archive API names a directory's
    /// contents so, for its clients to rename them); other "." and ".." components stay refused.
    public var dotPrefixed = false

    public init(writingTo fd: FileDescriptor) throws(LighterError) {
        guard let archive = archive_write_new() else { throw .system(call: "archive_write_new", path: nil, errno: ENOMEM) }
        self.archive = archive
        output = TarWriterOutput(fd: fd)
        guard archive_write_set_format_pax_restricted(archive) == ARCHIVE_OK,
              archive_write_add_filter_none(archive) == ARCHIVE_OK,
              archive_write_set_bytes_per_block(archive, 10240) == ARCHIVE_OK,
              archive_write_set_bytes_in_last_block(archive, 1) == ARCHIVE_OK else {
            throw ArchiveError.from(archive, what: "tar output")
        }
        let status = archive_write_open(archive, Unmanaged.passUnretained(output).toOpaque(), nil, tarWriterWrite, nil)
        guard status == ARCHIVE_OK else { throw failure() }
    }

    deinit {
        // An unfinished archive is abandoned, not completed with an end marker by archive_write_free.
        if !finished { archive_write_fail(archive) }
        archive_write_free(archive)
    }

    public func addDirectory(_ name: String, mtime: Int64 = 0, permissions: mode_t = 0o755) throws(LighterError) {
        try writeHeader(name, type: S_IFDIR, permissions: permissions, size: 0, mtime: mtime)
        try finishEntry()
    }

    public func addFile(_ name: String, bytes: [UInt8], mtime: Int64 = 0) throws(LighterError) {
        try writeHeader(name, type: S_IFREG, permissions: 0o644, size: Int64(bytes.count), mtime: mtime)
        var failure: LighterError?
        bytes.withUnsafeBytes { buffer in
            do throws(LighterError) { try writeData(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        try finishEntry()
    }

    /// Stream the regular file at `path` into the archive as `name`.
    public func addFile(_ name: String, contentsOf path: String, mtime: Int64 = 0, permissions: mode_t = 0o644) throws(LighterError) {
        let fd = try FileDescriptor(path: path, flags: O_RDONLY)
        let st = try fd.stat()
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw .invalidArgument("\(path) is not a regular file; only regular files can be added to a tar")
        }
        let size = Int64(st.st_size)
        try writeHeader(name, type: S_IFREG, permissions: permissions, size: size, mtime: mtime)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var written: Int64 = 0
        while written < size {
            let n = try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), size - written))]))
            if n == 0 { break }
            try writeData(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            written += Int64(n)
        }
        guard written == size else { throw .sizeMismatch(what: path, expected: size, actual: written) }
        try finishEntry()
    }

    /// A symbolic link (docker-archive uses them for layers shared between images).
    public func addSymlink(_ name: String, target: String, mtime: Int64 = 0) throws(LighterError) {
        guard !target.isEmpty else { throw .invalidArgument("symlink \(name) has an empty target") }
        try writeHeader(name, type: S_IFLNK, permissions: 0o777, size: 0, mtime: mtime, symlink: target)
        try finishEntry()
    }

    /// Write the end-of-archive marker. The descriptor stays open (the caller owns it).
    public func finish() throws(LighterError) {
        guard !finished else { return }
        finished = true
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure() }
    }

    private func writeHeader(_ name: String, type: mode_t, permissions: mode_t, size: Int64, mtime: Int64,
                             symlink: String? = nil) throws(LighterError) {
        guard !finished else { throw .invalidArgument("tar archive already finished") }
        if dotPrefixed, name == "./" || name.hasPrefix("./") {
            if name != "./" { try Self.validate(String(name.dropFirst(2))) }
        } else {
            try Self.validate(name)
        }
        guard let entry = archive_entry_new() else { throw .system(call: "archive_entry_new", path: nil, errno: ENOMEM) }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname_utf8(entry, type == S_IFDIR && !name.hasSuffix("/") ? name + "/" : name)
        archive_entry_set_filetype(entry, UInt32(type))
        archive_entry_set_perm(entry, permissions)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        archive_entry_set_size(entry, size)
        if let symlink { archive_entry_set_symlink_utf8(entry, symlink) }
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw failure() }
    }

    private func writeData(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
        var offset = 0
        while offset < bytes.count {
            let n = archive_write_data(archive, bytes.baseAddress! + offset, bytes.count - offset)
            guard n > 0 else { throw failure() }
            offset += n
        }
    }

    private func finishEntry() throws(LighterError) {
        guard archive_write_finish_entry(archive) == ARCHIVE_OK else { throw failure() }
    }

    private func failure() -> LighterError {
        output.failure ?? ArchiveError.from(archive, what: "tar output")
    }

    /// Names are relative, with no "." or ".." components: what we write, we could also read back safely.
    static func validate(_ name: String) throws(LighterError) {
        let trimmed = name.hasSuffix("/") ? String(name.dropLast()) : name
        guard !trimmed.isEmpty, !trimmed.hasPrefix("/"),
              !trimmed.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw .invalidArgument("tar member name \"\(name)\" must be a relative path without empty, \".\" or \"..\" components")
        }
    }
}

/// Where libarchive's output goes; keeps the first write error.
final class TarWriterOutput {
    let fd: FileDescriptor
    var failure: LighterError?
    init(fd: FileDescriptor) { self.fd = fd }
}

private func tarWriterWrite(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                            _ buffer: UnsafeRawPointer?, _ length: Int) -> la_ssize_t {
    let output = Unmanaged<TarWriterOutput>.fromOpaque(context!).takeUnretainedValue()
    do {
        try output.fd.write(UnsafeRawBufferPointer(start: buffer, count: length))
        return length
    } catch {
        output.failure = error
        return -1
    }
}
