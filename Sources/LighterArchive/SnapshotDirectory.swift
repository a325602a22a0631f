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

    /// openat2 beneath `dirfd`, mapping the refusals to errors that name the entry.
    func open(_ path: String, in dirfd: FileDescriptor, flags: Int32, mode: mode_t = 0,
              entry: String) throws(LighterError) -> FileDescriptor {
        while true {
            let fd = lighter_openat2(dirfd.rawValue, path, UInt64(flags | O_CLOEXEC), UInt64(mode), Self.resolve)
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
                throw .system(call: "openat2", path: path, errno: code)
            }
        }
    }

    /// Why `path` could not be opened (ELOOP or ENOTDIR): the first component that is a symlink or not a directory.
    private func explain(_ path: String, in dirfd: FileDescriptor, entry: String, errno code: Int32) -> LighterError {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += prefix.isEmpty ? String(component) : "/\(component)"
            var st = stat()
            // Earlier prefixes were directories, not symlinks, so this lstat follows nothing.
            guard fstatat(dirfd.rawValue, prefix, &st, AT_SYMLINK_NOFOLLOW) == 0 else { break }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                return .unsafeArchive(entry: entry, reason: "\"\(prefix)\" is a symlink; extraction never follows one")
            default:
                return .unsafeArchive(entry: entry, reason: "\"\(prefix)\" is not a directory")
            }
        }
        return .system(call: "openat2", path: path, errno: code)
    }

    /// The directory at `path`, opened O_RDONLY; missing components are created 0755 when `create` is set.
    func directory(_ path: LayerPath, create: Bool, entry: String) throws(LighterError) -> FileDescriptor {
        if path.isRoot { return root }
        if let cached, cached.path == path { return cached.fd }
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW
        var fd: FileDescriptor
        do {
            fd = try open(path.relative, in: root, flags: flags, entry: entry)
        } catch .system(call: _, path: _, errno: ENOENT) where create {
            fd = root
            for component in path.components {
                if try syscallTolerating("mkdirat", component, [EEXIST], { mkdirat(fd.rawValue, component, 0o755) }) == nil {
                    try syscall("fchmodat", component) { fchmodat(fd.rawValue, component, 0o755, 0) }
                }
                fd = try open(component, in: fd, flags: flags, entry: entry)
            }
        }
        cached = (path, fd)
        return fd
    }

    /// What is at `name` in `parent` (lstat semantics), or nil.
    func existing(_ name: String, in parent: FileDescriptor) throws(LighterError) -> stat? {
        var st = stat()
        if try syscallTolerating("fstatat", name, [ENOENT], { fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) }) != nil {
            return nil
        }
        return st
    }

    /// Remove whatever is at `name` in `parent`; a directory goes with all it holds (never following a symlink).
    func remove(_ name: String, in parent: FileDescriptor, isDirectory: Bool, entry: String) throws(LighterError) {
        if isDirectory {
            cached = nil
            let child = try open(name, in: parent, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, entry: entry)
            try removeContents(of: child, entry: entry)
            try syscall("unlinkat", name) { unlinkat(parent.rawValue, name, AT_REMOVEDIR) }
        } else {
            try syscall("unlinkat", name) { unlinkat(parent.rawValue, name, 0) }
        }
    }

    private func removeContents(of dir: FileDescriptor, entry: String) throws(LighterError) {
        let dupfd = try syscall("dup") { dup(dir.rawValue) }
        guard let stream = fdopendir(dupfd) else {
            _ = Glibc.close(dupfd)
            throw .system(call: "fdopendir", path: nil, errno: lighter_errno())
        }
        var names: [String] = []
        while let item = readdir(stream) {
            let name = withUnsafePointer(to: item.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(stream)
        for name in names {
            guard let st = try existing(name, in: dir) else { continue }
            try remove(name, in: dir, isDirectory: (st.st_mode & S_IFMT) == S_IFDIR, entry: entry)
        }
    }

    /// A path that reaches `name` in `parent` for the calls with no *at form (lsetxattr): the magic link of a
    /// descriptor we opened safely, then one final component that the l* call does not follow.
    func procPath(_ name: String, in parent: FileDescriptor) -> String {
        "/proc/self/fd/\(parent.rawValue)/\(name)"
    }
}
