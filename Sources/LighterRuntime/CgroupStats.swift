#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// A container cgroup's resource usage; nil where the controller is not there.
public struct CgroupStats: Sendable, Equatable {
    /// Total CPU time of all its processes, in nanoseconds.
    public var cpuNanoseconds: UInt64?
    /// Memory in use, less the inactive page cache (what Docker shows as MEM USAGE).
    public var memoryUsage: UInt64?
    /// The memory limit; nil when unlimited.
    public var memoryLimit: UInt64?
    /// Number of tasks.
    public var pids: UInt64?
    /// Bytes read from and written to block devices (blkio / io controller).
    public var blockRead: UInt64?
    public var blockWrite: UInt64?

    public init(cpuNanoseconds: UInt64? = nil, memoryUsage: UInt64? = nil, memoryLimit: UInt64? = nil, pids: UInt64? = nil) {
        self.cpuNanoseconds = cpuNanoseconds
        self.memoryUsage = memoryUsage
        self.memoryLimit = memoryLimit
        self.pids = pids
    }
}

extension Cgroups {
    /// A file holding one number ("max" → nil).
    static func number(_ file: String) -> UInt64? {
        guard let text = read(file) else { return nil }
        return UInt64(text.trimmingNewlines())
    }

    /// Write `value`, then poll `done` (up to ~5 s) until the kernel has finished.
    static func transition(_ value: String, to file: String, until done: () -> Bool, what: String) throws(LighterError) {
        try write(value, to: file)
        var delay: useconds_t = 1_000
        for _ in 0..<120 {
            if done() { return }
            usleep(delay)
            delay = min(delay * 2, 50_000)
        }
        throw .conflict("the cgroup did not become \(what) (\(file))")
    }
}

extension CgroupV1 {
    private var freezerState: String? { directory("freezer").map { "\($0)/freezer.state" } }

    func freeze() throws(LighterError) {
        guard let file = freezerState, FileSystem.exists(file) else {
            throw .unsupported(feature: "pausing (cgroup v1 freezer controller)", fix: "mount the freezer controller at \(mountPoint)/freezer")
        }
        do {
            try Cgroups.transition("FROZEN", to: file, until: { Cgroups.read(file)?.trimmingNewlines() == "FROZEN" }, what: "frozen")
        } catch {
            try? Cgroups.write("THAWED", to: file)
            throw error
        }
    }

    func thaw() throws(LighterError) {
        guard let file = freezerState, FileSystem.exists(file) else { return }
        try Cgroups.transition("THAWED", to: file, until: { Cgroups.read(file)?.trimmingNewlines() == "THAWED" }, what: "thawed")
    }

    func isFrozen() -> Bool {
        guard let file = freezerState, let state = Cgroups.read(file)?.trimmingNewlines() else { return false }
        return state == "FROZEN" || state == "FREEZING"
    }

    func stats() -> CgroupStats {
        var stats = CgroupStats()
        if let dir = directory("cpuacct") { stats.cpuNanoseconds = Cgroups.number("\(dir)/cpuacct.usage") }
        if let dir = directory("memory"), let usage = Cgroups.number("\(dir)/memory.usage_in_bytes") {
            let inactive = Cgroups.keyedValue("total_inactive_file", in: "\(dir)/memory.stat") ?? 0
            stats.memoryUsage = usage >= inactive ? usage - inactive : usage
            // An unlimited v1 cgroup reports a huge page-aligned number.
            if let limit = Cgroups.number("\(dir)/memory.limit_in_bytes"), limit < UInt64(Int64.max) / 2 { stats.memoryLimit = limit }
        }
        if let dir = directory("pids") { stats.pids = Cgroups.number("\(dir)/pids.current") }
        // "8:0 Read 4096" lines per device (and a Total line, skipped).
        if let dir = directory("blkio"), let text = Cgroups.read("\(dir)/blkio.throttle.io_service_bytes") {
            var read: UInt64 = 0, written: UInt64 = 0
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 3, let value = UInt64(fields[2]) else { continue }
                if fields[1] == "Read" { read += value } else if fields[1] == "Write" { written += value }
            }
            stats.blockRead = read
            stats.blockWrite = written
        }
        return stats
    }
}

extension CgroupV2 {
    func freeze() throws(LighterError) {
        let file = "\(directory)/cgroup.freeze"
        guard FileSystem.exists(file) else {
            throw .unsupported(feature: "pausing (cgroup v2 cgroup.freeze)", fix: "use a kernel with the cgroup v2 freezer (5.2 or later)")
        }
        do {
            try Cgroups.transition("1", to: file, until: { Cgroups.keyedValue("frozen", in: "\(directory)/cgroup.events") == 1 }, what: "frozen")
        } catch {
            try? Cgroups.write("0", to: file)
            throw error
        }
    }

    func thaw() throws(LighterError) {
        let file = "\(directory)/cgroup.freeze"
        guard FileSystem.exists(file) else { return }
        try Cgroups.transition("0", to: file, until: { Cgroups.keyedValue("frozen", in: "\(directory)/cgroup.events") == 0 }, what: "thawed")
    }

    func isFrozen() -> Bool { Cgroups.read("\(directory)/cgroup.freeze")?.trimmingNewlines() == "1" }

    func stats() -> CgroupStats {
        var stats = CgroupStats()
        if let usec = Cgroups.keyedValue("usage_usec", in: "\(directory)/cpu.stat") { stats.cpuNanoseconds = usec * 1000 }
        if let usage = Cgroups.number("\(directory)/memory.current") {
            let inactive = Cgroups.keyedValue("inactive_file", in: "\(directory)/memory.stat") ?? 0
            stats.memoryUsage = usage >= inactive ? usage - inactive : usage
            stats.memoryLimit = Cgroups.number("\(directory)/memory.max")
        }
        stats.pids = Cgroups.number("\(directory)/pids.current")
        // "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 ..." per device.
        if let text = Cgroups.read("\(directory)/io.stat") {
            var read: UInt64 = 0, written: UInt64 = 0
            for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                if field.hasPrefix("rbytes="), let value = UInt64(field.dropFirst(7)) { read += value }
                if field.hasPrefix("wbytes="), let value = UInt64(field.dropFirst(7)) { written += value }
            }
            stats.blockRead = read
            stats.blockWrite = written
        }
        return stats
    }
}
