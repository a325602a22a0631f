#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension Engine {
    /// Named volumes of this data root.
    public var volumes: VolumeStore { VolumeStore(dataRoot: images.paths.root) }

    /// Names of the containers that mount volume `name`.
    public func volumeUsers(_ name: String) throws(LighterError) -> [String] {
        let mountpoint = volumes.directory(name) + "/_data"
        return try allIDs().compactMap { id in
            guard let record = try? record(id) else { return nil }
            return record.spec.binds.contains { $0.volume == name || $0.source == mountpoint } ? record.name : nil
        }
    }

    /// Remove the anonymous volumes (64-hex names, made for `-v /path` or an image's VOLUME) that a
    /// removed container used, unless another container uses them too.
    func removeAnonymousVolumes(of record: ContainerRecord) throws(LighterError) {
        for bind in record.spec.binds {
            guard let name = bind.volume, name.count == 64, name.allSatisfy(\.isHexDigit) else { continue }
            let users = try volumeUsers(name)
            if users.isEmpty { try? volumes.remove(name, users: []) }
        }
    }

    /// `volume prune`: remove every volume no container uses; their names.
    public func pruneVolumes() throws(LighterError) -> [String] {
        var removed: [String] = []
        for volume in try volumes.list() where try volumeUsers(volume.Name).isEmpty {
            try volumes.remove(volume.Name, users: [])
            removed.append(volume.Name)
        }
        return removed
    }
}

extension Engine {
    /// Anonymous volume mounts for an image's VOLUME paths that `-v` or `--tmpfs` do not already cover.
    static func imageVolumes(_ paths: [String], covered spec: ContainerSpec) -> [BindMount] {
        var taken = Set(spec.binds.map { clean($0.destination) } + spec.tmpfs.keys.map(clean))
        var mounts: [BindMount] = []
        for path in paths.map(clean).sorted() where path.hasPrefix("/") && path != "/" && !taken.contains(path) {
            taken.insert(path)
            mounts.append(BindMount(anonymousAt: path))
        }
        return mounts
    }

    /// `/a//b/` → `/a/b`.
    static func clean(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return path.hasPrefix("/") ? "/" + parts.joined(separator: "/") : parts.joined(separator: "/")
    }

    /// Docker's copy-up: a volume that is still empty gets what the image has at its mount point (owners,
    /// modes, links kept), and its top directory takes that directory's owner and mode. Mounts the root
    /// filesystem for the copy if something is to be copied, and leaves it as it found it.
    func populateVolumes(_ record: ContainerRecord) throws(LighterError) {
        let empty = record.spec.binds.filter { bind in
            guard bind.volume != nil, let entries = try? FileSystem.list(bind.source) else { return false }
            return entries.isEmpty
        }
        guard !empty.isEmpty else { return }
        let rootfs = rootfsPath(record.id)
        let mountedHere = !FileSystem.isMountPoint(rootfs)
        if mountedHere { try mountRootfs(record) }
        defer { if mountedHere { unmountRootfs(record.id) } }
        let root = FileDescriptor(adopting: try syscall("open", rootfs) { lighter_open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) })
        for bind in empty {
            let fd = lighter_openat2(root.rawValue, String(bind.destination.dropFirst()), UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                                     0, UInt64(LIGHTER_RESOLVE_IN_ROOT))
            guard fd >= 0 else { continue }   // not in the image (or not a directory): the volume starts empty
            let source = FileDescriptor(adopting: fd)
            let target = FileDescriptor(adopting: try syscall("open", bind.source) {
                lighter_open(bind.source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
            })
            try TreeCopier(keepOwners: true).copyContents(of: source.rawValue, into: target.rawValue)
            var st = stat()
            try syscall("fstat", bind.destination) { fstat(source.rawValue, &st) }
            try syscall("fchown", bind.source) { fchown(target.rawValue, st.st_uid, st.st_gid) }
            try syscall("fchmod", bind.source) { fchmod(target.rawValue, st.st_mode & 0o7777) }
        }
    }
}
