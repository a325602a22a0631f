#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

/// One container's resource usage, as `stats` shows it.
public struct ContainerStats: Sendable, Equatable {
    public var id: String
    public var name: String
    /// CPU time used over the sampling interval as a share of one CPU (100% = one CPU busy).
    public var cpuPercent: Double
    public var memoryUsage: UInt64
    /// The container's memory limit, or the host's memory when it has none.
    public var memoryLimit: UInt64
    public var pids: UInt64
    /// Bytes received and sent on the container's network interfaces (its namespace; none for --network host).
    public var networkReceived: UInt64 = 0
    public var networkSent: UInt64 = 0
    /// Bytes read from and written to block devices by the container's cgroup.
    public var blockRead: UInt64 = 0
    public var blockWrite: UInt64 = 0

    public var memoryPercent: Double { memoryLimit == 0 ? 0 : Double(memoryUsage) * 100 / Double(memoryLimit) }
}

extension Engine {
    /// Usage of each container from its cgroups: two samples `interval` microseconds apart (for CPU %).
    /// A container that is not running shows zeros.
    public func stats(_ ids: [String], interval: useconds_t = 500_000) throws(LighterError) -> [ContainerStats] {
        let records = try ids.map { (id) throws(LighterError) -> ContainerRecord in try inspect(id) }
        let first = records.map(sample)
        let start = Engine.monotonicNanoseconds()
        usleep(interval)
        let second = records.map(sample)
        let elapsed = Double(max(1, Engine.monotonicNanoseconds() - start))
        let hostMemory = UInt64(sysconf(Int32(_SC_PHYS_PAGES))) &* UInt64(sysconf(Int32(_SC_PAGESIZE)))
        return records.indices.map { index in
            let record = records[index]
            guard let now = second[index] else {
                return ContainerStats(id: record.id, name: record.name, cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, pids: 0)
            }
            var cpu = 0.0
            if let after = now.cpuNanoseconds, let before = first[index]?.cpuNanoseconds, after >= before {
                cpu = Double(after - before) * 100 / elapsed
            }
            var stats = ContainerStats(id: record.id, name: record.name, cpuPercent: cpu, memoryUsage: now.memoryUsage ?? 0,
                                       memoryLimit: now.memoryLimit ?? hostMemory, pids: now.pids ?? 0)
            stats.blockRead = now.blockRead ?? 0
            stats.blockWrite = now.blockWrite ?? 0
            if record.spec.network != "host" {
                (stats.networkReceived, stats.networkSent) = Engine.networkBytes(pid: record.state.pid)
            }
            return stats
        }
    }

    /// The cgroup figures of a running (or paused) container; nil otherwise.
    private func sample(_ record: ContainerRecord) -> CgroupStats? {
        guard record.state.status == .running || record.state.status == .paused, record.state.pid > 0 else { return nil }
        return try? runtime.stats(id: record.id)
    }

    /// Received and sent bytes of every interface but the loopback, from /proc/PID/net/dev (the
    /// process's network namespace): "  eth0: RX-bytes packets … (8 fields) TX-bytes …".
    static func networkBytes(pid: Int32) -> (UInt64, UInt64) {
        guard pid > 0, let text = try? FileSystem.readString("/proc/\(pid)/net/dev") else { return (0, 0) }
        var received: UInt64 = 0, sent: UInt64 = 0
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmed
            guard name != "lo" else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ")
            guard fields.count >= 9, let rx = UInt64(fields[0]), let tx = UInt64(fields[8]) else { continue }
            received += rx
            sent += tx
        }
        return (received, sent)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
