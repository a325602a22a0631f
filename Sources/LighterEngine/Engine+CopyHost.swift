#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterSystem

/// The host's half of `cp` through Docker's archive API (a client driving a remote daemon): host paths
/// archived under the name the destination needs, and a received archive's entry copied into place by
/// `cp`'s own rules.
extension Engine {
    /// The host file or directory at `path` as a tar to `output`, its top entry named `member` (a
    /// directory's entries below it); for `path` ending in "/.", its contents as `./NAME` entries. With
    /// `followLink`, a symlink at `path` is archived as what it points to (`cp -L`).
    public static func archiveHostPath(_ path: String, as member: String, followLink: Bool, to output: FileDescriptor) throws(LighterError) {
        defer { output.forget() }
        let host = CopyRoot(root: nil, label: "host")
        let tar = try TarWriter(writingTo: output)
        if path.hasSuffix("/.") || CopyRoot.split(path).1.isEmpty {
            guard let dir = try host.directory(path) else { throw .notFound(kind: "directory on the host", name: path) }
            var st = stat()
            try syscall("fstat", path) { fstat(dir.rawValue, &st) }
            tar.dotPrefixed = true
            try tar.addDirectory("./", mtime: Int64(st.st_mtim.tv_sec), permissions: st.st_mode & 0o7777)
            try archiveContents(of: dir.rawValue, prefix: "./", into: tar, device: nil)
        } else {
            var resolved = path
            if followLink, let real = realpath(path, nil) {
                resolved = String(cString: real)
                free(real)
            }
            let (parent, name) = try host.parent(of: resolved)
            var st = stat()
            guard fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw .notFound(kind: "file or directory on the host", name: path) }
            try archive(parent.rawValue, name, as: member, into: tar, device: nil)
        }
        try tar.finish()
    }

    /// Copy the host path `source` to `destination` on the host by `cp`'s rules (see `copy`).
    public static func copyOnHost(_ source: String, to destination: String) throws(LighterError) {
        let host = CopyRoot(root: nil, label: "host")
        try copy(source, in: host, to: destination, in: host)
    }

    /// Whether the host path is a directory, a file (or link), or missing — for the client to name the entry.
    public static func hostPathIsDirectory(_ path: String, followLink: Bool) -> Bool? {
        var st = stat()
        let rc = followLink ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return nil }
        return st.st_mode & S_IFMT == S_IFDIR
    }
}
