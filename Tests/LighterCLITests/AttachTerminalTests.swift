#if canImport(Glibc)
import Glibc
#endif
import CLighter
import Testing
import LighterSystem
import LighterTestSupport

/// `attach` to a `-d -i -t` container from a terminal: this test opens the pty itself (CI has no
/// terminal), runs `lighter attach` as a session leader on its slave, types into the master.
@Suite struct AttachTerminalTests {
    /// Run `arguments` on a new pty, writing `input` (each piece after the output so far contains its
    /// `after` text); returns the exit status and everything the terminal showed.
    static func onTerminal(_ arguments: [String], environment: [String: String], input: [(after: String, bytes: [UInt8])],
                           rows: UInt16 = 0, columns: UInt16 = 0, timeout: Double = 30) -> (status: Int32, output: String) {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { return (-1, "open /dev/ptmx: errno \(errno)") }
        defer { close(master) }
        var unlock: Int32 = 0, number: Int32 = 0
        guard lighter_ioctl_int(master, 0x4004_5431, &unlock) == 0, lighter_ioctl_int(master, 0x8004_5430, &number) == 0 else {
            return (-1, "ioctl /dev/ptmx: errno \(errno)")
        }
        if rows > 0 {
            var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/pts/\(number)", O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, 0x80 /* POSIX_SPAWN_SETSID */ | Int16(POSIX_SPAWN_SETSIGMASK))
        let env = environment.map { "\($0.key)=\($0.value)" } + ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp) == 0 else { return (-1, "posix_spawn failed") }
        var output: [UInt8] = []
        var pending = input
        var buffer = [UInt8](repeating: 0, count: 4096)
        var start = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        while true {
            if let next = pending.first, String(decoding: output, as: UTF8.self).contains(next.after) {
                _ = next.bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                pending.removeFirst()
            }
            var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 100) > 0 {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { output += buffer[0..<count] }
            }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                return (raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f), String(decoding: output, as: UTF8.self))
            }
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            if Double(now.tv_sec - start.tv_sec) > timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &raw, 0)
                return (124, String(decoding: output, as: UTF8.self))
            }
        }
    }

    @Test func attachToATerminalTypesIntoItAndDetachesWithTheKeys() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "-d", "-i", "-t", "--name", "term", "busybox", "sh").status == 0)
        let environment = ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"]
        // Typed after the attachment shows the prompt again (a newline makes sh print it).
        let session = Self.onTerminal([Repository.lighterBinary, "attach", "term"], environment: environment,
                                      input: [("", Array("\r".utf8)), ("# ", Array("tty; echo sum=$((40+2))\r".utf8)),
                                              ("sum=42", [0x10, 0x11])])
        #expect(session.status == 0, "\(session.output)")
        #expect(session.output.contains("sum=42") && session.output.contains("/dev/pts/0"), "\(session.output)")
        // Detached, not ended: the shell runs on, and typing "exit" through a second attachment ends it.
        #expect(lighter.run("ps", "--filter", "name=term", "--format", "{{.Status}}").stdout.hasPrefix("Up "))
        let last = Self.onTerminal([Repository.lighterBinary, "attach", "term"], environment: environment,
                                   input: [("", Array("\r".utf8)), ("# ", Array("exit 9\r".utf8))])
        #expect(last.status == 9, "\(last.output)")
        #expect(lighter.run("inspect", "-f", "{{.State.ExitCode}}", "term").stdout == "9\n")
    }

    /// `run -it` from a terminal: the container's terminal has this terminal's size, ctrl-p ctrl-q (or
    /// --detach-keys) detaches with exit 0 and the container runs on; its first prompt is not lost.
    @Test func runDashITDetachesWithTheKeysAndKeepsTheTerminalSize() {
        let lighter = RunCommandTests.ready()
        let environment = ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"]
        let session = Self.onTerminal([Repository.lighterBinary, "run", "-it", "--name", "live", "busybox", "sh"], environment: environment,
                                      input: [("# ", Array("stty size; echo n=$((6*7))\r".utf8)), ("n=42", [0x10, 0x11])],
                                      rows: 33, columns: 101)
        #expect(session.status == 0, "\(session.output)")
        #expect(session.output.contains("33 101") && session.output.contains("n=42"), "\(session.output)")
        #expect(lighter.run("ps", "--filter", "name=live", "--format", "{{.Status}}").stdout.hasPrefix("Up "))
        let custom = Self.onTerminal([Repository.lighterBinary, "run", "-it", "--rm", "--detach-keys", "ctrl-x", "busybox", "sh"],
                                     environment: environment, input: [("# ", Array("echo here\r".utf8)), ("here", [0x18])])
        #expect(custom.status == 0, "\(custom.output)")
        #expect(lighter.run("ps", "-q").stdout.split(separator: "\n").count == 2)
        // Not detached: exit ends the run with the shell's code, and --rm removes it.
        let ended = Self.onTerminal([Repository.lighterBinary, "run", "-it", "--rm", "busybox", "sh"], environment: environment,
                                    input: [("# ", Array("exit 4\r".utf8))])
        #expect(ended.status == 4, "\(ended.output)")
        for id in lighter.run("ps", "-q").stdout.split(separator: "\n") { #expect(lighter.run("rm", "-f", String(id)).status == 0) }
        #expect(lighter.run("ps", "-aq").stdout == "")
    }
}
