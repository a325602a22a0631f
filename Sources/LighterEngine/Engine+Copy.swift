#if canImport(Glibc)
import Glibc
#endif
import CLighter
import LighterSystem

/// Where `cp` opens paths: the host as is, or a container's root filesystem, where every path is resolved by
/// openat2(RESOLVE_IN_ROOT) so that ".." and symlinks (absolute ones included) stay inside the container.
struct CopyRoot {
    /// The container's root directory, or nil for the host.
    let root: FileDescriptor?
    /// For messages: "container 0123abcd" or "host".
    let label: String

    /// The directory at `path`; nil when nothing or a non-directory is there.
    func directory(_ path: String) throws(LighterError) -> FileDescriptor? {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
        let fd: Int32
        if let root {
            fd = lighter_openat2(root.rawValue, path, UInt64(flags), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
        } else {
            fd = lighter_open(path, flags, 0)
        }
        if fd >= 0 { return FileDescriptor(adopting: fd) }
        let code = lighter_errno()
        if code == ENOENT || code == ENOTDIR { return nil }
        throw .system(call: root == nil ? "open" : "openat2", path: "\(label):\(path)", errno: code)
    }

    /// The parent directory of `path` (which must exist) and the last component ("" for "/").
    func parent(of path: String) throws(LighterError) -> (FileDescriptor, String) {
        let (dir, name) = CopyRoot.split(path)
        guard let parent = try directory(dir) else { throw .notFound(kind: "directory in \(label)", name: dir) }
        return (parent, name)
    }

    /// "/a/b/" → ("/a", "b"); "b" → (".", "b"); "/" → ("/", "").
    static func split(_ path: String) -> (String, String) {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", String(trimmed)) }
        let name = String(trimmed[trimmed.index(after: slash)...])
        let dir = trimmed[..<slash]
        return (dir.isEmpty ? "/" : String(dir), name)
    }
}

extension Engine {
    /// `cp CONTAINER:SRC DEST`: copy a file or directory out of a container (running or not).
    public func copyOut(_ id: String, from path: String, to hostPath: String) throws(LighterError) {
        try withContainerRoot(id) { (root) throws(LighterError) in
            try Engine.copy(path, in: root, to: hostPath, in: CopyRoot(root: nil, label: "host"))
        }
    }

    /// `cp SRC CONTAINER:DEST`: copy a host file or directory into a container (running or not).
    public func copyIn(_ id: String, from hostPath: String, to path: String) throws(LighterError) {
        try refuseReadOnly(id)
        let owner = try containerRootOwner(id)
        try withContainerRoot(id) { (root) throws(LighterError) in
            try Engine.copy(hostPath, in: CopyRoot(root: nil, label: "host"), to: path, in: root, owner: owner)
        }
    }

    /// Who new files copied into container `id` belong to: its root, which is a host uid of its own with
    /// `--userns-remap` (nil: this process, the host's root, which is the container's root too).
    func containerRootOwner(_ id: String) throws(LighterError) -> TreeCopier.Owner? {
        try record(id).spec.userNamespace.map { TreeCopier.Owner(uid: $0.uid, gid: $0.gid) }
    }

    /// Docker's rule: nothing is copied into a container run with --read-only.
    func refuseReadOnly(_ id: String) throws(LighterError) {
        let record = try record(id)
        if record.spec.readOnly { throw .conflict("container \(record.shortID)'s root filesystem is marked read-only") }
    }

    /// The container's root filesystem, mounted for the call if it was not.
    func withContainerRoot(_ id: String, _ body: (CopyRoot) throws(LighterError) -> Void) throws(LighterError) {
        let record = try inspect(id)
        let target = rootfsPath(id)
        var mountedHere = false
        if !FileSystem.isMountPoint(target) {
            try mountRootfs(record)
            mountedHere = true
        }
        defer {
            if mountedHere, let now = try? inspect(id), !isRunning(now), now.state.status != .paused { unmountRootfs(id) }
        }
        let fd = try syscall("open", target) { lighter_open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        try body(CopyRoot(root: FileDescriptor(adopting: fd), label: "container \(record.shortID)"))
    }

    /// Docker's rules: SRC a directory is copied as DEST when DEST does not exist, into DEST/basename(SRC) when
    /// DEST is a directory; SRC ending in "/." copies its contents; a file goes to DEST, or into it when DEST is a
    /// directory. A symlink is copied as a link.
    static func copy(_ source: String, in from: CopyRoot, to destination: String, in to: CopyRoot,
                     owner: TreeCopier.Owner? = nil) throws(LighterError) {
        let copier = TreeCopier(owner: owner)
        let contentsOnly = source.hasSuffix("/.") || CopyRoot.split(source).1.isEmpty
        var sourceIsDirectory = true
        var sourceParent: FileDescriptor?
        var sourceName = ""
        var sourceDirectory: FileDescriptor?
        if contentsOnly {
            guard let dir = try from.directory(source) else { throw .notFound(kind: "directory in \(from.label)", name: source) }
            sourceDirectory = dir
        } else {
            let (parent, name) = try from.parent(of: source)
            var st = stat()
            guard fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .notFound(kind: "file or directory in \(from.label)", name: source)
            }
            sourceIsDirectory = st.st_mode & S_IFMT == S_IFDIR
            (sourceParent, sourceName) = (parent, name)
        }
        func copyInto(_ parent: FileDescriptor, as name: String) throws(LighterError) {
            if let sourceDirectory {
                if mkdirat(parent.rawValue, name, 0o755) == 0 {
                    try copier.giveOwner(parent.rawValue, name)
                } else if lighter_errno() != EEXIST {
                    throw .system(call: "mkdirat", path: "\(to.label):\(destination)", errno: lighter_errno())
                }
                let target = try TreeCopier.openDirectory(parent.rawValue, name)
                try copier.copyContents(of: sourceDirectory.rawValue, into: target.rawValue)
            } else if let sourceParent {
                try copier.copy(from: sourceParent.rawValue, sourceName, to: parent.rawValue, as: name)
            }
        }
        if let existing = try to.directory(destination) {
            if let sourceDirectory {
                try copier.copyContents(of: sourceDirectory.rawValue, into: existing.rawValue)
            } else {
                try copyInto(existing, as: sourceName)
            }
            return
        }
        let (parent, name) = try to.parent(of: destination)
        var st = stat()
        let exists = fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0
        if exists && sourceIsDirectory {
            throw .conflict("cannot copy a directory to a file: \(to.label):\(destination)")
        }
        if !exists && destination.hasSuffix("/") && !sourceIsDirectory {
            throw .notFound(kind: "directory in \(to.label)", name: destination)
        }
        guard !name.isEmpty, name != ".", name != ".." else { throw .invalidArgument("bad destination path \"\(destination)\"") }
        try copyInto(parent, as: name)
    }
}
