#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// What Docker's archive API says about a path in a container (`X-Docker-Container-Path-Stat`, moby's
/// `container.PathStat`): the entry itself, a symlink not followed, with where the link leads.
public struct ContainerPathStat: Sendable, Equatable {
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode`: permission bits plus Go's type and special bits (not the kernel's S_IF*).
    public var mode: UInt32
    public var mtime: String
    /// For a symlink: the absolute path in the container it resolves to (every link followed); else "".
    public var linkTarget: String
    public var isDirectory: Bool { mode & (1 << 31) != 0 }
}

extension Engine {
    /// `HEAD /containers/{id}/archive`: the entry at `path` (a trailing "/." or "/" names the directory).
    public func statPath(_ id: String, _ path: String) throws(LighterError) -> ContainerPathStat {
        var result: ContainerPathStat?
        try withContainerRoot(id) { (root) throws(LighterError) in
            let st = try Engine.entryStat(path, in: root)
            let linkTarget = try st.st_mode & S_IFMT == S_IFLNK ? Engine.resolveLinks(path, in: root) : ""
            let name = path == "/" ? "/" : (path.hasSuffix("/.") ? "." : CopyRoot.split(path).1)
            // As Docker: the link's own mode and size (lstat), the target only tells where it leads.
            result = ContainerPathStat(name: name, size: Int64(st.st_size), mode: Engine.goFileMode(st.st_mode),
                                       mtime: Time.rfc3339(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int64(st.st_mtim.tv_nsec)),
                                       linkTarget: linkTarget)
        }
        guard let result else { throw .notFound(kind: "file or directory in container", name: path) }
        return result
    }

    /// The entry at `path`, not following a final symlink; a missing path is a not-found error naming it.
    static func entryStat(_ path: String, in root: CopyRoot) throws(LighterError) -> stat {
        var st = stat()
        let (parent, name) = try root.parent(of: path)
        if name.isEmpty || name == "." {
            guard let dir = try root.directory(path) else { throw .notFound(kind: "file or directory in \(root.label)", name: path) }
            try syscall("fstat", path) { fstat(dir.rawValue, &st) }
            return st
        }
        guard fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw .notFound(kind: "file or directory in \(root.label)", name: path)
        }
        return st
    }

    /// Follow the symlink at `path` (and the links it leads to, 40 at most) by name, inside the container's
    /// root as RESOLVE_IN_ROOT does: the absolute path it ends at.
    static func resolveLinks(_ path: String, in root: CopyRoot) throws(LighterError) -> String {
        var current = CopyRoot.lexical(path)
        for _ in 0..<40 {
            let (parent, name) = try root.parent(of: current)
            var st = stat()
            guard !name.isEmpty, fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFLNK else {
                return current
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try syscall("readlinkat", current) { readlinkat(parent.rawValue, name, &buffer, buffer.count - 1) }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = CopyRoot.lexical(target.hasPrefix("/") ? target : CopyRoot.split(current).0 + "/" + target)
        }
        throw .invalidArgument("too many levels of symbolic links at \(path) in \(root.label)")
    }

    /// The kernel's st_mode as Go's `os.FileMode`, which Docker's clients decode.
    static func goFileMode(_ mode: mode_t) -> UInt32 {
        var result = UInt32(mode & 0o777)
        switch mode & S_IFMT {
        case S_IFDIR: result |= 1 << 31
        case S_IFLNK: result |= 1 << 27
        case S_IFIFO: result |= 1 << 25
        case S_IFSOCK: result |= 1 << 24
        case S_IFBLK: result |= 1 << 26
        case S_IFCHR: result |= (1 << 26) | (1 << 21)
        default: break
        }
        if mode & S_ISUID != 0 { result |= 1 << 23 }
        if mode & S_ISGID != 0 { result |= 1 << 22 }
        if mode & S_ISVTX != 0 { result |= 1 << 20 }
        return result
    }
}
