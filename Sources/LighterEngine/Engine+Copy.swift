#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterRuntime
import LighterSystem

/// Where `cp` opens paths: the host as is, or a container's file system as the container sees it, where every
/// path is resolved by openat2(RESOLVE_IN_ROOT) so that ".." and symlinks (absolute ones included) stay inside
/// the container. A running container is reached through `/proc/PID/root` (its own mount namespace: volumes, bind
/// mounts, tmpfs and its /etc/hostname, hosts and resolv.conf are where it has them); a stopped one through its
/// root filesystem and `mounts`, the longest destination that holds the path leading to its host source.
struct CopyRoot {
    /// The container's root directory, or nil for the host.
    let root: FileDescriptor?
    /// For messages: "container 0123abcd" or "host".
    let label: String
    /// The container's bind mounts and volumes (destination → host source).
    var mounts: [Mount] = []
    /// Resolve paths under `mounts` here, by path (a stopped container; a running one's root shows them).
    var viaMounts = false

    struct Mount {
        /// Absolute, without "." or ".." or a trailing "/".
        var destination: String
        var source: String
        var readOnly: Bool
    }

    /// The directory at `path`; nil when nothing or a non-directory is there.
    func directory(_ path: String) throws(LighterError) -> FileDescriptor? {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
        guard let root else { return try Self.opened(lighter_open(path, flags, 0), "open", "\(label):\(path)") }
        if viaMounts, let (mount, rest) = mount(holding: path) {
            guard let top = try Self.opened(lighter_open(mount.source, flags | O_NOFOLLOW, 0), "open", mount.source) else { return nil }
            if rest.isEmpty { return top }
            return try Self.opened(lighter_openat2(top.rawValue, rest, UInt64(flags), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT)),
                                   "openat2", "\(label):\(path)")
        }
        return try Self.opened(lighter_openat2(root.rawValue, path, UInt64(flags), 0, UInt64(LIGHTER_RESOLVE_IN_ROOT)),
                               "openat2", "\(label):\(path)")
    }

    private static func opened(_ fd: Int32, _ call: String, _ what: String) throws(LighterError) -> FileDescriptor? {
        if fd >= 0 { return FileDescriptor(adopting: fd) }
        let code = lighter_errno()
        if code == ENOENT || code == ENOTDIR { return nil }
        throw .system(call: call, path: what, errno: code)
    }

    /// The parent directory of `path` (which must exist) and the name of `path`'s entry in it ("" for "/").
    /// The entry of a mount point is its source (a volume's `_data`, the container's own `hostname` file).
    func parent(of path: String) throws(LighterError) -> (FileDescriptor, String) {
        if root != nil, viaMounts, let (mount, rest) = mount(holding: path), rest.isEmpty {
            let (dir, name) = CopyRoot.split(mount.source)
            guard let parent = try Self.opened(lighter_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), "open", dir) else {
                throw .notFound(kind: "mount source of \(label)", name: mount.source)
            }
            return (parent, name)
        }
        let (dir, name) = CopyRoot.split(path)
        guard let parent = try directory(dir) else { throw .notFound(kind: "directory in \(label)", name: dir) }
        return (parent, name)
    }

    /// The mount (of `mounts`) whose destination holds `path`, the longest one, and the rest of the path below it.
    func mount(holding path: String) -> (Mount, String)? {
        let clean = CopyRoot.lexical(path)
        var best: (Mount, String)?
        for mount in mounts {
            let rest: String
            if clean == mount.destination { rest = "" } else if clean.hasPrefix(mount.destination + "/") {
                rest = String(clean.dropFirst(mount.destination.count + 1))
            } else { continue }
            if best.map({ $0.0.destination.count < mount.destination.count }) ?? true { best = (mount, rest) }
        }
        return best
    }

    /// `path` made absolute with "." and ".." taken away by name, as RESOLVE_IN_ROOT does at the root: "a/../b/." → "/b".
    static func lexical(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Docker's rule: nothing is copied into a read-only volume or bind mount.
    func refuseReadOnlyMount(_ path: String) throws(LighterError) {
        if let (mount, _) = mount(holding: path), mount.readOnly {
            throw .conflict("mounted volume \(mount.destination) of \(label) is marked read-only")
        }
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
            try root.refuseReadOnlyMount(path)
            try Engine.copy(hostPath, in: CopyRoot(root: nil, label: "host"), to: path, in: root, owner: owner)
        }
    }

    /// Who new files copied into container `id` belong to: its root, which is a host uid of its own with
    /// `--userns-remap` (nil: this process, the host's root, which is the container's root too).
    func containerRootOwner(_ id: String) throws(LighterError) -> TreeCopier.Owner? {
        try record(id).spec.userNamespace.map { TreeCopier.Owner(uid: $0.uid, gid: $0.gid) }
    }

    /// The mounts `cp` resolves by path in a stopped container: bind mounts and volumes, and the container's own
    /// /etc/hostname, /etc/hosts and /etc/resolv.conf (the files its spec binds there).
    func copyMounts(_ record: ContainerRecord) -> [CopyRoot.Mount] {
        let directory = directory(record.id)
        var mounts = ["hostname", "hosts", "resolv.conf"].map {
            CopyRoot.Mount(destination: "/etc/\($0)", source: "\(directory)/\($0)", readOnly: false)
        }
        for bind in record.spec.binds where !bind.source.isEmpty {
            mounts.removeAll { $0.destination == CopyRoot.lexical(bind.destination) }
            mounts.append(CopyRoot.Mount(destination: CopyRoot.lexical(bind.destination), source: bind.source, readOnly: bind.readOnly))
        }
        return mounts
    }

    /// Docker's rule: nothing is copied into a container run with --read-only.
    func refuseReadOnly(_ id: String) throws(LighterError) {
        let record = try record(id)
        if record.spec.readOnly { throw .conflict("container \(record.shortID)'s root filesystem is marked read-only") }
    }

    /// The container's file system: a running container's through `/proc/PID/root` (its mount namespace), a
    /// stopped one's root filesystem, mounted for the call if it was not, with its mounts resolved by path.
    func withContainerRoot(_ id: String, _ body: (CopyRoot) throws(LighterError) -> Void) throws(LighterError) {
        let record = try inspect(id)
        let label = "container \(record.shortID)"
        if record.state.pid > 0, let root = runningRoot(record) {
            try body(CopyRoot(root: root, label: label, mounts: copyMounts(record)))
            return
        }
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
        try body(CopyRoot(root: FileDescriptor(adopting: fd), label: label, mounts: copyMounts(record), viaMounts: true))
    }

    /// `/proc/PID/root` of a running container's first process, if that process is still the container's
    /// (checked after the open: a pid reused in between would name another process's root).
    private func runningRoot(_ record: ContainerRecord) -> FileDescriptor? {
        let path = "/proc/\(record.state.pid)/root"
        let fd = lighter_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard fd >= 0 else { return nil }
        let root = FileDescriptor(adopting: fd)
        return Runtime.isAlive(record.state.pid, startTime: record.state.pidStartTime) ? root : nil
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
        var sourceEntry = ""
        let sourceName = CopyRoot.split(source).1
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
            (sourceParent, sourceEntry) = (parent, name)
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
                try copier.copy(from: sourceParent.rawValue, sourceEntry, to: parent.rawValue, as: name)
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
