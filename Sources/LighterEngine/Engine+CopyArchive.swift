#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterSystem

extension Engine {
    /// `cp CONTAINER:SRC -`: a tar of SRC (named by its last component; the contents for "/" or "/.") to `output`.
    /// Files, directories (with their permission bits) and symlinks are archived; device nodes, fifos and
    /// sockets are left out.
    /// With `sameFilesystem` (`export`), directories on another file system than the root's (the
    /// container's /proc, /sys, /dev, volumes and binds) are archived empty, as Docker exports only the
    /// container's layers.
    /// With `dotEntries` (Docker's archive API), the contents of a directory are archived as `./NAME` after a `./`
    /// entry for the directory itself, which Docker's clients rename to the destination's name.
    public func copyOutArchive(_ id: String, from path: String, to output: FileDescriptor, sameFilesystem: Bool = false,
                               dotEntries: Bool = false) throws(LighterError) {
        defer { output.forget() }
        try withContainerRoot(id) { (root) throws(LighterError) in
            let tar = try TarWriter(writingTo: output)
            tar.dotPrefixed = dotEntries
            let contentsOnly = path.hasSuffix("/.") || CopyRoot.split(path).1.isEmpty
            if contentsOnly {
                guard let dir = try root.directory(path) else { throw .notFound(kind: "directory in \(root.label)", name: path) }
                var st = stat()
                try syscall("fstat", path) { fstat(dir.rawValue, &st) }
                if dotEntries { try tar.addDirectory("./", mtime: Int64(st.st_mtim.tv_sec), permissions: st.st_mode & 0o7777) }
                try Engine.archiveContents(of: dir.rawValue, prefix: dotEntries ? "./" : "", into: tar, device: sameFilesystem ? UInt64(st.st_dev) : nil)
            } else {
                let (parent, name) = try root.parent(of: path)
                var st = stat()
                guard fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                    throw .notFound(kind: "file or directory in \(root.label)", name: path)
                }
                try Engine.archive(parent.rawValue, name, as: CopyRoot.split(path).1, into: tar, device: sameFilesystem ? UInt64(st.st_dev) : nil)
            }
            try tar.finish()
        }
    }

    /// `cp - CONTAINER:DEST`: extract a tar (optionally compressed) from `input` into directory DEST of the
    /// container. The archive is unpacked into a private staging directory first (names that climb out or pass
    /// through links are refused there), then copied in without following any link of the container.
    /// With `keepOwners` (Docker's `copyUIDGID`, `docker cp -a`) files keep the archive's numeric owners instead of
    /// becoming the container root's. An existing directory is never replaced by a non-directory nor the reverse
    /// (Docker's `noOverwriteDirNonDir`): such a copy is refused.
    public func copyInArchive(_ id: String, from input: FileDescriptor, to path: String, keepOwners: Bool = false) throws(LighterError) {
        defer { input.forget() }
        try refuseReadOnly(id)
        let owner = try containerRootOwner(id)
        if keepOwners, owner != nil {
            throw .unsupported(feature: "copying with the archive's owners (cp -a) into a --userns-remap container",
                               fix: "copy without -a: files then belong to the container's root")
        }
        let staging = "\(directory(id))/.cp-staging-\(getpid())"
        try? FileSystem.removeTree(staging)
        try FileSystem.makeDirectories(staging, mode: 0o700)
        defer { try? FileSystem.removeTree(staging) }
        try withContainerRoot(id) { (root) throws(LighterError) in
            try root.refuseReadOnlyMount(path)
            guard let target = try root.directory(path) else {
                throw .notFound(kind: "directory in \(root.label)", name: path)
            }
            _ = try LayerApplier.apply(from: input, into: staging, expectedDigest: nil, limits: LayerLimits())
            let source = try syscall("open", staging) { lighter_open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
            let sourceFD = FileDescriptor(adopting: source)
            try TreeCopier(keepOwners: keepOwners, owner: owner).copyContents(of: sourceFD.rawValue, into: target.rawValue)
        }
    }

    /// `device`: descend only into directories on that file system.
    static func archive(_ parent: Int32, _ name: String, as member: String, into tar: TarWriter, device: UInt64?) throws(LighterError) {
        var st = stat()
        try syscall("fstatat", name) { fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) }
        let mtime = Int64(st.st_mtim.tv_sec)
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            try tar.addDirectory(member, mtime: mtime, permissions: st.st_mode & 0o7777)
            if let device, UInt64(st.st_dev) != device { return }
            let dir = try TreeCopier.openDirectory(parent, name)
            try archiveContents(of: dir.rawValue, prefix: member + "/", into: tar, device: device)
        case S_IFREG:
            let file = FileDescriptor(adopting: try syscall("openat", name) { lighter_openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0) })
            try tar.addFile(member, contentsOf: "/proc/self/fd/\(file.rawValue)", mtime: mtime, permissions: st.st_mode & 0o7777)
            try file.close()
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try syscall("readlinkat", name) { readlinkat(parent, name, &buffer, buffer.count - 1) }
            try tar.addSymlink(member, target: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self), mtime: mtime)
        default:
            break
        }
    }

    static func archiveContents(of directory: Int32, prefix: String, into tar: TarWriter, device: UInt64?) throws(LighterError) {
        for entry in try FileSystem.list("/proc/self/fd/\(directory)") {
            try archive(directory, entry, as: prefix + entry, into: tar, device: device)
        }
    }
}
