#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Mount namespace set-up: rootfs bind, spec mounts, /dev, pivot_root, masked and read-only paths.
extension ContainerInit {
    /// Mounts, /dev and pivot_root into the new root. Every target inside the root filesystem is resolved
    /// through `RootDirectory` (openat2 RESOLVE_IN_ROOT, created relative to its parent's descriptor) and
    /// mounted on as `/proc/self/fd/N` of a procfs checked first: a symlink the image (or another container
    /// sharing a volume) put on the way cannot send a mount, a device node or an owner outside the root.
    static func setUpRootFilesystem(_ config: InitConfig, spec: RuntimeSpec) throws(LighterError) {
        let rootfs = config.rootfs
        guard spec.hasMountNamespace else {
            // The caller's mount namespace: nothing is mounted (validation refused mounts, masks, a
            // read-only root and propagation, which would land in the caller's namespace and stay there,
            // as they do with runc and crun); the root is entered with chroot.
            try enterRootWithoutMountNamespace(config, spec: spec)
            return
        }
        // Cut the copied mounts off from the caller's first (runc's order): rprivate by default, rslave
        // when a propagation is requested (so that host mounts still reach a shared or slave root). Made
        // shared here, pivot_root would fail and every mount below would appear in the caller's namespace;
        // made unbindable, the rootfs bind would fail. The requested propagation is applied to the new
        // root at the end (`applyRootPropagation`).
        let first = spec.linux?.rootfsPropagation == nil || rootPropagation(spec) == UInt(MS_PRIVATE)
            ? UInt(MS_PRIVATE) : UInt(MS_SLAVE)
        try mount(nil, "/", nil, first | UInt(MS_REC))
        try mount(rootfs, rootfs, nil, UInt(MS_BIND) | UInt(MS_REC))
        let proc = try ProcFS()
        let root = try RootDirectory(path: rootfs, label: "container's root filesystem")

        var mountedDev = false
        for entry in spec.mounts ?? [] {
            try mountSpecEntry(entry, root: root, proc: proc, bundle: config.bundle, cgroupSources: config.cgroupMountSources)
            if entry.destination == "/dev" { mountedDev = true }
        }
        let userNamespace = (spec.linux?.namespaces ?? []).contains { $0.type == "user" }
        if mountedDev { try createDefaultDevices(root: root, proc: proc, userNamespace: userNamespace) }
        for device in spec.linux?.devices ?? [] {
            try createDevice(device, root: root, proc: proc, userNamespace: userNamespace)
        }
        if let hooks = spec.hooks?.createContainer {
            try HookRunner.run(hooks, phase: "createContainer", state: Array((config.hookState ?? "{}").utf8))
        }
        if config.noPivot == true { try moveRoot(root) } else { try pivotRoot(root) }
    }

    /// A container in the caller's mount namespace: devices made in its root (mknod only: a bind
    /// would be a mount), the createContainer hooks, then chroot into the root.
    private static func enterRootWithoutMountNamespace(_ config: InitConfig, spec: RuntimeSpec) throws(LighterError) {
        let root = try RootDirectory(path: config.rootfs, label: "container's root filesystem")
        if !(spec.linux?.devices ?? []).isEmpty {
            let proc = try ProcFS()
            for device in spec.linux?.devices ?? [] {
                try createDevice(device, root: root, proc: proc, userNamespace: false)
            }
        }
        if let hooks = spec.hooks?.createContainer {
            try HookRunner.run(hooks, phase: "createContainer", state: Array((config.hookState ?? "{}").utf8))
        }
        try syscall("fchdir", root.label) { fchdir(root.fd.rawValue) }
        try syscall("chroot", root.label) { chroot(".") }
        try syscall("chdir", "/") { chdir("/") }
        try root.fd.close()
    }

    /// runc's `--no-pivot`: full procfs and sysfs mounts outside the root are detached first (or, where
    /// that is refused, covered with a tmpfs: a procfs left reachable would let the container mount a
    /// new one), then the root's mount is moved onto "/" and entered with chroot. The rest of the old root
    /// stays in the namespace, under the new one.
    private static func moveRoot(_ root: RootDirectory) throws(LighterError) {
        let rootfs = try FileSystem.readLink("/proc/self/fd/\(root.fd.rawValue)")
        let exposed = try MountInfo.read().filter {
            ($0.fileSystemType == "proc" || $0.fileSystemType == "sysfs") && $0.root == "/"
                && $0.mountPoint != rootfs && !$0.mountPoint.hasPrefix(rootfs + "/")
        }
        for entry in exposed.reversed() {
            if umount2(entry.mountPoint, Int32(MNT_DETACH)) != 0 {
                let code = lighter_errno()
                if code == ENOENT { continue }   // under a mount detached already
                guard code == EINVAL || code == EPERM else {
                    throw .system(call: "umount2", path: entry.mountPoint, errno: code)
                }
                try mount("tmpfs", entry.mountPoint, "tmpfs", 0, naming: entry.mountPoint)
            }
        }
        try syscall("fchdir", root.label) { fchdir(root.fd.rawValue) }
        try mount(".", "/", nil, UInt(MS_MOVE), naming: "\(root.label) (MS_MOVE onto /)")
        try syscall("chroot", root.label) { chroot(".") }
        try syscall("chdir", "/") { chdir("/") }
        try root.fd.close()
    }

    /// After hostname and sysctls are set: masked and read-only paths (through the container's checked
    /// procfs), then the read-only root.
    static func finishRootFilesystem(_ spec: RuntimeSpec, proc: () throws(LighterError) -> ProcFS) throws(LighterError) {
        guard spec.hasMountNamespace else { return }
        let masked = spec.linux?.maskedPaths ?? []
        let readOnly = spec.linux?.readonlyPaths ?? []
        let root = try RootDirectory(path: "/", label: "container")
        if !masked.isEmpty || !readOnly.isEmpty {
            let procfs = try proc()
            var null: FileDescriptor?
            for path in masked { try mask(path, root: root, proc: procfs, null: &null) }
            for path in readOnly { try makeReadOnly(path, root: root, proc: procfs) }
        }
        if spec.root?.readonly == true {
            try mount(nil, "/", nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | UInt(MS_RDONLY) | lockedFlags(root.fd))
        }
        try applyRootPropagation(spec)
    }

    /// `linux.rootfsPropagation`'s flags without MS_REC (validated when the spec is read).
    private static func rootPropagation(_ spec: RuntimeSpec) -> UInt? {
        spec.linux?.rootfsPropagation.flatMap(MountOptions.propagationFlags).map { $0 & ~UInt(MS_REC) }
    }

    /// The requested propagation on the container's own "/" after pivot_root and every bind made below it
    /// (masked and read-only paths bind from mounts an unbindable root would refuse): shared, slave,
    /// private or unbindable, recursive for the r-prefixed names, as runc applies it.
    private static func applyRootPropagation(_ spec: RuntimeSpec) throws(LighterError) {
        guard let name = spec.linux?.rootfsPropagation, let flags = MountOptions.propagationFlags(name) else { return }
        try mount(nil, "/", nil, flags, naming: "/ (linux.rootfsPropagation \(name))")
    }

    static func mount(_ source: String?, _ target: String, _ type: String?, _ flags: UInt, _ data: String? = nil,
                      naming: String? = nil) throws(LighterError) {
        try syscall("mount", naming ?? target) {
            withOptionalCString(source) { source in
                withOptionalCString(type) { type in
                    withOptionalCString(data) { data in POSIX.mount(source, target, type, flags, data) }
                }
            }
        }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }

    /// Flags a bind remount must keep (the kernel refuses to clear them inside a user namespace).
    private static func lockedFlags(_ fd: FileDescriptor) -> UInt {
        var st = statvfs()
        guard fstatvfs(fd.rawValue, &st) == 0 else { return 0 }
        let keep = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC) | UInt(MS_NOATIME) | UInt(MS_NODIRATIME) | UInt(MS_RELATIME)
        return UInt(st.f_flag) & keep
    }

    private static func mountSpecEntry(_ entry: RuntimeSpec.Mount, root: RootDirectory, proc: ProcFS, bundle: String,
                                       cgroupSources: [String: String]) throws(LighterError) {
        let options = MountOptions(entry.options ?? [])
        let type = entry.type ?? ""
        let destination = entry.destination
        // proc and sysfs must be exactly where they are named: no symlink on the way, and checked once mounted.
        let pseudo: (magic: Int, name: String)? = type == "proc" ? (ProcFS.superMagic, "procfs")
            : type == "sysfs" ? (ProcFS.sysfsMagic, "sysfs") : nil
        if options.isBind || type == "bind" {
            guard var source = entry.source else {
                throw .invalidArgument("bind mount \(destination) has no source")
            }
            if !source.hasPrefix("/") { source = "\(bundle)/\(source)" }
            var st = stat()
            try syscall("stat", source) { stat(source, &st) }
            let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            let target = try root.target(destination, file: !isDirectory)
            let found = try target.stat()
            if isDirectory != ((found.st_mode & S_IFMT) == S_IFDIR) {
                throw .invalidArgument("cannot bind \(isDirectory ? "directory" : "file") \(source) on \(destination): the container has a \(isDirectory ? "file" : "directory") there")
            }
            // A detached copy with its flags set, attached onto the target's descriptor in one step: nothing can
            // swap the target between the bind and a remount, so a read-only bind is never left writable.
            let attributes = try options.bindAttributes(destination)
            let recursive: Int32 = options.flags & UInt(MS_REC) != 0 ? 1 : 0
            let tree = FileDescriptor(adopting: try syscall("open_tree", source) {
                lighter_bind_clone(source, recursive, attributes.set, attributes.clear, attributes.propagation)
            })
            try syscall("move_mount", destination) { lighter_move_mount_onto(tree.rawValue, target.rawValue) }
            try tree.close()
            return
        } else if type == "cgroup" || type == "cgroup2" {
            try mountCgroups(at: destination, root: root, proc: proc, options: options, sources: cgroupSources)
        } else {
            guard !type.isEmpty else { throw .invalidArgument("mount \(destination) has no type") }
            let target = try root.target(destination, noSymlinks: pseudo != nil)
            let data = options.dataString
            try mount(entry.source ?? type, proc.path(of: target), type, options.flags, data.isEmpty ? nil : data, naming: destination)
            if let pseudo {
                guard let mounted = try root.open(destination, noSymlinks: true) else {
                    throw .notFound(kind: "mount target in the container", name: destination)
                }
                try ProcFS.expect(mounted, magic: pseudo.magic, what: destination, name: pseudo.name)
            }
        }
        if !options.propagation.isEmpty {
            let mounted = try root.target(destination)
            for flags in options.propagation { try mount(nil, proc.path(of: mounted), nil, flags, naming: destination) }
        }
    }

    /// The container's own cgroups at `destination`: v1 a tmpfs with one bind per hierarchy, v2 a bind of
    /// its unified directory; read-only when the options say so (Docker's default).
    private static func mountCgroups(at destination: String, root: RootDirectory, proc: ProcFS, options: MountOptions,
                                     sources: [String: String]) throws(LighterError) {
        let target = try root.target(destination, noSymlinks: true)
        let readOnly = options.isReadOnly ? UInt(MS_RDONLY) : 0
        let flags = options.flags & (UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC))
        if let unified = sources[""] {
            try mount(unified, proc.path(of: target), nil, UInt(MS_BIND) | UInt(MS_REC), naming: destination)
            let mounted = try root.target(destination, noSymlinks: true)
            try mount(nil, proc.path(of: mounted), nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | flags | readOnly, naming: destination)
            return
        }
        try mount("tmpfs", proc.path(of: target), "tmpfs", flags, "mode=755", naming: destination)
        // The tmpfs just mounted, which nothing else can reach yet: its entries by name.
        let tmpfs = try root.target(destination, noSymlinks: true)
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            let path = "\(destination)/\(name)"
            _ = try syscallTolerating("mkdirat", path, [EEXIST]) { mkdirat(tmpfs.rawValue, name, 0o755) }
            let hierarchy = try tmpfs.openAt(name, flags: OpenFlags.path | O_DIRECTORY | O_NOFOLLOW)
            try mount(source, proc.path(of: hierarchy), nil, UInt(MS_BIND) | UInt(MS_REC), naming: path)
            let mounted = try tmpfs.openAt(name, flags: OpenFlags.path | O_DIRECTORY | O_NOFOLLOW)
            try mount(nil, proc.path(of: mounted), nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | flags | readOnly, naming: path)
        }
        if readOnly != 0 {
            try mount(nil, proc.path(of: tmpfs), nil, UInt(MS_REMOUNT) | flags | readOnly, "mode=755", naming: destination)
        }
    }

    private static let defaultDevices: [(String, UInt32, UInt32)] = [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ]

    private static func createDefaultDevices(root: RootDirectory, proc: ProcFS, userNamespace: Bool) throws(LighterError) {
        let dev = try root.target("/dev")
        for (name, major, minor) in defaultDevices {
            try makeNode(name, in: dev, path: "/dev/\(name)", hostPath: "/dev/\(name)", type: S_IFCHR, major: major, minor: minor, mode: 0o666,
                         uid: 0, gid: 0, proc: proc, userNamespace: userNamespace)
        }
        let links = [("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
                     ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"), ("/proc/kcore", "core")]
        for (target, name) in links {
            _ = try syscallTolerating("symlinkat", "/dev/\(name)", [EEXIST]) { symlinkat(target, dev.rawValue, name) }
        }
    }

    private static func createDevice(_ device: RuntimeSpec.Device, root: RootDirectory, proc: ProcFS,
                                     userNamespace: Bool) throws(LighterError) {
        let type: mode_t
        switch device.type {
        case "c", "u": type = S_IFCHR
        case "b": type = S_IFBLK
        case "p": type = S_IFIFO
        default: throw .invalidArgument("device \(device.path) has unknown type \"\(device.type)\"")
        }
        let (parent, name) = try root.parent(of: device.path)
        try makeNode(name, in: parent, path: device.path, hostPath: device.path, type: type, major: UInt32(device.major), minor: UInt32(device.minor),
                     mode: mode_t(device.fileMode ?? 0o666) & 0o7777, uid: device.uid ?? 0, gid: device.gid ?? 0,
                     proc: proc, userNamespace: userNamespace)
    }

    /// AT_EMPTY_PATH (fcntl.h, _GNU_SOURCE): act on the descriptor itself.
    static let atEmptyPath: Int32 = 0x1000

    /// Node `name` of directory `parent` (whatever was there, a symlink included, is replaced, never followed):
    /// mknodat and an owner set on the node's own descriptor, or inside a user namespace (where mknod is
    /// refused) an empty file with the host's node bind-mounted on it.
    private static func makeNode(_ name: String, in parent: FileDescriptor, path: String, hostPath: String, type: mode_t, major: UInt32, minor: UInt32,
                                 mode: mode_t, uid: UInt32, gid: UInt32, proc: ProcFS, userNamespace: Bool) throws(LighterError) {
        var st = stat()
        if fstatat(parent.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw .invalidArgument("cannot create device \(path): a directory is there") }
            try syscall("unlinkat", path) { unlinkat(parent.rawValue, name, 0) }
        }
        if !userNamespace {
            try syscall("mknodat", path) { mknodat(parent.rawValue, name, type | mode, __dev_t(lighter_makedev(major, minor))) }
            let node = try parent.openAt(name, flags: OpenFlags.path | O_NOFOLLOW)
            try syscall("fchownat", path) { fchownat(node.rawValue, "", uid, gid, atEmptyPath | AT_SYMLINK_NOFOLLOW) }
            return
        }
        let file = try parent.openAt(name, flags: O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o644)
        try mount(hostPath, proc.path(of: file), nil, UInt(MS_BIND), naming: path)
    }

    /// pivot_root(".", ".") in the root's descriptor and a lazy unmount of the old root stacked on top
    /// (runc's way; no temp dir). The descriptor of the old root is closed before anything else runs.
    private static func pivotRoot(_ root: RootDirectory) throws(LighterError) {
        let oldRoot = try FileDescriptor(path: "/", flags: O_DIRECTORY | O_RDONLY)
        try syscall("fchdir", root.label) { fchdir(root.fd.rawValue) }
        try syscall("pivot_root", root.label) { lighter_pivot_root(".", ".") }
        try syscall("fchdir", "old root") { fchdir(oldRoot.rawValue) }
        try mount(nil, ".", nil, UInt(MS_SLAVE) | UInt(MS_REC))
        try syscall("umount2", "old root") { umount2(".", Int32(MNT_DETACH)) }
        try syscall("chdir", "/") { chdir("/") }
        try oldRoot.close()
        try root.fd.close()
    }

    /// Hide a path: /dev/null over files, an empty read-only tmpfs over directories.
    /// `null`: the container's /dev/null, opened and checked at the first masked file.
    private static func mask(_ path: String, root: RootDirectory, proc: ProcFS, null cached: inout FileDescriptor?) throws(LighterError) {
        guard let target = try root.open(path) else { return }
        if (try target.stat().st_mode & S_IFMT) == S_IFDIR {
            try mount("tmpfs", proc.path(of: target), "tmpfs", UInt(MS_RDONLY), naming: path)
        } else {
            if cached == nil {
                let opened = try root.open("/dev/null")
                let st = try opened?.stat()
                guard let st, (st.st_mode & S_IFMT) == S_IFCHR,
                      lighter_major(UInt64(st.st_rdev)) == 1, lighter_minor(UInt64(st.st_rdev)) == 3 else {
                    throw .invalidArgument("cannot mask \(path): the container's /dev/null is not the null device")
                }
                cached = opened
            }
            guard let null = cached else { return }
            try mount(proc.path(of: null), proc.path(of: target), nil, UInt(MS_BIND), naming: path)
        }
    }

    /// A read-only recursive copy of the path bound over it (made read-only before it is attached).
    private static func makeReadOnly(_ path: String, root: RootDirectory, proc: ProcFS) throws(LighterError) {
        guard let target = try root.open(path) else { return }
        let tree = FileDescriptor(adopting: try syscall("open_tree", path) {
            lighter_bind_clone(proc.path(of: target), 1, 0x1 /* MOUNT_ATTR_RDONLY */, 0, 0)
        })
        try syscall("move_mount", path) { lighter_move_mount_onto(tree.rawValue, target.rawValue) }
        try tree.close()
    }
}
