#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

/// One process of a container, from the host's /proc.
public struct ContainerProcess: Sendable, Equatable {
    /// Host pid.
    public var pid: Int32
    public var parentPid: Int32
    /// Real uid, as the host sees it.
    public var uid: UInt32
    /// User + system CPU time, in clock ticks.
    public var cpuTicks: UInt64
    /// The command line, or "[comm]" for a process without one (a kernel thread, a zombie).
    public var command: String
}

extension Engine {
    /// `top`: the processes in a running container's cgroups, by pid.
    public func top(_ id: String) throws(LighterError) -> [ContainerProcess] {
        let record = try inspect(id)
        guard (record.state.status == .running || record.state.status == .paused) && record.state.pid > 0 else {
            throw .conflict("container \(record.shortID) is not running")
        }
        return try runtime.processes(id: id).compactMap(Engine.process)
    }

    /// Facts about `pid` from /proc; nil if it is gone.
    static func process(_ pid: Int32) -> ContainerProcess? {
        guard let stat = try? FileSystem.readString("/proc/\(pid)/stat"),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let comm = String(stat[stat.index(after: open)..<close])
        // After "comm)": state(3) ppid(4) ... utime(14) stime(15).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let ppid = Int32(fields[1]), let utime = UInt64(fields[11]), let stime = UInt64(fields[12]) else { return nil }
        var uid: UInt32 = 0
        if let status = try? FileSystem.readString("/proc/\(pid)/status"),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Uid:") }) {
            uid = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) } ?? 0
        }
        let raw = (try? FileSystem.readFile("/proc/\(pid)/cmdline")) ?? []
        var words = raw.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while words.last == "" { words.removeLast() }
        let command = words.isEmpty ? "[\(comm)]" : words.joined(separator: " ")
        return ContainerProcess(pid: pid, parentPid: ppid, uid: uid, cpuTicks: utime + stime, command: command)
    }
}
