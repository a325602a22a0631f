#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The attached commands through a real `lighter daemon`'s hijacked streams (`run` in the foreground,
/// `-i`, `-t`, `start -a/-i`, `attach`, `exec`), from a client whose own data root stays empty.
@Suite(.serialized) struct RemoteStreamsTests {
    /// `lighter --root EMPTY -H HOST ARGS…`, killed after a minute at most.
    static func remote(_ client: Lighter, _ host: String, _ arguments: [String], stdin: String? = nil,
                       environment: [String: String] = [:], via namespace: NetworkNamespace? = nil) -> ProcessResult {
        let command = ["timeout", "-s", "KILL", "60", Repository.lighterBinary, "--root", client.root.path, "-H", host] + arguments
        if let namespace { return namespace.run(command, environment: environment, stdin: stdin) }
        return Run.capture(command, stdin: stdin, environment: environment)
    }

    @Test func runAttachedSeparatesStreamsAndExitsWithTheContainersCode() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String..., stdin: String? = nil) -> ProcessResult { Self.remote(client, host, arguments, stdin: stdin) }

        let run = remote("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
        #expect(run.status == 3 && run.stdout == "out\n" && run.stderr == "err\n", "\(run)")
        // --rm: the daemon removed it before the wait (condition=removed) answered.
        #expect(daemon.cli("ps", "-aq").stdout == "")
        #expect(client.run("ps", "-aq").stdout == "")

        // -i: stdin piped to the container, its EOF (a half-close of the stream) ends `cat`.
        let cat = remote("run", "--rm", "-i", "busybox", "cat", stdin: "one\ntwo\n")
        #expect(cat.status == 0 && cat.stdout == "one\ntwo\n", "\(cat)")
        // -a stdout: stderr not attached.
        let only = remote("run", "--rm", "-a", "stdout", "busybox", "sh", "-c", "echo shown; echo hidden >&2")
        #expect(only.status == 0 && only.stdout == "shown\n" && only.stderr == "", "\(only)")
        // A command the image lacks: Docker's 127 (the daemon's reason on stderr); nothing left with --rm.
        let missing = remote("run", "--rm", "busybox", "nosuchcommand")
        #expect(missing.status == 127 && !missing.stderr.isEmpty, "\(missing)")
        #expect(daemon.cli("ps", "-aq").stdout == "")
        // Without --rm the container stays, exited with its code.
        let kept = remote("run", "--name", "kept", "busybox", "sh", "-c", "exit 9")
        #expect(kept.status == 9, "\(kept)")
        #expect(daemon.cli("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "kept").stdout == "exited 9\n")

        // start -a: the output of the start, its code; start -ai: stdin too.
        #expect(remote("create", "--name", "once", "busybox", "sh", "-c", "echo started-attached; exit 2").status == 0)
        let started = remote("start", "-a", "once")
        #expect(started.status == 2 && started.stdout == "started-attached\n", "\(started)")
        #expect(remote("create", "-i", "--name", "echoer", "busybox", "sh", "-c", "cat; exit 4").status == 0)
        let startedInput = remote("start", "-ai", "echoer", stdin: "typed\n")
        #expect(startedInput.status == 4 && startedInput.stdout == "typed\n", "\(startedInput)")

        // attach to a running container: what it prints from then on, and its exit code.
        #expect(remote("run", "-d", "--name", "later", "busybox", "sh", "-c", "sleep 2; echo late; echo late-err >&2; exit 6").status == 0)
        let attached = remote("attach", "later")
        #expect(attached.status == 6 && attached.stdout == "late\n" && attached.stderr == "late-err\n", "\(attached)")
        let stopped = remote("attach", "later")
        #expect(stopped.status == 1 && stopped.stderr.contains("You cannot attach to a stopped container"), "\(stopped)")
        #expect(remote("rm", "-f", "kept", "once", "echoer", "later").status == 0)
        #expect(daemon.cli("ps", "-aq").stdout == "")
    }

    @Test func execThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String..., stdin: String? = nil) -> ProcessResult { Self.remote(client, host, arguments, stdin: stdin) }
        #expect(remote("run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)

        let code = remote("exec", "box", "sh", "-c", "echo in-exec; echo exec-err >&2; exit 7")
        #expect(code.status == 7 && code.stdout == "in-exec\n" && code.stderr == "exec-err\n", "\(code)")
        let input = remote("exec", "-i", "box", "cat", stdin: "piped\n")
        #expect(input.status == 0 && input.stdout == "piped\n", "\(input)")
        let settings = remote("exec", "-w", "/etc", "-u", "1000", "-e", "GREETING=hi", "box", "sh", "-c", "pwd; id -u; echo $GREETING")
        #expect(settings.status == 0 && settings.stdout == "/etc\n1000\nhi\n", "\(settings)")
        let missing = remote("exec", "box", "nosuchcommand")
        #expect(missing.status == 127 && missing.stderr.contains("nosuchcommand"), "\(missing)")
        let detached = remote("exec", "-d", "box", "sh", "-c", "echo made > /tmp/detached")
        #expect(detached.status == 0 && detached.stdout == "", "\(detached)")
        var made = daemon.cli("exec", "box", "cat", "/tmp/detached")
        for _ in 0..<100 where made.stdout != "made\n" {
            usleep(50_000)
            made = daemon.cli("exec", "box", "cat", "/tmp/detached")
        }
        #expect(made.stdout == "made\n")
        let absent = remote("exec", "nothere", "true")
        #expect(absent.status == 1 && absent.stderr.hasPrefix("Error response from daemon: "), "\(absent)")
        #expect(remote("rm", "-f", "box").status == 0)
    }

    /// `-t` on a terminal of the test's own (a pty 20×77): the container's terminal has that size from
    /// the resize, its output comes raw, the exit code is the container's; the detach keys leave it running.
    @Test func terminalsThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let base = [Repository.lighterBinary, "--root", client.root.path, "-H", "unix://\(daemon.socketPath)"]

        let run = Run.onPseudoTerminal(base + ["run", "--rm", "-t", "busybox", "sh", "-c", "tty; stty size; exit 5"], windowSize: (20, 77))
        #expect(run.status == 5 && run.stdout.contains("/dev/pts/") && run.stdout.contains("20 77"), "\(run)")

        #expect(Self.remote(client, "unix://\(daemon.socketPath)", ["run", "-d", "--name", "box", "busybox", "sleep", "300"]).status == 0)
        let exec = Run.onPseudoTerminal(base + ["exec", "-t", "box", "sh", "-c", "stty size; exit 4"], windowSize: (21, 78))
        #expect(exec.status == 4 && exec.stdout.contains("21 78"), "\(exec)")
        // -it: what is typed reaches the shell through the raw terminal.
        let shell = Run.onPseudoTerminal(base + ["exec", "-it", "box", "sh"],
                                         typing: [(after: "#", bytes: Array("echo typed-$((6*7))\rexit 3\r".utf8))], rows: 20, columns: 77)
        #expect(shell.status == 3 && shell.stdout.contains("typed-42"), "\(shell)")

        // ctrl-p ctrl-q: the CLI leaves (exit 0), the container keeps running. (The daemon relays an
        // attached container's output by lines: the prompt, without its newline, does not come.)
        let detached = Run.onPseudoTerminal(base + ["run", "-it", "--name", "stays", "busybox", "sh"],
                                            typing: [(after: "built-in commands", bytes: [0x10, 0x11])], rows: 20, columns: 77)
        #expect(detached.status == 0, "\(detached)")
        #expect(daemon.cli("inspect", "-f", "{{.State.Running}}", "stays").stdout == "true\n")
        #expect(daemon.cli("rm", "-f", "box", "stays").status == 0)
    }

    /// TCP with TLS: both directions of one mbedTLS session at once (stdin in while output comes back).
    @Test func attachAndExecOverTLS() throws {
        let net = try TLSTestNetwork()
        let daemon = try TLSDaemon(net, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey])
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let environment = ["DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": client.root.path, "HOME": client.root.path]
        let tls = ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.clientCert, "--tlskey", net.certs.clientKey]
        func remote(_ arguments: String..., stdin: String? = nil) -> ProcessResult {
            let command = ["timeout", "-s", "KILL", "60", Repository.lighterBinary, "--root", client.root.path] + tls + ["-H", daemon.tcp] + arguments
            return net.client.run(command, environment: environment, stdin: stdin)
        }
        let run = remote("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
        #expect(run.status == 3 && run.stdout == "out\n" && run.stderr == "err\n", "\(run)")
        // 256 KiB through stdin and back while the container echoes it: full duplex on one session.
        let big = String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", count: 4096)
        let echoed = remote("run", "--rm", "-i", "busybox", "cat", stdin: big)
        #expect(echoed.status == 0 && echoed.stdout == big, "\(echoed.status) \(echoed.stdout.count) \(echoed.stderr)")
        #expect(remote("run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)
        let exec = remote("exec", "-i", "box", "sh", "-c", "cat; exit 5", stdin: big)
        #expect(exec.status == 5 && exec.stdout == big, "\(exec.status) \(exec.stdout.count) \(exec.stderr)")
        #expect(remote("rm", "-f", "box").status == 0)
    }
}
