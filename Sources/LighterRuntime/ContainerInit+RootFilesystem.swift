#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Mount namespace set-up: rootfs bind, spec mounts, /dev, pivot_root, masked and read-only paths.
extension ContainerInit {
    /// Mounts, /dev and pivot_root into the new root.
    static func setUpRootFilesystem(_ config: InitConfig, spec: RuntimeSpec) throws(LighterError) {
        let rootfs = config.rootfs
        let propagation = spec.linux?.rootfsPropagation.flatMap(MountOptions.propagationFlags)
            ?? (UInt(MS_REC) | UInt(MS_PRIVATE))
        try mount(nil, "/", nil, propagation | UInt(MS_REC))
        try mount(rootfs, rootfs, nil, UInt(MS_BIND) | UInt(MS_REC))

        var mountedDev = false
        for entry in spec.mounts ?? [] {
            try mountSpecEntry(entry, rootfs: rootfs, bundle: config.bundle, cgroupSources: config.cgroupMountSources)
            if entry.destination == "/dev" { mountedDev = true }
        }
        let userNamespace = (spec.linux?.namespaces ?? []).contains { $0.type == "user" }
        if mountedDev { try createDefaultDevices(rootfs: rootfs, userNamespace: userNamespace) }
        for device in spec.linux?.devices ?? [] {
            try createDevice(device, rootfs: rootfs, userNamespace: userNamespace)
        }
        if let hooks = spec.hooks?.createContainer {
            try HookRunner.run(hooks, phase: "createContainer", state: Array((config.hookState ?? "{}").utf8))
        }
        try pivotRoot(rootfs)
    }

    /// After hostname and sysctls are set: masked and read-only paths, then the read-only root.
    static func finishRootFilesystem(_ spec: RuntimeSpec) throws(LighterError) {
        for path in spec.linux?.maskedPaths ?? [] { try mask(path) }
        for path in spec.linux?.readonlyPaths ?? [] { try makeReadOnly(path) }
        if spec.root?.readonly == true {
            try mount(nil, "/", nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | UInt(MS_RDONLY) | lockedFlags("/"))
        }
    }

    static func mount(_ source: String?, _ target: String, _ type: String?, _ flags: UInt, _ data: String? = nil) throws(LighterError) {
        try syscall("mount", target) {
            withOptionalCString(source) { source in
                withOptionalCString(type) { type in
                    withOptionalCString(data) { data in Glibc.mount(source, target, type, flags, data) }
                }
            }
        }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }

    /// Flags a bind remount must keep (the kernel refuses to clear them inside a user namespace).
    private static func lockedFlags(_ path: String) -> UInt {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return 0 }
        let keep = UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC) | UInt(MS_NOATIME) | UInt(MS_NODIRATIME) | UInt(MS_RELATIME)
        return UInt(st.f_flag) & keep
    }

    private static func mountSpecEntry(_ entry: RuntimeSpec.Mount, rootfs: String, bundle: String,
                                       cgroupSources: [String: String]) throws(LighterError) {
        let options = MountOptions(entry.options ?? [])
        let type = entry.type ?? ""
        let destination = resolveInRoot(rootfs, entry.destination)
        if options.isBind || type == "bind" {
            guard var source = entry.source else {
                throw .invalidArgument("bind mount \(entry.destination) has no source")
            }
            if !source.hasPrefix("/") { source = "\(bundle)/\(source)" }
            var st = stat()
            try syscall("stat", source) { stat(source, &st) }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try FileSystem.makeDirectories(destination)
            } else {
                try FileSystem.makeDirectories(FileSystem.dirname(of: destination))
                if !FileSystem.exists(destination) {
                    let fd = try FileDescriptor(path: destination, flags: O_WRONLY | O_CREAT, mode: 0o644)
                    try fd.close()
                }
            }
            try mount(source, destination, nil, UInt(MS_BIND) | (options.flags & UInt(MS_REC)))
            let extra = options.flags & ~(UInt(MS_BIND) | UInt(MS_REC) | UInt(MS_REMOUNT))
            if extra != 0 {
                try mount(nil, destination, nil, extra | UInt(MS_BIND) | UInt(MS_REMOUNT) | lockedFlags(destination))
            }
        } else if type == "cgroup" || type == "cgroup2" {
            try mountCgroups(at: destination, options: options, sources: cgroupSources)
        } else {
            guard !type.isEmpty else { throw .invalidArgument("mount \(entry.destination) has no type") }
            try FileSystem.makeDirectories(destination)
            let data = options.dataString
            try mount(entry.source ?? type, destination, type, options.flags, data.isEmpty ? nil : data)
        }
        for flags in options.propagation { try mount(nil, destination, nil, flags) }
    }

    /// The container's own cgroups at `destination`: v1 a tmpfs with one bind per hierarchy, v2 a bind of
    /// its unified directory; read-only when the options say so (Docker's default).
    private static func mountCgroups(at destination: String, options: MountOptions, sources: [String: String]) throws(LighterError) {
        try FileSystem.makeDirectories(destination)
        let readOnly = options.isReadOnly ? UInt(MS_RDONLY) : 0
        let flags = options.flags & (UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC))
        if let unified = sources[""] {
            try mount(unified, destination, nil, UInt(MS_BIND) | UInt(MS_REC))
            try mount(nil, destination, nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | flags | readOnly)
            return
        }
        try mount("tmpfs", destination, "tmpfs", flags, "mode=755")
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            let target = "\(destination)/\(name)"
            try FileSystem.makeDirectories(target)
            try mount(source, target, nil, UInt(MS_BIND) | UInt(MS_REC))
            try mount(nil, target, nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | flags | readOnly)
        }
        if readOnly != 0 { try mount(nil, destination, nil, UInt(MS_REMOUNT) | flags | readOnly, "mode=755") }
    }

    /// `path` inside `root`, following symlinks as if `root` were "/" (a hostile image cannot point a
    /// mount outside its rootfs).
    static func resolveInRoot(_ root: String, _ path: String) -> String {
        var resolved: [Substring] = []
        var pending = path.split(separator: "/")[...]
        var links = 0
        while let part = pending.popFirst() {
            if part == "." { continue }
            if part == ".." { _ = resolved.popLast(); continue }
            let candidate = root + "/" + (resolved + [part]).joined(separator: "/")
            var st = stat()
            if links < 40, lstat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
                links += 1
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(candidate, &buffer, Int(PATH_MAX))
                if count > 0 {
                    let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if target.hasPrefix("/") { resolved = [] }
                    pending = (target.split(separator: "/") + pending)[...]
                    continue
                }
            }
            resolved.append(part)
        }
        return root + "/" + resolved.joined(separator: "/")
    }

    private static let defaultDevices: [(String, UInt32, UInt32)] = [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ]

    private static func createDefaultDevices(rootfs: String, userNamespace: Bool) throws(LighterError) {
        for (name, major, minor) in defaultDevices {
            try makeNode("\(rootfs)/dev/\(name)", type: S_IFCHR, major: major, minor: minor, mode: 0o666,
                         uid: 0, gid: 0, hostPath: "/dev/\(name)", userNamespace: userNamespace)
        }
        let links = [("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
                     ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"), ("/proc/kcore", "core")]
        for (target, name) in links {
            _ = try syscallTolerating("symlink", "/dev/\(name)", [EEXIST]) { symlink(target, "\(rootfs)/dev/\(name)") }
        }
    }

    private static func createDevice(_ device: RuntimeSpec.Device, rootfs: String, userNamespace: Bool) throws(LighterError) {
        let type: mode_t
        switch device.type {
        case "c", "u": type = S_IFCHR
        case "b": type = S_IFBLK
        case "p": type = S_IFIFO
        default: throw .invalidArgument("device \(device.path) has unknown type \"\(device.type)\"")
        }
        let path = resolveInRoot(rootfs, device.path)
        try FileSystem.makeDirectories(FileSystem.dirname(of: path))
        try makeNode(path, type: type, major: UInt32(device.major), minor: UInt32(device.minor),
                     mode: mode_t(device.fileMode ?? 0o666) & 0o7777, uid: device.uid ?? 0, gid: device.gid ?? 0,
                     hostPath: device.path, userNamespace: userNamespace)
    }

    /// mknod, or inside a user namespace (where mknod is refused) a bind mount of the host's node.
    private static func makeNode(_ path: String, type: mode_t, major: UInt32, minor: UInt32, mode: mode_t,
                                 uid: UInt32, gid: UInt32, hostPath: String, userNamespace: Bool) throws(LighterError) {
        if FileSystem.exists(path) { _ = unlink(path) }
        if !userNamespace {
            try syscall("mknod", path) { mknod(path, type | mode, __dev_t(lighter_makedev(major, minor))) }
            try syscall("chown", path) { chown(path, uid, gid) }
            return
        }
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT, mode: 0o644)
        try fd.close()
        try mount(hostPath, path, nil, UInt(MS_BIND))
    }

    /// pivot_root(".", ".") and a lazy unmount of the old root stacked on top (runc's way; no temp dir).
    private static func pivotRoot(_ rootfs: String) throws(LighterError) {
        let oldRoot = try FileDescriptor(path: "/", flags: O_DIRECTORY | O_RDONLY)
        let newRoot = try FileDescriptor(path: rootfs, flags: O_DIRECTORY | O_RDONLY)
        try syscall("fchdir", rootfs) { fchdir(newRoot.rawValue) }
        try syscall("pivot_root", rootfs) { lighter_pivot_root(".", ".") }
        try syscall("fchdir", "old root") { fchdir(oldRoot.rawValue) }
        try mount(nil, ".", nil, UInt(MS_SLAVE) | UInt(MS_REC))
        try syscall("umount2", "old root") { umount2(".", Int32(MNT_DETACH)) }
        try syscall("chdir", "/") { chdir("/") }
    }

    /// Hide a path: /dev/null over files, an empty read-only tmpfs over directories.
    private static func mask(_ path: String) throws(LighterError) {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            try mount("tmpfs", path, "tmpfs", UInt(MS_RDONLY))
        } else {
            try mount("/dev/null", path, nil, UInt(MS_BIND))
        }
    }

    private static func makeReadOnly(_ path: String) throws(LighterError) {
        guard FileSystem.exists(path) else { return }
        try mount(path, path, nil, UInt(MS_BIND) | UInt(MS_REC))
        try mount(nil, path, nil, UInt(MS_BIND) | UInt(MS_REMOUNT) | UInt(MS_RDONLY) | UInt(MS_REC) | lockedFlags(path))
    }
}
