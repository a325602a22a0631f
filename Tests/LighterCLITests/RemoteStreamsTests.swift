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
        // A daemon's error (an image it lacks and cannot pull): Docker's 125, after the pull's message.
        let unpullable = remote("run", "--rm", "127.0.0.1:1/nothing:1")
        #expect(unpullable.status == 125 && unpullable.stderr.hasPrefix("Unable to find image '127.0.0.1:1/nothing:1' locally\n"), "\(unpullable)")
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
        // --privileged: every capability (CapEff all ones), which the default set is not.
        let privileged = remote("exec", "--privileged", "box", "grep", "CapEff", "/proc/self/status")
        let plain = remote("exec", "box", "grep", "CapEff", "/proc/self/status")
        #expect(privileged.status == 0 && plain.status == 0 && privileged.stdout != plain.stdout && privileged.stdout.contains("ffffff"), "\(privileged) \(plain)")
        // --help after the container belongs to the command.
        #expect(remote("exec", "box", "echo", "--help").stdout == "--help\n")
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

        // Raw mode for the session only: the terminal's settings are the same after it.
        let command = (base + ["run", "--rm", "-it", "busybox", "sh", "-c", "'exit 2'"]).joined(separator: " ")
        let restored = Run.onPseudoTerminal(["sh", "-c", "before=$(stty -g); \(command); code=$?; [ \"$before\" = \"$(stty -g)\" ] && echo restored-$code"],
                                            windowSize: (20, 77))
        #expect(restored.stdout.contains("restored-2"), "\(restored)")
        // ctrl-p ctrl-q: the CLI leaves (exit 0), the container keeps running. (The daemon relays an
        // attached container's output by lines: the prompt, without its newline, does not come.)
        let detached = Run.onPseudoTerminal(base + ["run", "-it", "--name", "stays", "busybox", "sh"],
                                            typing: [(after: "built-in commands", bytes: [0x10, 0x11])], rows: 20, columns: 77)
        #expect(detached.status == 0, "\(detached)")
        #expect(daemon.cli("inspect", "-f", "{{.State.Running}}", "stays").stdout == "true\n")
        #expect(daemon.cli("rm", "-f", "box", "stays").status == 0)
    }

    /// --sig-proxy (the default without a TTY): SIGTERM to the CLI reaches the container as a kill,
    /// whose trap ends it with its own code (without the proxy the CLI would wait on: the test hangs, then fails).
    @Test func signalsAreSentOnToTheContainer() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let base = [Repository.lighterBinary, "--root", client.root.path, "-H", "unix://\(daemon.socketPath)"]
        let script = "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 0.1; done"
        let out = client.root.sub("proxy.out"), err = client.root.sub("proxy.err")
        let pid = Run.spawn(base + ["run", "--rm", "--name", "trapper", "busybox", "sh", "-c", script], stdout: out, stderr: err)
        var ready = false
        for _ in 0..<600 where !ready {
            ready = ((try? FileSystem.readString(out)) ?? "").contains("ready")
            if !ready { usleep(50_000) }
        }
        #expect(ready, "\((try? FileSystem.readString(err)) ?? "")")
        kill(pid, SIGTERM)
        let status = Run.wait(pid)
        #expect(status == 7 && (try? FileSystem.readString(out)) == "ready\ngot-term\n", "\(status) \((try? FileSystem.readString(err)) ?? "")")
        for _ in 0..<100 where !daemon.cli("ps", "-aq").stdout.isEmpty { usleep(50_000) }
        #expect(daemon.cli("ps", "-aq").stdout == "")
    }

    /// The rest of `run`/`create`'s flags as Docker's create body: what the daemon recorded (its own
    /// `inspect`) and what the container sees; a flag without an API form is refused by name.
    @Test func createFlagsReachTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { Self.remote(client, host, arguments) }
        let envFile = try client.root.write("env.list", "FROMFILE=yes\n# comment\n")
        let labelFile = try client.root.write("labels.list", "team=core\n")
        let cidfile = client.root.sub("cid")

        let run = remote("run", "--rm", "--memory", "64m", "--user", "1000", "--workdir", "/tmp", "--read-only", "--hostname", "h1",
                         "--env-file", envFile, "--tmpfs", "/scratch", "--ulimit", "nofile=1024:2048", "busybox",
                         "sh", "-c", "id -u; pwd; hostname; echo $FROMFILE; ulimit -n; touch /scratch/ok && echo tmpfs-ok; touch /x")
        #expect(run.status == 1 && run.stdout == "1000\n/tmp\nh1\nyes\n1024\ntmpfs-ok\n" && run.stderr.contains("Read-only file system"), "\(run)")

        let created = remote("create", "--name", "flags", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50", "--user", "1000",
                             "--workdir", "/tmp", "--read-only", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "--label-file", labelFile,
                             "--health-cmd", "true", "--health-interval", "5s", "--stop-signal", "SIGUSR1", "--stop-timeout", "7", "--init",
                             "--mount", "type=tmpfs,target=/m,tmpfs-size=1m", "--sysctl", "net.ipv4.ip_forward=1", "--shm-size", "32m",
                             "--add-host", "a.test:10.1.2.3", "--entrypoint", "/bin/sh", "--log-opt", "max-size=1m", "--cidfile", cidfile,
                             "busybox", "-c", "true")
        try #require(created.status == 0, "\(created)")
        #expect((try? FileSystem.readString(cidfile)) == created.stdout.trimmed)
        let inspected = daemon.cli("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.Config.User}} "
            + "{{.Config.WorkingDir}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.Config.Labels}} "
            + "{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Interval}} {{.Config.StopSignal}} {{.Config.StopTimeout}} {{.HostConfig.Init}} "
            + "{{json .HostConfig.Tmpfs}} {{.HostConfig.Sysctls}} {{.HostConfig.ShmSize}} {{.HostConfig.ExtraHosts}} {{.Config.Entrypoint}} "
            + "{{index .HostConfig.LogConfig.Config \"max-size\"}}", "flags")
        #expect(inspected.stdout == "67108864 500000000 50 1000 /tmp true [NET_ADMIN] [CHOWN] map[team:core] [CMD-SHELL true] 5000000000 "
            + "SIGUSR1 7 true {\"/m\":\"size=1048576\"} map[net.ipv4.ip_forward:1] 33554432 [a.test:10.1.2.3] [/bin/sh] 1m\n", "\(inspected)")
        // The cidfile is not overwritten (Docker's check), and nothing is created then.
        let again = remote("create", "--cidfile", cidfile, "busybox", "true")
        #expect(again.status == 1 && again.stderr.contains("container ID file found"), "\(again)")

        // --platform goes as create's query: the daemon checks the image against it.
        let platform = remote("create", "--platform", "linux/arm64", "busybox", "true")
        #expect(platform.status == 1 && platform.stderr.contains("does not match the requested platform linux/arm64"), "\(platform)")
        // No API form: refused naming each flag, exit 125, nothing created.
        let refused = remote("run", "--gpus", "all", "--oom-kill-disable", "busybox", "true")
        #expect(refused.status == 125 && refused.stderr.contains("--gpus, --oom-kill-disable cannot be sent to a remote daemon"), "\(refused)")
        let mount = remote("create", "--mount", "type=volume,target=/v,volume-driver=x", "busybox", "true")
        #expect(mount.status != 0 && mount.stderr.contains("volume-driver"), "\(mount)")
        #expect(daemon.cli("ps", "-aq").stdout.split(separator: "\n").count == 1)
        #expect(remote("rm", "-f", "flags").status == 0)
    }

    /// `network` and `volume` through the daemon (in a namespace of its own: connecting makes links),
    /// rendered as the local commands render them.
    @Test func networksAndVolumesThroughTheDaemon() throws {
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { Self.remote(client, host, arguments) }

        let created = remote("network", "create", "--subnet", "10.77.0.0/24", "front")
        #expect(created.status == 0 && created.stdout.count == 65, "\(created)")
        let table = remote("network", "ls")
        #expect(table.status == 0 && table.stdout.hasPrefix("NETWORK ID     NAME      DRIVER    SCOPE\n") && table.stdout.contains("   front     bridge    local\n"), "\(table)")
        #expect(remote("network", "ls", "-q", "--filter", "name=front").stdout == String(created.stdout.prefix(12)) + "\n")
        #expect(remote("network", "ls", "--format", "{{.Name}} {{.Driver}}", "-f", "name=fro").stdout == "front bridge\n")
        let inspected = remote("network", "inspect", "-f", "{{.Name}} {{(index .IPAM.Config 0).Subnet}}", "front", "nothere")
        #expect(inspected.status == 1 && inspected.stdout == "front 10.77.0.0/24\n" && inspected.stderr == "Error response from daemon: No such network: nothere\n", "\(inspected)")
        #expect(client.run("network", "ls", "-q", "--filter", "name=front").stdout.isEmpty)

        // connect a running container (on the default bridge) to a second network, and disconnect it.
        #expect(remote("run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)
        let connect = remote("network", "connect", "--ip", "10.77.0.9", "--alias", "db", "front", "box")
        #expect(connect.status == 0, "\(connect)")
        #expect(daemon.cli("inspect", "-f", "{{.NetworkSettings.Networks.front.IPAddress}}", "box").stdout == "10.77.0.9\n")
        #expect(remote("exec", "box", "ip", "-4", "-o", "addr", "show").stdout.contains("10.77.0.9/24"))
        let inUse = remote("network", "rm", "front")
        #expect(inUse.status == 1 && inUse.stderr.hasPrefix("Error response from daemon: "), "\(inUse)")
        #expect(remote("network", "disconnect", "front", "box").status == 0)
        #expect(daemon.cli("inspect", "-f", "{{len .NetworkSettings.Networks}} {{.NetworkSettings.Networks.front}}", "box").stdout == "1 <no value>\n")
        #expect(remote("rm", "-f", "box").status == 0)
        #expect(remote("network", "rm", "front").stdout == "front\n")
        #expect(remote("network", "create", "spare").status == 0)
        #expect(remote("network", "prune", "-f").stdout == "Deleted Networks:\nspare\n")

        // Volumes: create (named and anonymous), ls with filters, inspect, rm, prune.
        #expect(remote("volume", "create", "--label", "a=b", "data1").stdout == "data1\n")
        let anonymous = remote("volume", "create").stdout.trimmed
        #expect(anonymous.count == 64)
        // Listed by name, as Docker's CLI sorts them (the anonymous volume's random name may come after data1).
        let listed = [anonymous, "data1"].sorted().map { "local     \($0)\n" }.joined()
        #expect(remote("volume", "ls").stdout == "DRIVER    VOLUME NAME\n" + listed)
        #expect(remote("volume", "ls", "-q", "--filter", "name=data").stdout == "data1\n")
        #expect(remote("volume", "inspect", "-f", "{{.Name}} {{.Labels}}", "data1").stdout == "data1 map[a:b]\n")
        #expect(daemon.cli("volume", "ls", "-q").stdout.contains("data1"))
        #expect(client.run("volume", "ls", "-q").stdout.isEmpty)
        let removed = remote("volume", "rm", "data1", "nothere")
        #expect(removed.status == 1 && removed.stdout == "data1\n" && removed.stderr.contains("nothere"), "\(removed)")
        #expect(remote("volume", "prune", "-f").stdout == "Deleted Volumes:\n\(anonymous)\n\n")
        #expect(remote("volume", "ls", "-q").stdout == "")
    }

    /// `build`: the context sent as a tar made on the client (`.dockerignore` applied), the daemon's
    /// stream printed, the image in the daemon's store with its tag and labels; a failing step exits 1.
    @Test func buildThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { Self.remote(client, host, arguments) }
        let context = try client.root.directory("context")
        _ = try client.root.write("context/Dockerfile", "FROM busybox\nCOPY . /ctx\nRUN ls /ctx | tr '\\n' ' ' && echo built-remotely\nLABEL made=remote\n")
        _ = try client.root.directory("context/keep")
        _ = try client.root.write("context/keep/f", "data\n")
        _ = try client.root.directory("context/skip")
        _ = try client.root.write("context/skip/x", "no\n")
        _ = try client.root.write("context/.dockerignore", "skip\n")
        let iidfile = client.root.sub("iid")

        let built = remote("build", "-t", "built:1", "--network", "none", "--label", "extra=yes", "--iidfile", iidfile, context)
        #expect(built.status == 0 && built.stdout.contains("Step 1/4 : FROM busybox") && built.stdout.contains("Dockerfile keep built-remotely")
            && built.stdout.hasSuffix("Successfully tagged built:1\n"), "\(built)")
        #expect(daemon.cli("image", "inspect", "-f", "{{.Id}} {{.Config.Labels}}", "built:1").stdout
            == "\((try? FileSystem.readString(iidfile)) ?? "?") map[extra:yes made:remote]\n")
        #expect(client.run("images", "-q").stdout.isEmpty)

        // A Dockerfile outside the context (sent beside it), whose step fails: the daemon's error, exit 1.
        let bad = try client.root.write("Bad.dockerfile", "FROM busybox\nRUN exit 3\n")
        let failed = remote("build", "--network", "none", "-f", bad, context)
        #expect(failed.status == 1 && failed.stderr.contains("exit code 3"), "\(failed)")
        let quiet = remote("image", "build", "-q", "--network", "none", context)
        #expect(quiet.status == 0 && quiet.stdout.hasPrefix("sha256:"), "\(quiet)")
        let refused = remote("build", "--push", "-t", "x:1", context)
        #expect(refused.status != 0 && refused.stderr.contains("--push"), "\(refused)")
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
        // 4 MiB through stdin and back while the container echoes it (more than the sockets buffer): full duplex on one session.
        let big = String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", count: 65536)
        let echoed = remote("run", "--rm", "-i", "busybox", "cat", stdin: big)
        #expect(echoed.status == 0 && echoed.stdout == big, "\(echoed.status) \(echoed.stdout.count) \(echoed.stderr)")
        #expect(remote("run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)
        let exec = remote("exec", "-i", "box", "sh", "-c", "cat; exit 5", stdin: big)
        #expect(exec.status == 5 && exec.stdout == big, "\(exec.status) \(exec.stdout.count) \(exec.stderr)")
        #expect(remote("rm", "-f", "box").status == 0)
    }
}
