#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CLighter
import LighterArchive
import LighterOCI
import LighterSystem

/// A directory of changes in overlayfs form (a container's upper directory) written as an OCI layer:
/// a tar whose deletions are whiteouts (a 0/0 character device becomes an empty `.wh.NAME`, a
/// directory marked `trusted.overlay.opaque=y` gets `.wh..wh..opq`), gzip-compressed. Entries are
/// sorted by name; owners, modes, times (to the nanosecond), links, devices, hard links and
/// `security.capability` are kept. Both digests are taken while writing: the tar's (the diff ID) and
/// the compressed blob's.
public enum LayerCommit {
    public struct Result: Sendable {
        public var diffID: Digest
        public var digest: Digest
        public var size: Int64
    }

    /// How a layer's tar is compressed: gzip (level 1, Docker's default media type), zstd (level 3,
    /// `tar+zstd`), or not at all.
    public enum Compression: String, Sendable, CaseIterable {
        case gzip, zstd, none
    }

    /// Write `directory` as a layer to `output`, gzip unless told. `sourceDateEpoch` fixes every entry's time.
    public static func write(directory: String, to output: FileDescriptor, sourceDateEpoch: Int64? = nil,
                             compression: Compression = .gzip) throws(LighterError) -> Result {
        let root = FileDescriptor(adopting: try syscall("open", directory) {
            lighter_open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        })
        return try write(root: root, to: output, sourceDateEpoch: sourceDateEpoch, compression: compression)
    }

    /// Write the tree under the open directory `root` as a tar, compressed as told (`.none`: `digest`
    /// is the diff ID): `build -o type=tar|local` writes a mounted root this way.
    public static func write(root: FileDescriptor, to output: FileDescriptor, sourceDateEpoch: Int64? = nil,
                             compression: Compression = .gzip) throws(LighterError) -> Result {
        let sink = CompressedSink(fd: output)
        let tarSink: TarSink
        var outerArchive: OpaquePointer?
        defer { if let outerArchive { archive_write_free(outerArchive) } }
        if compression == .gzip {
            // gzip level 1, in members cut where the content says (GzipLayerWriter): a delta re-makes
            // only the members a change touches.
            tarSink = TarSink(outer: nil, compressed: sink, members: try GzipLayerWriter(level: 1) { (bytes) throws(LighterError) in
                try sink.fd.write(bytes)
                sink.hasher.update(bytes)
                sink.size += Int64(bytes.count)
            })
        } else {
            guard let outer = archive_write_new() else { throw .system(call: "archive_write_new", path: nil, errno: ENOMEM) }
            outerArchive = outer
            // A zstd frame carries no time: the same tar compresses to the same blob.
            let filtered = compression == .zstd
                ? archive_write_add_filter_zstd(outer) == ARCHIVE_OK
                    && archive_write_set_filter_option(outer, "zstd", "compression-level", "3") == ARCHIVE_OK
                : archive_write_add_filter_none(outer) == ARCHIVE_OK
            guard archive_write_set_format_raw(outer) == ARCHIVE_OK, filtered,
                  archive_write_set_bytes_per_block(outer, 0) == ARCHIVE_OK,
                  archive_write_open(outer, Unmanaged.passUnretained(sink).toOpaque(), nil, compressedWrite, nil) == ARCHIVE_OK else {
                throw sink.failure ?? archiveFailure(outer, what: "layer compression")
            }
            guard let blobEntry = archive_entry_new() else { throw .system(call: "archive_entry_new", path: nil, errno: ENOMEM) }
            defer { archive_entry_free(blobEntry) }
            archive_entry_set_pathname(blobEntry, "layer.tar")
            archive_entry_set_filetype(blobEntry, UInt32(POSIX.regularFileType))
            guard archive_write_header(outer, blobEntry) == ARCHIVE_OK else { throw sink.failure ?? archiveFailure(outer, what: "layer compression") }
            tarSink = TarSink(outer: outer, compressed: sink, members: nil)
        }

        guard let tar = archive_write_new() else { throw .system(call: "archive_write_new", path: nil, errno: ENOMEM) }
        defer { archive_write_free(tar) }
        guard archive_write_set_format_pax_restricted(tar) == ARCHIVE_OK,
              archive_write_add_filter_none(tar) == ARCHIVE_OK,
              archive_write_set_bytes_per_block(tar, 10240) == ARCHIVE_OK,
              archive_write_set_bytes_in_last_block(tar, 1) == ARCHIVE_OK,
              archive_write_open(tar, Unmanaged.passUnretained(tarSink).toOpaque(), nil, tarWrite, nil) == ARCHIVE_OK else {
            throw tarSink.failure ?? archiveFailure(tar, what: "layer tar")
        }
        var walker = Walker(tar: tar, sink: tarSink, epoch: sourceDateEpoch)
        try walker.walk(root.rawValue, prefix: "")
        guard archive_write_close(tar) == ARCHIVE_OK else { throw tarSink.failure ?? archiveFailure(tar, what: "layer tar") }
        if let members = tarSink.members {
            try members.finish()
        } else if let outer = outerArchive, archive_write_close(outer) != ARCHIVE_OK {
            throw sink.failure ?? archiveFailure(outer, what: "layer compression")
        }
        if let failure = sink.failure ?? tarSink.failure { throw failure }
        return Result(diffID: tarSink.hasher.finalize(), digest: sink.hasher.finalize(), size: sink.size)
    }

    struct Walker {
        let tar: OpaquePointer
        let sink: TarSink
        let epoch: Int64?
        /// (device, inode) → the first name written, for hard links.
        var links: [String: String] = [:]

        mutating func walk(_ directory: Int32, prefix: String) throws(LighterError) {
            for name in try FileSystem.list("/proc/self/fd/\(directory)").sorted() {
                var st = stat()
                try syscall("fstatat", name) { fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) }
                let path = prefix + name
                let kind = st.st_mode & S_IFMT
                if kind == S_IFCHR && st.st_rdev == 0 {
                    try writeEntry(prefix + ".wh." + name, st: st, type: S_IFREG, permissions: 0o600)
                    continue
                }
                switch kind {
                case S_IFDIR:
                    try writeEntry(path + "/", st: st, type: S_IFDIR, capability: capability(directory, name))
                    let child = FileDescriptor(adopting: try syscall("openat", path) {
                        lighter_openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                    })
                    // A renamed directory with overlay's redirect_dir holds only a pointer to its old
                    // contents, which a tar of the upper directory would lose.
                    var redirect = [UInt8](repeating: 0, count: 1)
                    if fgetxattr(child.rawValue, "trusted.overlay.redirect", &redirect, 0) >= 0 {
                        throw LighterError.unsupported(feature: "committing \(path) (an overlay redirect: the kernel's redirect_dir is on)",
                                                       fix: "load overlay with redirect_dir=off (echo N > /sys/module/overlay/parameters/redirect_dir)")
                    }
                    var opaque: [UInt8] = [0, 0]
                    if fgetxattr(child.rawValue, "trusted.overlay.opaque", &opaque, 2) == 1 && opaque[0] == UInt8(ascii: "y") {
                        try writeEntry(path + "/.wh..wh..opq", st: st, type: S_IFREG, permissions: 0o600)
                    }
                    try walk(child.rawValue, prefix: path + "/")
                case S_IFREG:
                    let key = "\(st.st_dev):\(st.st_ino)"
                    if st.st_nlink > 1, let first = links[key] {
                        try writeEntry(path, st: st, type: S_IFREG, hardlink: first)
                        continue
                    }
                    if st.st_nlink > 1 { links[key] = path }
                    let file = FileDescriptor(adopting: try syscall("openat", path) {
                        lighter_openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)
                    })
                    // With metacopy a copied-up file may hold only its metadata, its data staying below.
                    var metacopy = [UInt8](repeating: 0, count: 1)
                    if fgetxattr(file.rawValue, "trusted.overlay.metacopy", &metacopy, 0) >= 0 {
                        throw LighterError.unsupported(feature: "committing \(path) (an overlay metacopy file: the kernel's metacopy is on)",
                                                       fix: "load overlay with metacopy=off (echo N > /sys/module/overlay/parameters/metacopy)")
                    }
                    try writeEntry(path, st: st, type: S_IFREG, size: Int64(st.st_size), capability: capability(directory, name))
                    try copyData(file, size: Int64(st.st_size), path: path)
                case S_IFLNK:
                    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                    let n = try syscall("readlinkat", path) { readlinkat(directory, name, &buffer, buffer.count - 1) }
                    let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    try writeEntry(path, st: st, type: S_IFLNK, symlink: target)
                case S_IFCHR, S_IFBLK, S_IFIFO:
                    try writeEntry(path, st: st, type: kind)
                default:
                    continue  // sockets are not kept in layers
                }
            }
        }

        /// `security.capability` of an entry (file capabilities, as `setcap` leaves them), if any.
        func capability(_ directory: Int32, _ name: String) -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = lgetxattr("/proc/self/fd/\(directory)/\(name)", "security.capability", &buffer, buffer.count)
            return n > 0 ? Array(buffer[0..<n]) : nil
        }

        func writeEntry(_ name: String, st: stat, type: mode_t, size: Int64 = 0, permissions: mode_t? = nil,
                        symlink: String? = nil, hardlink: String? = nil, capability: [UInt8]? = nil) throws(LighterError) {
            guard let entry = archive_entry_new() else { throw .system(call: "archive_entry_new", path: nil, errno: ENOMEM) }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, name)
            archive_entry_set_filetype(entry, UInt32(type))
            archive_entry_set_perm(entry, permissions ?? (st.st_mode & 0o7777))
            archive_entry_set_uid(entry, la_int64_t(st.st_uid))
            archive_entry_set_gid(entry, la_int64_t(st.st_gid))
            if let epoch {
                archive_entry_set_mtime(entry, time_t(epoch), 0)
            } else {
                archive_entry_set_mtime(entry, st.st_mtim.tv_sec, st.st_mtim.tv_nsec)
            }
            archive_entry_set_size(entry, size)
            if type == S_IFCHR || type == S_IFBLK { archive_entry_set_rdev(entry, st.st_rdev) }
            if let symlink { archive_entry_set_symlink_utf8(entry, symlink) }
            if let hardlink {
                archive_entry_set_hardlink_utf8(entry, hardlink)
                archive_entry_set_size(entry, 0)
            }
            if let capability {
                capability.withUnsafeBytes { archive_entry_xattr_add_entry(entry, "security.capability", $0.baseAddress, $0.count) }
            }
            guard archive_write_header(tar, entry) == ARCHIVE_OK else { throw sink.failure ?? archiveFailure(tar, what: "layer entry \(name)") }
        }

        func copyData(_ file: FileDescriptor, size: Int64, path: String) throws(LighterError) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
            defer { buffer.deallocate() }
            var written: Int64 = 0
            while written < size {
                let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(min(Int64(buffer.count), size - written))]))
                if n == 0 { break }
                var offset = 0
                while offset < n {
                    let w = archive_write_data(tar, buffer.baseAddress! + offset, n - offset)
                    guard w > 0 else { throw sink.failure ?? archiveFailure(tar, what: "layer entry \(path)") }
                    offset += w
                }
                written += Int64(n)
            }
            guard written == size else { throw .sizeMismatch(what: "\(path) (changed while it was committed)", expected: size, actual: written) }
        }
    }
}

/// The compressed blob: hashed, counted and written to the ingest file.
final class CompressedSink {
    let fd: FileDescriptor
    var hasher = SHA256Hasher()
    var size: Int64 = 0
    var failure: LighterError?
    init(fd: FileDescriptor) { self.fd = fd }
}

/// The uncompressed tar: hashed (the diff ID) and handed to the gzip member writer, or else to the
/// compressing archive.
final class TarSink {
    let outer: OpaquePointer?
    let members: GzipLayerWriter?
    let compressed: CompressedSink
    var hasher = SHA256Hasher()
    var failure: LighterError?
    init(outer: OpaquePointer?, compressed: CompressedSink, members: GzipLayerWriter?) {
        self.outer = outer
        self.compressed = compressed
        self.members = members
    }
}

private func compressedWrite(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                             _ buffer: UnsafeRawPointer?, _ length: Int) -> la_ssize_t {
    let sink = Unmanaged<CompressedSink>.fromOpaque(context!).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: buffer, count: length)
    do {
        try sink.fd.write(bytes)
        sink.hasher.update(bytes)
        sink.size += Int64(length)
        return length
    } catch {
        sink.failure = error
        return -1
    }
}

private func tarWrite(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                      _ buffer: UnsafeRawPointer?, _ length: Int) -> la_ssize_t {
    let sink = Unmanaged<TarSink>.fromOpaque(context!).takeUnretainedValue()
    sink.hasher.update(UnsafeRawBufferPointer(start: buffer, count: length))
    if let members = sink.members {
        do {
            try members.write(UnsafeRawBufferPointer(start: buffer, count: length))
            return length
        } catch {
            sink.failure = error
            return -1
        }
    }
    guard let outer = sink.outer else { return -1 }
    var offset = 0
    while offset < length {
        let n = archive_write_data(outer, buffer! + offset, length - offset)
        guard n > 0 else {
            sink.failure = sink.compressed.failure ?? archiveFailure(outer, what: "layer compression")
            return -1
        }
        offset += n
    }
    return length
}

/// libarchive's message for the last failure of `archive`.
func archiveFailure(_ archive: OpaquePointer, what: String) -> LighterError {
    let message = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
    return .malformed(what: what, reason: message)
}
