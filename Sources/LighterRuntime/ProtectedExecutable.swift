#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// The lighter binary as the processes that enter a container (`__init`, `__exec`) run it: through a
/// read-only, nosuid, nodev bind mount of the binary under `/run/lighter/exe/`, made once per binary
/// (device and inode) and reused. While such a process runs, a container process may reach it as
/// `/proc/PID/exe` (CVE-2019-5736); opening that for writing then fails with EROFS, whether or not
/// any other process still runs the binary (ETXTBSY is no protection once the monitor is gone).
///
/// Measured here: a per-process detached copy (`open_tree` + `mount_setattr`) costs ~8 ms when its last
/// reference goes (an RCU grace period, paid by the container's first process or by the CLI's exit);
/// a sealed memfd copy costs a copy of the whole binary per start. The lasting bind costs two `stat`s.
/// The bind stays mounted (host state like the runtime's state directory); an upgraded binary gets a
/// bind of its own, and the binds of binaries that no longer exist are detached when the next is made.
public enum ProtectedExecutable {
    public static let directory = "/run/lighter/exe"

    /// The path of the read-only bind of `executable` (made if missing).
    public static func path(of executable: String, directory: String = ProtectedExecutable.directory) throws(LighterError) -> String {
        var source = stat()
        try syscall("stat", executable) { stat(executable, &source) }
        let target = "\(directory)/\(source.st_dev)-\(source.st_ino)"
        if isReadOnlyBind(target, of: source) { return target }
        // Traversable: the init of a user namespace execs the bind as its (mapped) root.
        try FileSystem.makeDirectories(directory, mode: 0o711)
        let lock = try FileLock(path: "\(directory)/lock", mode: .exclusive)
        defer { lock.release() }
        if isReadOnlyBind(target, of: source) { return target }
        detachStale(in: directory)
        let file = try FileDescriptor(path: target, flags: O_WRONLY | O_CREAT | O_CLOEXEC, mode: 0o500)
        try file.close()
        try syscall("mount", target) { mount(executable, target, nil, UInt(MS_BIND), nil) }
        let flags = UInt(MS_BIND) | UInt(MS_REMOUNT) | UInt(MS_RDONLY) | UInt(MS_NOSUID) | UInt(MS_NODEV)
        do throws(LighterError) {
            try syscall("mount", target) { mount(nil, target, nil, flags, nil) }
        } catch {
            _ = umount2(target, Int32(MNT_DETACH))
            throw error
        }
        guard isReadOnlyBind(target, of: source) else {
            throw .unsupported(feature: "a read-only bind of \(executable) at \(target)",
                               fix: "the bind mount did not come out read-only; check what else mounts under \(directory)")
        }
        return target
    }

    /// `target` is `source`'s inode on a read-only mount.
    static func isReadOnlyBind(_ target: String, of source: stat) -> Bool {
        var st = stat()
        var fs = statvfs()
        guard stat(target, &st) == 0, st.st_dev == source.st_dev, st.st_ino == source.st_ino,
              statvfs(target, &fs) == 0 else { return false }
        return fs.f_flag & UInt(ST_RDONLY) != 0
    }

    /// Binds whose binary is gone (replaced by an upgrade): detached (processes running them keep them).
    private static func detachStale(in directory: String) {
        guard let names = try? FileSystem.list(directory) else { return }
        for name in names where name != "lock" {
            let path = "\(directory)/\(name)"
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if st.st_nlink == 0 || "\(st.st_dev)-\(st.st_ino)" != name {
                _ = umount2(path, Int32(MNT_DETACH))
                _ = unlink(path)
            }
        }
    }
}
