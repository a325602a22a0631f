#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterRuntime
import LighterSystem

/// The monitor's health checks (Docker's `HEALTHCHECK` rules): one check at a time, run in the
/// container as `exec` runs a process (spawned, never forked), its output (stdout and stderr
/// together, the first 4,096 bytes kept) read and its end noticed in the monitor's own poll loop,
/// killed past its timeout. After each check the state is written durably (`health.json`) and a
/// change of status is logged as a `health_status: STATUS` event.
struct HealthChecker {
    let engine: Engine
    let record: ContainerRecord
    let config: HealthConfig
    /// The container's process (user, env, cwd, capabilities) with the check's command.
    let process: RuntimeSpec.Process
    let interval: Int64, timeout: Int64, startPeriod: Int64, startInterval: Int64, retries: Int
    /// When the container started (monotonic ns).
    let startedAt: Int64
    var state: HealthState
    /// When the next check is due (monotonic ns), while none runs.
    var due: Int64
    var running: Running?
    /// Read buffer for the check's output (one, reused).
    private var relay = StreamRelay(bufferSize: 4096)

    struct Running {
        let pid: Int32
        let pidfd: Int32
        let output: Int32
        let start: String
        /// When it started (monotonic ns): a failure within the start period does not count.
        let begun: Int64
        let deadline: Int64
        var bytes: [UInt8]
    }

    /// Nil when the container has no check to run.
    init?(engine: Engine, record: ContainerRecord, process: RuntimeSpec.Process?) {
        guard let config = engine.healthConfig(of: record), let command = config.command, var process else { return nil }
        self.engine = engine
        self.record = record
        self.config = config
        process.args = command
        process.terminal = nil
        self.process = process
        func positive(_ value: Int64?, _ fallback: Int64) -> Int64 { (value ?? 0) > 0 ? value! : fallback }
        interval = positive(config.Interval, HealthConfig.defaultInterval)
        timeout = positive(config.Timeout, HealthConfig.defaultTimeout)
        startPeriod = max(config.StartPeriod ?? 0, 0)
        startInterval = positive(config.StartInterval, HealthConfig.defaultStartInterval)
        retries = (config.Retries ?? 0) > 0 ? config.Retries! : HealthConfig.defaultRetries
        startedAt = Self.monotonic()
        // As Docker at each start: starting, no failures; the log of earlier runs is kept.
        var state = engine.health(of: record) ?? HealthState()
        state.status = .starting
        state.failingStreak = 0
        self.state = state
        due = 0
        due = startedAt + nextInterval(now: startedAt)
        try? engine.saveHealth(state, of: record.id)
    }

    /// Docker's: the start interval while still starting within the start period, else the interval.
    private func nextInterval(now: Int64) -> Int64 {
        now - startedAt < startPeriod && state.status == .starting ? startInterval : interval
    }

    /// How long poll may sleep (ms) before something is due.
    func pollTimeout() -> Int32 {
        let target = running?.deadline ?? due
        let left = target - Self.monotonic()
        return left <= 0 ? 0 : Int32(min((left + 999_999) / 1_000_000, 3_600_000))
    }

    /// The descriptors to poll: the running check's pidfd and output (-1 when none runs).
    var descriptors: (pidfd: Int32, output: Int32) { (running?.pidfd ?? -1, running?.output ?? -1) }

    /// After each poll: read the check's output, finish it when it exited or timed out, start the
    /// next one when due.
    mutating func service(pidReady: Bool, outputReady: Bool) {
        let now = Self.monotonic()
        if outputReady { drain() }
        if pidReady {
            finish(killed: false)
        } else if let check = running, now >= check.deadline {
            _ = kill(check.pid, SIGKILL)
            finish(killed: true)
        }
        if running == nil && Self.monotonic() >= due { start() }
    }

    /// The container has exited: stop a check still running (its result is not recorded).
    mutating func stop() {
        guard let check = running else { return }
        _ = kill(check.pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(check.pid, &status, 0)
        close(check.pidfd)
        close(check.output)
        running = nil
    }

    private mutating func start() {
        let start = Time.nowRFC3339()
        var fds: [Int32] = [-1, -1]
        guard lighter_pipe(&fds) == 0 else {
            record(HealthState.Result(start: start, end: Time.nowRFC3339(), exitCode: -1, output: "cannot make a pipe for the health check"))
            return
        }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { if null >= 0 { close(null) } }
        let pid: Int32
        do {
            pid = try engine.runtime.spawn(id: record.id, process: process, stdio: Runtime.Stdio(input: null, output: fds[1], error: fds[1]))
        } catch {
            close(fds[0])
            close(fds[1])
            record(HealthState.Result(start: start, end: Time.nowRFC3339(), exitCode: -1, output: "\(error)"))
            return
        }
        close(fds[1])
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let pidfd = lighter_pidfd_open(pid)
        let now = Self.monotonic()
        running = Running(pid: pid, pidfd: pidfd, output: fds[0], start: start, begun: now, deadline: now + timeout, bytes: [])
        if pidfd < 0 { finish(killed: false) }   // no pidfd (old kernel): wait for it here
    }

    /// Read what the check's output pipe holds, keeping the first `maxOutput` bytes.
    private mutating func drain() {
        guard let fd = running?.output else { return }
        while true {
            var kept = running!.bytes
            let chunk = relay.read(from: fd) { bytes in
                let room = HealthState.maxOutput - kept.count
                if room > 0 { kept.append(contentsOf: bytes.prefix(room)) }
            }
            running!.bytes = kept
            guard case .data = chunk else { return }
        }
    }

    private mutating func finish(killed: Bool) {
        guard let check = running else { return }
        drain()
        var status: Int32 = 0
        _ = waitpid(check.pid, &status, 0)
        if check.pidfd >= 0 { close(check.pidfd) }
        close(check.output)
        running = nil
        let exitCode: Int32
        var output = String(decoding: check.bytes, as: UTF8.self)
        if killed {
            exitCode = -1
            output = "Health check exceeded timeout (\(GoDuration.format(timeout)))"
        } else {
            exitCode = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)   // 128+N: killed by signal N
        }
        record(HealthState.Result(start: check.start, end: Time.nowRFC3339(), exitCode: exitCode, output: output), begun: check.begun)
    }

    /// Docker's rules: success → healthy, streak 0; a failure counts unless the container is still
    /// starting within its start period; `retries` failures in a row → unhealthy.
    private mutating func record(_ result: HealthState.Result, begun: Int64 = HealthChecker.monotonic()) {
        let before = state.status
        if result.exitCode == 0 {
            state.failingStreak = 0
            state.status = .healthy
        } else if !(state.status == .starting && begun - startedAt < startPeriod) {
            state.failingStreak += 1
            if state.failingStreak >= retries { state.status = .unhealthy }
        }
        state.append(result)
        try? engine.saveHealth(state, of: record.id)
        if state.status != before { engine.emit("health_status: \(state.status.rawValue)", record) }
        due = Self.monotonic() + nextInterval(now: Self.monotonic())
    }

    static func monotonic() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
