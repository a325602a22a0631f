#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Writes COPY's and ADD's files into a build container's root (mounted, not running), every path
/// resolved inside it (openat2 RESOLVE_IN_ROOT, entries created one at a time, never through a
/// symlink). New files and directories belong to `owner` (`--chown`; root by default) and get
/// `mode` (`--chmod`) or their source's mode; times are kept.
struct RootWriter {
    let root: FileDescriptor
    var owner: (uid: UInt32, gid: UInt32) = (0, 0)
    var mode: mode_t?

    /// Whether `path` is a directory in the root (through its symlinks, as the container sees it).
    func isDirectory(_ path: String) -> Bool {
        let fd = lighter_openat2(root.rawValue, path, UInt64(openPathOnly | O_DIRECTORY | O_CLOEXEC), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    /// The directory at absolute `path`, made (with its parents: mode 0755, `owner`) where missing.
    func directory(_ path: String) throws(LighterError) -> FileDescriptor {
        var current = FileDescriptor(adopting: try syscall("openat2", "/") {
            lighter_openat2(root.rawValue, "/", UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
        })
        var walked = ""
        for element in path.split(separator: "/").map(String.init) where element != "." {
            walked += "/" + element
            var fd = lighter_openat2(root.rawValue, walked, UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
            if fd < 0 && lighter_errno() == ENOENT && element != ".." {
                try syscall("mkdirat", walked) { mkdirat(current.rawValue, element, 0o755) }
                try syscall("fchownat", walked) { fchownat(current.rawValue, element, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
                fd = lighter_openat2(root.rawValue, walked, UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
            }
            guard fd >= 0 else {
                let code = lighter_errno()
                if code == ENOTDIR { throw .conflict("cannot copy into \(walked): it is not a directory in the image") }
                throw .system(call: "openat2", path: walked, errno: code)
            }
            current = FileDescriptor(adopting: fd)
        }
        return current
    }

    /// Copy the opened source (a file or a directory's contents) to entry `name` of `target`
    /// (a directory source: into `target` itself when `name` is nil).
    func copy(_ source: FileDescriptor, path: String, tree: SourceTree, to target: FileDescriptor, as name: String?) throws(LighterError) {
        let st = try source.stat()
        if st.st_mode & S_IFMT == S_IFDIR {
            let into: FileDescriptor
            if let name {
                try makeDirectory(target.rawValue, name, st)
                into = FileDescriptor(adopting: try syscall("openat", name) {
                    lighter_openat(target.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                })
            } else {
                into = target
            }
            try copyContents(source.rawValue, path: path, tree: tree, into: into.rawValue)
            if name != nil { setTimes(target.rawValue, name!, st) }
            return
        }
        guard let name else { return }
        try copyFile(source, st, to: target.rawValue, as: name)
    }

    private func copyContents(_ directory: Int32, path: String, tree: SourceTree, into target: Int32) throws(LighterError) {
        for name in try FileSystem.list("/proc/self/fd/\(directory)").sorted() {
            let child = path.isEmpty ? name : path + "/" + name
            var st = stat()
            try syscall("fstatat", child) { fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) }
            if tree.resolve & UInt64(LIGHTER_RESOLVE_BENEATH) != 0 {
                let isDirectory = st.st_mode & S_IFMT == S_IFDIR
                if isDirectory ? tree.ignore.skipsDirectory(child) : tree.ignore.excludes(child) { continue }
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try makeDirectory(target, name, st)
                let from = FileDescriptor(adopting: try syscall("openat", child) {
                    lighter_openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                })
                let to = FileDescriptor(adopting: try syscall("openat", child) {
                    lighter_openat(target, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                })
                try copyContents(from.rawValue, path: child, tree: tree, into: to.rawValue)
                setTimes(target, name, st)
            case S_IFREG:
                let from = FileDescriptor(adopting: try syscall("openat", child) {
                    lighter_openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0)
                })
                try copyFile(from, st, to: target, as: name)
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = try syscall("readlinkat", child) { readlinkat(directory, name, &buffer, buffer.count - 1) }
                buffer[n] = 0
                try removeNonDirectory(target, name)
                try syscall("symlinkat", child) { symlinkat(buffer, target, name) }
                try syscall("fchownat", child) { fchownat(target, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
                setTimes(target, name, st)
            case S_IFIFO, S_IFCHR, S_IFBLK:
                try removeNonDirectory(target, name)
                try syscall("mknodat", child) { mknodat(target, name, st.st_mode, st.st_rdev) }
                try syscall("fchownat", child) { fchownat(target, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
            default:
                continue
            }
        }
    }

    private func makeDirectory(_ parent: Int32, _ name: String, _ st: stat) throws(LighterError) {
        if mkdirat(parent, name, 0o700) != 0 {
            let code = lighter_errno()
            var existing = stat()
            guard code == EEXIST, fstatat(parent, name, &existing, AT_SYMLINK_NOFOLLOW) == 0, existing.st_mode & S_IFMT == S_IFDIR else {
                if code == EEXIST { throw .conflict("cannot copy a directory over the file \(name) in the image") }
                throw .system(call: "mkdirat", path: name, errno: code)
            }
            return  // an existing directory keeps its owner and mode, as in Docker
        }
        try syscall("fchownat", name) { fchownat(parent, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
        try syscall("fchmodat", name) { fchmodat(parent, name, mode ?? (st.st_mode & 0o7777), 0) }
    }

    private func copyFile(_ source: FileDescriptor, _ st: stat, to parent: Int32, as name: String) throws(LighterError) {
        try removeNonDirectory(parent, name)
        let target = FileDescriptor(adopting: try syscall("openat", name) {
            lighter_openat(parent, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        })
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            try target.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        try syscall("fchown", name) { fchown(target.rawValue, owner.uid, owner.gid) }
        try syscall("fchmod", name) { fchmod(target.rawValue, mode ?? (st.st_mode & 0o7777)) }
        var times = [st.st_atim, st.st_mtim]
        _ = futimens(target.rawValue, &times)
    }

    private func removeNonDirectory(_ parent: Int32, _ name: String) throws(LighterError) {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR { throw .conflict("cannot copy a file over the directory \(name) in the image") }
        try syscall("unlinkat", name) { unlinkat(parent, name, 0) }
    }

    private func setTimes(_ parent: Int32, _ name: String, _ st: stat) {
        var times = [st.st_atim, st.st_mtim]
        _ = utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW)
    }
}
