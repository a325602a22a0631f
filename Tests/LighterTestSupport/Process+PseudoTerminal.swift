#if canImport(Glibc)
import Glibc
#endif
import CLighter

extension Run {
    /// Run `arguments` on a pseudo-terminal of its own, as from a user's shell: the child leads a new
    /// session whose controlling terminal is the pty's slave, on its stdin, stdout and stderr.
    /// What it writes comes back as `stdout` (a terminal has one stream); it is killed, with its
    /// process group, after `timeout` seconds (status 124, as timeout(1)). `input` is typed on the
    /// terminal half a second after the start. No script(1) or timeout(1) around it, so nothing
    /// depends on the caller's terminal, $SHELL or signal dispositions.
    /// `windowSize` (rows, columns): the terminal's size (none: 0×0).
    public static func onPseudoTerminal(_ arguments: [String], input: String? = nil, environment: [String: String] = [:],
                                        windowSize: (rows: UInt16, columns: UInt16)? = nil,
                                        timeout seconds: Int = 60) -> ProcessResult {
        onPseudoTerminal(arguments, typing: input.map { [(after: "", bytes: Array($0.utf8))] } ?? [],
                         rows: windowSize?.rows ?? 0, columns: windowSize?.columns ?? 0,
                         environment: environment, timeout: seconds)
    }

    /// The same, typing each piece of `typing` once the terminal has shown its `after` text (and not
    /// before half a second from the start), on a terminal of `rows` × `columns` when given.
    public static func onPseudoTerminal(_ arguments: [String], typing: [(after: String, bytes: [UInt8])],
                                        rows: UInt16 = 0, columns: UInt16 = 0, environment: [String: String] = [:],
                                        timeout seconds: Int = 60) -> ProcessResult {
        // /dev/ptmx, unlocked (TIOCSPTLCK) and numbered (TIOCGPTN): glibc's grantpt/ptsname are not
        // visible to Swift without _XOPEN_SOURCE.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { return ProcessResult(status: -1, stdout: "", stderr: "open /dev/ptmx: errno \(errno)") }
        defer { close(master) }
        var unlock: Int32 = 0, number: Int32 = 0
        guard lighter_ioctl_int(master, 0x4004_5431, &unlock) == 0, lighter_ioctl_int(master, 0x8004_5430, &number) == 0 else {
            return ProcessResult(status: -1, stdout: "", stderr: "ioctl on /dev/ptmx: errno \(errno)")
        }
        let slave = "/dev/pts/\(number)"
        if rows > 0 {
            var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
            _ = lighter_ioctl_winsize(master, 1, &size)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid and without O_NOCTTY: the slave becomes the controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        let setsid: Int16 = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26), hidden behind __USE_GNU
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTTOU, SIGTTIN, SIGTSTP, SIGHUP, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, setsid | Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            if environment[String(text.prefix { $0 != "=" })] == nil { env.append(text) }
            index += 1
        }
        for (key, value) in environment { env.append("\(key)=\(value)") }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { return ProcessResult(status: -1, stdout: "", stderr: "posix_spawn \(arguments[0]): \(rc)") }

        var output: [UInt8] = []
        var status: Int32? = nil
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = monotonicSeconds() + Double(seconds)
        var drainUntil = Double.infinity
        var pending = typing
        let typeAt = monotonicSeconds() + 0.5
        while monotonicSeconds() < drainUntil {
            if let next = pending.first, status == nil, monotonicSeconds() >= typeAt,
               next.after.isEmpty || String(decoding: output, as: UTF8.self).contains(next.after) {
                _ = next.bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                pending.removeFirst()
            }
            var pollfd = Glibc.pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&pollfd, 1, 100) > 0 {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { output += buffer[0..<count]; continue }
                if count == 0 || (errno != EINTR && errno != EAGAIN) { if status != nil { break } }
            }
            if status == nil {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                    drainUntil = monotonicSeconds() + 2  // what is still in the pty's buffer
                } else if monotonicSeconds() > deadline {
                    kill(-pid, SIGKILL)
                    timedOut = true
                    status = wait(pid)
                    drainUntil = monotonicSeconds() + 1
                }
            }
        }
        if status == nil { status = wait(pid) }
        let text = String(decoding: output, as: UTF8.self)
        return ProcessResult(status: timedOut ? 124 : status!, stdout: text, stderr: timedOut ? "timed out after \(seconds) s" : "")
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
