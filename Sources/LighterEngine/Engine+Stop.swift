#if canImport(Glibc)
import Glibc
#endif
import LighterRuntime
import LighterSystem

extension Engine {
    /// A running record whose processes are gone (monitor killed, machine rebooted) is really exited.
    func refresh(_ record: inout ContainerRecord) {
        guard [.running, .restarting, .paused].contains(record.state.status) else { return }
        let containerAlive = record.state.pid > 0 && Runtime.isAlive(record.state.pid, startTime: record.state.pidStartTime)
        let monitorAlive = record.state.monitorPid > 0 && Glibc.kill(record.state.monitorPid, 0) == 0
        if !containerAlive && !monitorAlive {
            record.state.status = .exited
            record.state.exitCode = 255
            record.state.error = "the container's monitor is gone (killed, or the machine restarted)"
            record.state.pid = 0
        }
    }

    /// The record, with stale running states corrected.
    public func inspect(_ id: String) throws(LighterError) -> ContainerRecord {
        var record = try record(id)
        refresh(&record)
        return record
    }

    public func isRunning(_ record: ContainerRecord) -> Bool {
        record.state.status == .running && record.state.pid > 0 && Runtime.isAlive(record.state.pid, startTime: record.state.pidStartTime)
    }

    /// `kill -s SIGNAL`: the container must be running.
    public func kill(_ id: String, signal: Int32) throws(LighterError) {
        try thawIfPaused(id)
        let record = try update(id) { (r) throws(LighterError) in
            refresh(&r)
            guard r.state.status == .running else { throw .conflict("container \(r.shortID) is not running") }
            r.state.stoppedByUser = true
        }
        try syscall("kill", "container \(record.shortID)") { Glibc.kill(record.state.pid, signal) }
    }

    /// `stop -t`: the stop signal (SIGTERM or the image's), then SIGKILL after `timeout` seconds.
    /// Returns once the monitor has recorded the exit.
    public func stop(_ id: String, timeout: Int?, signal: Int32? = nil) throws(LighterError) {
        try thawIfPaused(id)
        let record = try update(id) { (r) throws(LighterError) in
            refresh(&r)
            r.state.stoppedByUser = true
        }
        guard record.state.status == .running || record.state.status == .restarting else { return }
        let stopSignal: Int32
        if let signal { stopSignal = signal } else { stopSignal = try Signals.parse(record.spec.stopSignal ?? "SIGTERM") }
        let grace = timeout ?? record.spec.stopTimeout ?? 10
        if isRunning(record) {
            _ = Glibc.kill(record.state.pid, stopSignal)
            if !waitForExit(record, seconds: Double(grace)) {
                _ = Glibc.kill(record.state.pid, SIGKILL)
                _ = waitForExit(record, seconds: 10)
            }
        }
        try waitForStatus(id, seconds: 10) { $0 != .running && $0 != .restarting }
    }

    /// `wait`: block until the container is not running; its exit code.
    public func wait(_ id: String) throws(LighterError) -> Int32 {
        var delay: useconds_t = 2_000
        while true {
            let record = try inspect(id)
            if record.state.status == .exited || record.state.status == .dead || record.state.status == .created {
                return record.state.exitCode
            }
            usleep(delay)
            delay = min(delay * 2, 100_000)
        }
    }

    private func waitForExit(_ record: ContainerRecord, seconds: Double) -> Bool {
        let start = Time.now()
        let deadline = start.seconds * 1000 + start.nanoseconds / 1_000_000 + Int64(seconds * 1000)
        var delay: useconds_t = 1_000
        while Runtime.isAlive(record.state.pid, startTime: record.state.pidStartTime) {
            let t = Time.now()
            if t.seconds * 1000 + t.nanoseconds / 1_000_000 >= deadline { return false }
            usleep(delay)
            delay = min(delay * 2, 50_000)
        }
        return true
    }

    private func waitForStatus(_ id: String, seconds: Int, until: (ContainerStatus) -> Bool) throws(LighterError) {
        for _ in 0..<(seconds * 100) {
            if until(try inspect(id).state.status) { return }
            usleep(10_000)
        }
        throw .conflict("container \(id.prefix(12)) did not stop within \(seconds)s")
    }
}

extension Engine {
    /// Every log line of a container, oldest first (rotated files included).
    public func logEntries(_ id: String) throws(LighterError) -> [LogEntry] {
        let record = try record(id)
        if record.spec.log.driver == "none" {
            throw .unsupported(feature: "logs of \(record.name)", fix: "configured logging driver does not support reading (the container was created with --log-driver none)")
        }
        return try JSONLogReader.entries(path: logPath(id), maxFiles: record.spec.log.maxFiles)
    }
}
