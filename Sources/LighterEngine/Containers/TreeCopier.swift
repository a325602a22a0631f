#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Copies a file, symlink or directory tree between two directories held open by descriptor, never following
/// a symlink (a link is copied as a link), so nothing outside the starting directories is read or written.
/// Modes are kept; new files belong to this process's user unless `keepOwners` (a volume's copy-up, which
/// keeps the image's owners as Docker does) or `owner` (`cp` into a remapped container: its root). Used by
/// `cp` both ways and to fill a new volume.
struct TreeCopier {
    /// Give each copy the owner and group of its source.
    var keepOwners = false
    /// Otherwise, give each copy this owner (a `--userns-remap` container's root); nil: this process's.
    var owner: Owner?

    struct Owner {
        var uid: uid_t
        var gid: gid_t
    }

    /// Copy entry `name` of `source` to `target` under `newName`; an existing directory there is merged
    /// into, an existing file or link is replaced.
    func copy(from source: Int32, _ name: String, to target: Int32, as newName: String) throws(LighterError) {
        var st = stat()
        try syscall("fstatat", name) { fstatat(source, name, &st, AT_SYMLINK_NOFOLLOW) }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            let from = try Self.openDirectory(source, name)
            try makeDirectory(target, newName, mode: st.st_mode & 0o7777)
            let to = try Self.openDirectory(target, newName)
            try copyContents(of: from.rawValue, into: to.rawValue)
            try chown(target, newName, st)
            _ = fchmod(to.rawValue, st.st_mode & 0o7777)
        case S_IFREG:
            let from = FileDescriptor(adopting: try syscall("openat", name) { lighter_openat(source, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0) })
            let to = try createFile(target, newName, mode: st.st_mode & 0o7777)
            try Self.pump(from, to, name: newName)
            try chown(target, newName, st)
            try syscall("fchmod", newName) { fchmod(to.rawValue, st.st_mode & 0o7777) }
            try to.close()
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try syscall("readlinkat", name) { readlinkat(source, name, &buffer, buffer.count - 1) }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            try removeNonDirectory(target, newName)
            try syscall("symlinkat", newName) { symlinkat(link, target, newName) }
            try chown(target, newName, st)
        case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK:
            try removeNonDirectory(target, newName)
            try syscall("mknodat", newName) { mknodat(target, newName, st.st_mode, st.st_rdev) }
            try chown(target, newName, st)
        default:
            throw .unsupported(feature: "copying \(name) (unknown file type)", fix: "copy regular files, directories and links")
        }
    }

    /// Copy every entry of directory `source` into directory `target`.
    func copyContents(of source: Int32, into target: Int32) throws(LighterError) {
        for entry in try FileSystem.list("/proc/self/fd/\(source)") {
            try copy(from: source, entry, to: target, as: entry)
        }
    }

    /// The source's owner (`keepOwners`) or `owner` for the new entry (a link itself, not its target).
    private func chown(_ parent: Int32, _ name: String, _ st: stat) throws(LighterError) {
        if keepOwners {
            try syscall("fchownat", name) { fchownat(parent, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) }
        } else {
            try giveOwner(parent, name)
        }
    }

    /// Give entry `name` of `parent` to `owner`, if there is one.
    func giveOwner(_ parent: Int32, _ name: String) throws(LighterError) {
        guard let owner else { return }
        try syscall("fchownat", name) { fchownat(parent, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
    }

    static func openDirectory(_ parent: Int32, _ name: String) throws(LighterError) -> FileDescriptor {
        FileDescriptor(adopting: try syscall("openat", name) {
            lighter_openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        })
    }

    private func makeDirectory(_ parent: Int32, _ name: String, mode: mode_t) throws(LighterError) {
        if mkdirat(parent, name, mode | 0o700) == 0 { return }
        let code = lighter_errno()
        var st = stat()
        if code == EEXIST, fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFDIR { return }
        if code == EEXIST {
            throw .conflict("cannot overwrite non-directory \(name) with a directory")
        }
        throw .system(call: "mkdirat", path: name, errno: code)
    }

    private func createFile(_ parent: Int32, _ name: String, mode: mode_t) throws(LighterError) -> FileDescriptor {
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC
        var fd = lighter_openat(parent, name, flags, mode)
        if fd < 0 && lighter_errno() == ELOOP {
            // A symlink there: replace it rather than write through it.
            try syscall("unlinkat", name) { unlinkat(parent, name, 0) }
            fd = lighter_openat(parent, name, flags, mode)
        }
        if fd < 0 {
            let code = lighter_errno()
            if code == EISDIR { throw .conflict("cannot overwrite directory \(name) with a non-directory") }
            throw .system(call: "openat", path: name, errno: code)
        }
        return FileDescriptor(adopting: fd)
    }

    private func removeNonDirectory(_ parent: Int32, _ name: String) throws(LighterError) {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR { throw .conflict("cannot overwrite directory \(name) with a non-directory") }
        try syscall("unlinkat", name) { unlinkat(parent, name, 0) }
    }

    /// Copy all bytes from `source` to `target`.
    static func pump(_ source: FileDescriptor, _ target: FileDescriptor, name: String) throws(LighterError) {
        var buffer = [UInt8](repeating: 0, count: 128 * 1024)
        while true {
            let n = try syscall("read", name) { buffer.withUnsafeMutableBytes { read(source.rawValue, $0.baseAddress, $0.count) } }
            if n == 0 { return }
            var offset = 0
            while offset < n {
                offset += try syscall("write", name) { buffer.withUnsafeBytes { write(target.rawValue, $0.baseAddress! + offset, n - offset) } }
            }
        }
    }
}
