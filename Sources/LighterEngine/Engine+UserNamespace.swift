#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// `--userns-remap`: the container's root is an unprivileged host uid. Its image layers are shown to it
/// through idmapped mounts (on-disk uid N appears as host uid start+N, which is N inside), so the shared,
/// read-only snapshots are never chowned; what it writes lands in its upper directory under host ids.
extension Engine {
    /// Make a new container's directory usable by its remapped root: the data root and `containers/` get
    /// the search bit for others (0711, as Docker's data root), the container's directory is group-owned by
    /// the remapped root (0710), and its upper directory, the overlay's root, is owned by it.
    func prepareUserNamespace(_ record: ContainerRecord) throws(LighterError) {
        guard let remap = record.spec.userNamespace else { return }
        for path in [images.paths.root, images.paths.containers] {
            var st = stat()
            try syscall("stat", path) { stat(path, &st) }
            if st.st_mode & 0o001 == 0 { try syscall("chmod", path) { chmod(path, (st.st_mode & 0o7777) | 0o011) } }
        }
        let directory = directory(record.id)
        try syscall("chown", directory) { chown(directory, 0, remap.gid) }
        try syscall("chmod", directory) { chmod(directory, 0o710) }
        try syscall("chown", "\(directory)/upper") { chown("\(directory)/upper", remap.uid, remap.gid) }
    }

    /// New volumes of a remapped container belong to its root (before the image's content is copied up).
    func chownNewVolumes(_ names: [String], of spec: ContainerSpec) throws(LighterError) {
        guard let remap = spec.userNamespace else { return }
        for bind in spec.binds {
            guard let name = bind.volume, names.contains(name) else { continue }
            try syscall("chown", bind.source) { chown(bind.source, remap.uid, remap.gid) }
        }
    }

    /// Idmapped copies of `lowers` attached at `<under>/<n>` (for overlay's lowerdir, which takes paths).
    func attachIdmapped(_ lowers: [String], under: String, remap: UserNamespaceRemap) throws(LighterError) -> [String] {
        let namespace = try Self.userNamespace(remap)
        try FileSystem.makeDirectories(under, mode: 0o700)
        var attached: [String] = []
        do throws(LighterError) {
            for (index, lower) in lowers.enumerated() {
                let target = "\(under)/\(index)"
                if mkdir(target, 0o700) != 0 && lighter_errno() != EEXIST { throw .system(call: "mkdir", path: target, errno: lighter_errno()) }
                let tree = FileDescriptor(adopting: try syscall("open_tree+mount_setattr(MOUNT_ATTR_IDMAP)", lower) {
                    lighter_open_tree_idmapped(lower, namespace.rawValue)
                })
                try syscall("move_mount", target) { lighter_move_mount(tree.rawValue, target) }
                attached.append(target)
            }
        } catch {
            detachIdmapped(attached)
            throw error
        }
        return attached
    }

    /// Unmount the idmapped copies once overlay holds its own references to them.
    func detachIdmapped(_ paths: [String]) {
        for path in paths {
            _ = umount2(path, Int32(MNT_DETACH))
            _ = rmdir(path)
        }
    }

    /// A user namespace with `remap`'s maps (from a short-lived child that waits in it until it is opened).
    static func userNamespace(_ remap: UserNamespaceRemap) throws(LighterError) -> FileDescriptor {
        var fds: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&fds) }
        let reader = FileDescriptor(adopting: fds[0])
        let writer = FileDescriptor(adopting: fds[1])
        let pid = try syscall("clone(CLONE_NEWUSER)") { lighter_clone_userns_waiter(reader.rawValue) }
        defer {
            try? writer.write([0x31])   // the child holds the write end too: a byte, not end of file, lets it exit
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        for (file, start) in [("uid_map", remap.uid), ("gid_map", remap.gid)] {
            let fd = try FileDescriptor(path: "/proc/\(pid)/\(file)", flags: O_WRONLY | O_CLOEXEC)
            try fd.write("0 \(start) \(remap.size)\n")
            try fd.close()
        }
        let namespace = FileDescriptor(adopting: try syscall("open", "/proc/\(pid)/ns/user") {
            lighter_open("/proc/\(pid)/ns/user", O_RDONLY | O_CLOEXEC, 0)
        })
        return namespace
    }
}
