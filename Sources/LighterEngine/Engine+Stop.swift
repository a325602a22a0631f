#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

extension Engine {
    /// `kill -s SIGNAL`: the container must be running.
    /// A `--rm` container that already exited is being removed by its monitor: that is success.
    public func kill(_ id: String, signal: Int32) throws(LighterError) {
        try unlessRemovedMeanwhile(id) { () throws(LighterError) in
            try thawIfPaused(id)
            var exiting = false
            // Durable: after a power cut, `system boot` must still know the user stopped it.
            let record = try update(id, durable: true) { (r) throws(LighterError) in
                refresh(&r)
                if r.spec.autoRemove && [.exited, .removing, .dead].contains(r.state.status) {
                    exiting = true
                    return
                }
                guard r.state.status == .running else { throw .conflict("container \(r.shortID) is not running") }
                r.state.stoppedByUser = true
            }
            if exiting { return }
            // ESRCH: the process ended between the check and the signal; it is exiting, as asked.
            _ = try syscallTolerating("kill", "container \(record.shortID)", [ESRCH]) { POSIX.kill(record.state.pid, signal) }
            emit("kill", record, ["signal": String(signal)])
        }
    }

    /// Run `body` on a container that its `--rm` monitor may remove meanwhile: when `body` fails
    /// and the container's record is gone, the container stopped and went, which is what was asked
    /// (Docker's `stop`, `kill` and `rm -f` succeed then too).
    func unlessRemovedMeanwhile(_ id: String, _ body: () throws(LighterError) -> Void) throws(LighterError) {
        do {
            try body()
        } catch {
            if !FileSystem.exists(recordPath(id)) { return }
            throw error
        }
    }

    /// `stop -t`: the stop signal (SIGTERM or the image's), then SIGKILL after `timeout` seconds.
    /// Returns once the monitor has recorded the exit.
    /// A `--rm` container removed meanwhile counts as stopped.
    public func stop(_ id: String, timeout: Int?, signal: Int32? = nil) throws(LighterError) {
        try unlessRemovedMeanwhile(id) { () throws(LighterError) in try stopOrFail(id, timeout: timeout, signal: signal) }
    }

    private func stopOrFail(_ id: String, timeout: Int?, signal: Int32?) throws(LighterError) {
        try thawIfPaused(id)
        let record = try update(id, durable: true) { (r) throws(LighterError) in
            refresh(&r)
            r.state.stoppedByUser = true
        }
        guard record.state.status == .running || record.state.status == .restarting else { return }
        defer { emit("stop", record) }
        let stopSignal: Int32
        if let signal { stopSignal = signal } else { stopSignal = try Signals.parse(record.spec.stopSignal ?? "SIGTERM") }
        let grace = timeout ?? record.spec.stopTimeout ?? 10
        if isRunning(record) {
            _ = POSIX.kill(record.state.pid, stopSignal)
            if !waitForExit(record, seconds: Double(grace)) {
                _ = POSIX.kill(record.state.pid, SIGKILL)
                _ = waitForExit(record, seconds: 10)
            }
        }
        try waitForStatus(id, seconds: 10) { $0 != .running && $0 != .restarting }
    }

    /// `wait`: block until the container is not running; its exit code.
    /// The monitor replaces the record by rename when the container ends, which wakes the wait at once
    /// (`DirectoryWatch` on the container's directory); the old pause, up to 100 ms, stays the bound
    /// (a monitor that died is found by `inspect` settling the record).
    public func wait(_ id: String) throws(LighterError) -> Int32 {
        let watch = DirectoryWatch([directory(id)], changes: .names)
        var backoff = Backoff(minimum: 2_000, maximum: 100_000)
        while true {
            let record = try inspect(id)
            if record.state.status == .exited || record.state.status == .dead || record.state.status == .created {
                return record.state.exitCode
            }
            watch.pause(&backoff)
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
