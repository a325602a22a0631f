#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

extension Engine {
    /// Mount the container's root: an overlay of the image's snapshot chain (top layer first)
    /// under the container's own upper directory (idmapped layers with `--userns-remap`).
    func mountRootfs(_ record: ContainerRecord) throws(LighterError) {
        let target = rootfsPath(record.id)
        if FileSystem.isMountPoint(target) { return }
        let image = try images.image(id: record.spec.imageID)
        let lowers = image.layers.reversed().map { images.snapshots.path(of: $0.chainID) }
        for lower in lowers where !FileSystem.isDirectory(lower) {
            throw .notFound(kind: "image layer", name: "\(lower) (run `lighter system check`)")
        }
        let directory = directory(record.id)
        // With --userns-remap the layers are seen through idmapped mounts, attached only until overlay holds them.
        var attached: [String] = []
        if let remap = record.spec.userNamespace {
            attached = try attachIdmapped(lowers, under: "\(directory)/lowers", remap: remap)
        }
        defer { detachIdmapped(attached) }
        let options = "lowerdir=\((attached.isEmpty ? lowers : attached).joined(separator: ":")),upperdir=\(directory)/upper,workdir=\(directory)/work"
        guard options.utf8.count < 4000 else {
            throw .unsupported(feature: "an image of \(image.layers.count) layers", fix: "the overlay mount options exceed one page; squash the image")
        }
        // A `--rm` container's upper directory is thrown away with it: `volatile` spares the syncs
        // of the upper filesystem (on unmount, a syncfs of the whole SD card). Kernels before 5.10
        // refuse the option: mount without it there.
        // A volatile mount leaves work/work/incompat/volatile behind, and the kernel refuses to mount that
        // work directory again until it is gone: a --rm container is mounted twice when image
        // content is first copied into its volumes. Its upper directory is thrown away with it
        // anyway, so the marker's warning (unsynced after a crash) costs nothing here.
        if record.spec.autoRemove {
            let marker = "\(directory)/work/work/incompat"
            if FileSystem.exists(marker) { try FileSystem.removeTree(marker) }
            if mount("overlay", target, "overlay", 0, options + ",volatile") == 0 { return }
        }
        try syscall("mount overlay", target) { mount("overlay", target, "overlay", 0, options) }
    }

    func unmountRootfs(_ id: String) {
        for target in [rootfsPath(id), shmPath(id)] {
            while FileSystem.isMountPoint(target) {
                if umount2(target, Int32(MNT_DETACH)) != 0 { break }
            }
        }
    }

    /// `--ipc shareable`: the container's /dev/shm is a tmpfs on the host side, so that containers
    /// started with `--ipc container:NAME` can bind the same one (as Docker keeps it).
    func shmPath(_ id: String) -> String { "\(directory(id))/shm" }

    func mountShareableShm(_ id: String, size: Int64?) throws(LighterError) {
        let target = shmPath(id)
        if FileSystem.isMountPoint(target) { return }
        try FileSystem.makeDirectories(target, mode: 0o700)
        let options = "mode=1777,size=\(size ?? 64 * 1024 * 1024)"
        try syscall("mount tmpfs", target) { mount("shm", target, "tmpfs", UInt(MS_NOSUID | MS_NODEV | MS_NOEXEC), options) }
    }
}
