#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Owners, modes, xattrs and times of unpacked entries.
extension LayerUnpacker {
    /// Owner, then mode (chown clears setuid/setgid), then xattrs (chown clears security.capability).
    func setMetadata(of fd: FileDescriptor, _ entry: LayerEntry) throws(LighterError) {
        try syscall("fchown", entry.name) { fchown(fd.rawValue, entry.uid, entry.gid) }
        try syscall("fchmod", entry.name) { fchmod(fd.rawValue, entry.permissions) }
        for (name, value) in entry.xattrs {
            try setXattr(name, value, fd: fd, entry: entry.name, tolerant: true)
        }
        if entry.kind != .directory {
            let times = [entry.accessTime, entry.modificationTime]
            try syscall("futimens", entry.name) { futimens(fd.rawValue, times) }
        }
    }

    /// The same for what has no descriptor of its own (symlinks, devices, fifos), never following a symlink.
    func setMetadata(of name: RawName, in parent: FileDescriptor, _ entry: LayerEntry,
                             isSymlink: Bool) throws(LighterError) {
        let base = name.cString
        try syscall("fchownat", entry.name) { fchownat(parent.rawValue, base, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) }
        if !isSymlink {
            try syscall("fchmodat", entry.name) { fchmodat(parent.rawValue, base, entry.permissions, 0) }
        }
        let path = snapshot.procPath(name, in: parent)
        for (name, value) in entry.xattrs {
            let result = value.withUnsafeBytes { lsetxattr(path, name, $0.baseAddress, $0.count, 0) }
            if result != 0 { try xattrFailed(name, entry: entry.name, tolerant: true) }
        }
        let times = [entry.accessTime, entry.modificationTime]
        try syscall("utimensat", entry.name) { utimensat(parent.rawValue, base, times, AT_SYMLINK_NOFOLLOW) }
    }

    func setXattr(_ name: String, _ value: [UInt8], fd: FileDescriptor, entry: String,
                          tolerant: Bool) throws(LighterError) {
        let result = value.withUnsafeBytes { fsetxattr(fd.rawValue, name, $0.baseAddress, $0.count, 0) }
        if result != 0 { try xattrFailed(name, entry: entry, tolerant: tolerant) }
    }

    /// Like Docker, an xattr the file system does not support (or will not take on this kind of file) is skipped;
    /// any other failure is an error.
    func xattrFailed(_ name: String, entry: String, tolerant: Bool) throws(LighterError) {
        let code = lighter_errno()
        if tolerant && (code == EOPNOTSUPP || code == EPERM) { return }
        throw .system(call: "setxattr \(name)", path: entry, errno: code)
    }

    /// Directory times last: creating anything inside a directory changes its mtime.
    func setDirectoryTimes() throws(LighterError) {
        for (path, times) in directoryTimes {
            let fd = path.isRoot ? snapshot.root
                : try snapshot.open(path, in: snapshot.root, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW,
                                    entry: path.description)
            let pair = [times.0, times.1]
            try syscall("futimens", path.description) { futimens(fd.rawValue, pair) }
        }
    }
}
