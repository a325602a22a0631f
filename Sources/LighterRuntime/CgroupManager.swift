#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem
import CLighter

/// One container's cgroup(s): created with limits before the init joins, destroyed on delete.
public protocol CgroupManager: Sendable {
    /// The cgroup path relative to the hierarchy root, e.g. "/lighter/web".
    var path: String { get }
    /// Create the cgroup(s) and apply `resources`. A limit the kernel cannot enforce is an error.
    func create(resources: RuntimeSpec.Resources?) throws(LighterError)
    /// Change the limits of an existing cgroup (`update`): memory, CPU, cpuset CPUs and pids; what
    /// `resources` leaves nil stays as it is. A limit the kernel cannot enforce is an error.
    func update(resources: RuntimeSpec.Resources) throws(LighterError)
    /// Move `pid` into the cgroup(s).
    func add(pid: Int32) throws(LighterError)
    /// Files a single-threaded process writes "0" to, to move itself in: cgroup v1's `tasks`, which
    /// moves the calling thread without the global threadgroup lock — `cgroup.procs` takes it and
    /// waits for an RCU grace period (5–15 ms here). nil when there are none (v2: `add(pid:)`).
    func selfJoinFiles() -> [String]?
    /// How many times the kernel's OOM killer killed a process of this cgroup.
    func oomKillCount() -> UInt64
    /// The pids currently in the cgroup.
    func processes() -> [Int32]
    /// Freeze every process of the cgroup (the freezer); returns once they are all frozen.
    func freeze() throws(LighterError)
    /// Thaw a frozen cgroup.
    func thaw() throws(LighterError)
    /// True while the cgroup is frozen (or freezing).
    func isFrozen() -> Bool
    /// CPU, memory and pids usage as the kernel accounts them.
    func stats() -> CgroupStats
    /// What a `cgroup` mount in the container shows: subdirectory name ("" for the unified
    /// hierarchy itself) → the container's cgroup directory on the host.
    func mountSources() -> [String: String]
    /// Remove the cgroup(s); waits briefly for exiting processes to leave.
    func destroy() throws(LighterError)
}

public enum Cgroups {
    /// Picks the v2 manager when /sys/fs/cgroup is the unified hierarchy, else v1 (legacy or hybrid;
    /// a hybrid's /sys/fs/cgroup/unified is ignored).
    public static func manager(path: String, mountPoint: String = "/sys/fs/cgroup") -> any CgroupManager {
        let normalized = "/" + path.split(separator: "/").joined(separator: "/")
        if FileSystem.exists("\(mountPoint)/cgroup.controllers") {
            return CgroupV2(path: normalized, mountPoint: mountPoint)
        }
        return CgroupV1(path: normalized, mountPoint: mountPoint)
    }

    static func write(_ value: String, to file: String) throws(LighterError) {
        let fd = try FileDescriptor(path: file, flags: O_WRONLY | O_TRUNC)
        try fd.write(value)
        try fd.close()
    }

    static func read(_ file: String) -> String? {
        guard let text = try? FileSystem.readString(file) else { return nil }
        return text
    }

    /// The value of `key N` in a flat-keyed file such as memory.events or memory.oom_control.
    static func keyedValue(_ key: String, in file: String) -> UInt64? {
        guard let text = read(file) else { return nil }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key { return UInt64(parts[1]) }
        }
        return nil
    }

    static func pids(in file: String) -> [Int32] {
        (read(file) ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// rmdir, retrying while the kernel still counts exiting tasks (EBUSY) for up to ~2 s.
    static func removeDirectory(_ dir: String) throws(LighterError) {
        for attempt in 0..<200 {
            if rmdir(dir) == 0 { return }
            let code = lighter_errno()
            if code == ENOENT { return }
            if code != EBUSY || attempt == 199 { throw .system(call: "rmdir", path: dir, errno: code) }
            usleep(10_000)
        }
    }
}
