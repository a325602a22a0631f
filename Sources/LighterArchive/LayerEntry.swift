#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CLighter
import LighterSystem

/// One tar header as the layer applier needs it, copied out of libarchive.
struct LayerEntry {
    enum Kind: Equatable {
        /// Link targets are raw bytes, like names.
        case file, directory, symlink([UInt8]), hardlink([UInt8]), characterDevice, blockDevice, fifo
    }

    /// The member name as written in the tar (for error messages; invalid UTF-8 shows as U+FFFD).
    let name: String
    let path: LayerPath
    let kind: Kind
    let uid: uid_t
    let gid: gid_t
    /// Permission bits including setuid/setgid/sticky.
    let permissions: mode_t
    let device: dev_t
    let size: Int64
    let accessTime: timespec
    let modificationTime: timespec
    let xattrs: [(name: String, value: [UInt8])]

    init(_ entry: OpaquePointer) throws(LighterError) {
        guard let raw = archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry) else {
            throw .malformed(what: "layer", reason: "tar entry without a name")
        }
        let bytes = RawName.bytes(of: raw)
        name = String(decoding: bytes, as: UTF8.self)
        path = try LayerPath(member: bytes, entry: name)

        if let link = archive_entry_hardlink(entry) ?? archive_entry_hardlink_utf8(entry) {
            kind = .hardlink(RawName.bytes(of: link))
        } else {
            switch archive_entry_filetype(entry) & S_IFMT {
            case S_IFREG: kind = .file
            case S_IFDIR: kind = .directory
            case S_IFLNK:
                guard let target = archive_entry_symlink(entry) ?? archive_entry_symlink_utf8(entry) else {
                    throw .malformed(what: "layer entry \"\(name)\"", reason: "symlink without a target")
                }
                kind = .symlink(RawName.bytes(of: target))
            case S_IFCHR: kind = .characterDevice
            case S_IFBLK: kind = .blockDevice
            case S_IFIFO: kind = .fifo
            default:
                throw .malformed(what: "layer entry \"\(name)\"",
                                 reason: "unsupported tar entry type (mode \(String(archive_entry_filetype(entry), radix: 8)))")
            }
        }
        let uid = archive_entry_uid(entry), gid = archive_entry_gid(entry)
        guard uid >= 0, uid <= Int64(UInt32.max - 1), gid >= 0, gid <= Int64(UInt32.max - 1) else {
            throw .malformed(what: "layer entry \"\(name)\"", reason: "owner \(uid):\(gid) is out of range")
        }
        self.uid = uid_t(uid)
        self.gid = gid_t(gid)
        permissions = archive_entry_mode(entry) & 0o7777
        device = deviceNumber(entry)
        size = archive_entry_size(entry)
        modificationTime = timespec(tv_sec: time_t(archive_entry_mtime(entry)), tv_nsec: Int(archive_entry_mtime_nsec(entry)))
        if archive_entry_atime_is_set(entry) != 0 {
            let atime = timespec(tv_sec: time_t(archive_entry_atime(entry)), tv_nsec: Int(archive_entry_atime_nsec(entry)))
            // Docker: an access time before the modification time is raised to it.
            accessTime = (atime.tv_sec, atime.tv_nsec) < (modificationTime.tv_sec, modificationTime.tv_nsec)
                ? modificationTime : atime
        } else {
            accessTime = modificationTime
        }
        var xattrs: [(String, [UInt8])] = []
        archive_entry_xattr_reset(entry)
        var xname: UnsafePointer<CChar>?
        var xvalue: UnsafeRawPointer?
        var xsize = 0
        while archive_entry_xattr_next(entry, &xname, &xvalue, &xsize) == ARCHIVE_OK {
            guard let xname else { continue }
            let key = String(cString: xname)
            let bytes = xvalue.map { Array(UnsafeRawBufferPointer(start: $0, count: xsize)) } ?? []
            xattrs.append((key, bytes))
        }
        self.xattrs = xattrs
    }
}

private func deviceNumber(_ entry: OpaquePointer) -> dev_t {
    dev_t(lighter_makedev(UInt32(truncatingIfNeeded: archive_entry_rdevmajor(entry)),
                          UInt32(truncatingIfNeeded: archive_entry_rdevminor(entry))))
}
