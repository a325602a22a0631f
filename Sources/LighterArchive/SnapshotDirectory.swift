#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// The snapshot directory a layer unpacks into, reached only through a descriptor of its root.
///
/// Every lookup is `openat2` with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
/// so no path — whatever symlinks earlier entries planted — resolves outside the root or through a symlink;
/// final components are created with O_EXCL / *at calls that never follow one.
final class SnapshotDirectory {
    let root: FileDescriptor
    /// The parent directory of the previous entry: tars list a directory's files together.
    private var cached: (path: LayerPath, fd: FileDescriptor)?

    static let resolve: UInt64 = UInt64(LIGHTER_RESOLVE_BENEATH | LIGHTER_RESOLVE_NO_SYMLINKS
        | LIGHTER_RESOLVE_NO_MAGICLINKS | LIGHTER_RESOLVE_NO_XDEV)

    init(path: String) throws(LighterError) {
        root = try FileDescriptor(path: path, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
    }

    /// openat2 of `path` beneath `dirfd`, mapping the refusals to errors that name the entry.
    func open(_ path: LayerPath, in dirfd: FileDescriptor, flags: Int32, mode: mode_t = 0,
              entry: String) throws(LighterError) -> FileDescriptor {
        let relative = path.relative
        while true {
            let fd = lighter_openat2(dirfd.rawValue, relative, UInt64(flags | O_CLOEXEC), UInt64(mode), Self.resolve)
            if fd >= 0 { return FileDescriptor(adopting: fd) }
            let code = lighter_errno()
            switch code {
            case EINTR, EAGAIN: continue
            case ELOOP, ENOTDIR:
                throw explain(path, in: dirfd, entry: entry, errno: code)
            case EXDEV:
                throw .unsafeArchive(entry: entry, reason: "\"\(path)\" resolves outside the layer directory")
            case ENOSYS:
                throw .unsupported(feature: "openat2(2)", fix: "run on Linux 5.6 or newer")
            default:
                throw .system(call: "openat2", path: path.text, errno: code)
            }
        }
    }

    /// Why `path` could not be opened (ELOOP or ENOTDIR): the first component that is a symlink or not a directory.
    private func explain(_ path: LayerPath, in dirfd: FileDescriptor, entry: String, errno code: Int32) -> LighterError {
        for count in 1...max(1, path.components.count) {
            let prefix = LayerPath(components: Array(path.components.prefix(count)))
            var st = stat()
            // Shorter prefixes were directories, not symlinks, so this lstat follows nothing.
            guard fstatat(dirfd.rawValue, prefix.relative, &st, AT_SYMLINK_NOFOLLOW) == 0 else { break }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                return .unsafeArchive(entry: entry, reason: "\"\(prefix)\" is a symlink; extraction never follows one")
            default:
                return .unsafeArchive(entry: entry, reason: "\"\(prefix)\" is not a directory")
            }
        }
        return .system(call: "openat2", path: path.text, errno: code)
    }

    /// The directory at `path`, opened O_RDONLY; missing components are created 0755 when `create` is set.
    func directory(_ path: LayerPath, create: Bool, entry: String) throws(LighterError) -> FileDescriptor {
        if path.isRoot { return root }
        if let cached, cached.path == path { return cached.fd }
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW
        var fd: FileDescriptor
        do {
            fd = try open(path, in: root, flags: flags, entry: entry)
        } catch .system(call: _, path: _, errno: ENOENT) where create {
            fd = root
            for component in path.components {
                let name = component.cString
                if try syscallTolerating("mkdirat", component.text, [EEXIST], { mkdirat(fd.rawValue, name, 0o755) }) == nil {
                    try syscall("fchmodat", component.text) { fchmodat(fd.rawValue, name, 0o755, 0) }
                }
                fd = try open(LayerPath(components: [component]), in: fd, flags: flags, entry: entry)
            }
        }
        cached = (path, fd)
        return fd
    }

    /// What is at `name` in `parent` (lstat semantics), or nil.
    func existing(_ name: RawName, in parent: FileDescriptor) throws(LighterError) -> stat? {
        var st = stat()
        let cName = name.cString
        if try syscallTolerating("fstatat", name.text, [ENOENT], { fstatat(parent.rawValue, cName, &st, AT_SYMLINK_NOFOLLOW) }) != nil {
            return nil
        }
        return st
    }

    /// Remove whatever is at `name` in `parent`; a directory goes with all it holds (never following a symlink).
    func remove(_ name: RawName, in parent: FileDescriptor, isDirectory: Bool, entry: String) throws(LighterError) {
        let cName = name.cString
        if isDirectory {
            cached = nil
            let child = try open(LayerPath(components: [name]), in: parent,
                                 flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, entry: entry)
            try removeContents(of: child, entry: entry)
            try syscall("unlinkat", name.text) { unlinkat(parent.rawValue, cName, AT_REMOVEDIR) }
        } else {
            try syscall("unlinkat", name.text) { unlinkat(parent.rawValue, cName, 0) }
        }
    }

    private func removeContents(of dir: FileDescriptor, entry: String) throws(LighterError) {
        let dupfd = try syscall("dup") { dup(dir.rawValue) }
        guard let stream = fdopendir(dupfd) else {
            _ = POSIX.close(dupfd)
            throw .system(call: "fdopendir", path: nil, errno: lighter_errno())
        }
        var names: [RawName] = []
        while let item = readdir(stream) {
            let bytes = withUnsafePointer(to: item.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { RawName.bytes(of: $0) }
            }
            let name = RawName(bytes)
            if !name.isEqual(to: ".") && !name.isEqual(to: "..") { names.append(name) }
        }
        closedir(stream)
        for name in names {
            guard let st = try existing(name, in: dir) else { continue }
            try remove(name, in: dir, isDirectory: (st.st_mode & S_IFMT) == S_IFDIR, entry: entry)
        }
    }

    /// A path that reaches `name` in `parent` for the calls with no *at form (lsetxattr): the magic link of a
    /// descriptor we opened safely, then one final component that the l* call does not follow.
    func procPath(_ name: RawName, in parent: FileDescriptor) -> [CChar] {
        Array("/proc/self/fd/\(parent.rawValue)/".utf8CString.dropLast()) + name.cString
    }
}
