#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// A container's state: the OCI state fields (`lighter runtime state` prints them) plus what the
/// runtime needs to find its processes and cgroups again. Stored as <root>/<id>/state.json.
public struct ContainerState: Sendable, Equatable {
    public enum Status: String, Sendable { case created, running, paused, stopped }

    public var ociVersion: String
    public var id: String
    public var status: Status
    public var pid: Int32
    public var bundle: String
    public var rootfs: String
    /// RFC 3339, UTC.
    public var created: String
    public var annotations: [String: String]?
    /// The init's start time (field 22 of /proc/<pid>/stat), to tell it from a process that reused its pid.
    public var pidStartTime: UInt64
    /// The cgroup path relative to each hierarchy's root.
    public var cgroupsPath: String
    /// The spec's poststart and poststop hooks, run by `start` and `delete` (which read no config.json).
    public var hooks: RuntimeSpec.Hooks? = nil
}

/// Per-process facts from /proc.
enum ProcessStat {
    /// Start time (clock ticks after boot) and state letter of `pid`, or nil if it does not exist.
    /// Read as bytes: `ps` and the daemon's container list ask this of every container, and splitting
    /// the text as a String was a fifth of `GET /containers/json`'s time.
    static func stat(_ pid: Int32) -> (startTime: UInt64, state: Character)? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat"),
              let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Fields after "comm)": state is field 3, starttime field 22 (the 20th after the parenthesis).
        var field = 0, index = close + 1, state: UInt8 = 0, start: UInt64 = 0
        while index < bytes.count, field <= 20 {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") {
                field += 1
            } else if field == 1 {
                state = byte
            } else if field == 20 {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                start = start &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
            }
            index += 1
        }
        guard field >= 20, state != 0 else { return nil }
        return (start, Character(Unicode.Scalar(state)))
    }

    /// True while `pid` is the same process (same start time) and not yet a zombie.
    static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool {
        guard pid > 0, let info = stat(pid) else { return false }
        return info.startTime == startTime && info.state != "Z" && info.state != "X"
    }
}

extension ContainerState.Status: JSONConvertible {}

extension ContainerState: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        ociVersion = try f.required("ociVersion")
        id = try f.required("id")
        status = try f.required("status")
        pid = try f.required("pid")
        bundle = try f.required("bundle")
        rootfs = try f.required("rootfs")
        created = try f.required("created")
        annotations = try f.optional("annotations")
        pidStartTime = try f.required("pidStartTime")
        cgroupsPath = try f.required("cgroupsPath")
        hooks = try f.optional("hooks")
    }

    public var json: JSONNode {
        .object(["ociVersion": ociVersion, "id": id, "status": status, "pid": pid, "bundle": bundle, "rootfs": rootfs,
                 "created": created, "annotations": annotations, "pidStartTime": pidStartTime, "cgroupsPath": cgroupsPath,
                 "hooks": hooks])
    }
}
