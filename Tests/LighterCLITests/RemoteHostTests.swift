#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter -H …` (and LIGHTER_HOST, DOCKER_HOST) against a real `lighter daemon`: the client runs with
/// a data root of its own that stays empty, so everything it shows came through the Engine API.
@Suite(.serialized) struct RemoteHostTests {
    @Test func everydayCommandsGoToTheDaemonNotTheLocalStore() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.cli("import", "--platform", "linux/amd64", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball("amd64"), "busybox:latest").status == 0)
        let web = daemon.cli("run", "-d", "--name", "web", "--label", "tier=front", "busybox", "sh", "-c", "echo hello; echo oops >&2; sleep 300")
        try #require(web.status == 0, "\(web.stderr)")
        let id = web.stdout.trimmed
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String..., environment: [String: String] = [:]) -> ProcessResult {
            client.run(["-H", host] + arguments, environment: environment)
        }

        // Listings: the daemon's container and image; the client's own root has neither.
        let ps = remote("ps", "--format", "{{.Names}} {{.Image}} {{.Label \"tier\"}} {{.State}}")
        #expect(ps.status == 0 && ps.stdout == "web busybox front running\n", "\(ps.stderr)")
        #expect(remote("ps", "-q").stdout == String(id.prefix(12)) + "\n")
        #expect(remote("ps", "-q", "--no-trunc").stdout == id + "\n")
        #expect(remote("container", "ls", "-a", "--filter", "label=tier=front", "--format", "{{.ID}}").stdout == String(id.prefix(12)) + "\n")
        #expect(remote("ps", "--filter", "status=exited", "-q").stdout == "")
        let table = remote("ps").stdout.split(separator: "\n")
        #expect(table.first?.hasPrefix("CONTAINER ID   IMAGE     COMMAND") == true && table.count == 2, "\(table)")
        #expect(client.run("ps", "-aq").stdout == "" && client.run("images", "-q").stdout == "")
        #expect(remote("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "busybox:latest\n")
        #expect(remote("image", "ls", "-q").stdout.count == 13)

        // version: this client's section and the daemon's; info and inspect: the daemon's documents.
        let version = remote("version")
        #expect(version.status == 0 && version.stdout.contains("Client: Lighter") && version.stdout.contains("Server: Lighter Engine"), "\(version.stderr)")
        #expect(remote("version", "--format", "{{.Server.Version}} {{.Client.ApiVersion}}").stdout == "\(LighterVersion.version) 1.41\n")
        #expect(remote("info", "--format", "{{.DockerRootDir}} {{.Containers}} {{.Images}}").stdout == "\(daemon.lighter.root.path) 1 1\n")
        #expect(remote("info").stdout.contains("Lighter Root Dir: \(daemon.lighter.root.path)"))
        #expect(remote("inspect", "-f", "{{.Name}} {{.State.Running}}", "web").stdout == "/web true\n")
        #expect(remote("container", "inspect", "-f", "{{.Id}}", "web").stdout == id + "\n")
        #expect(remote("image", "inspect", "-f", "{{.RepoTags}}", "busybox").stdout == "[busybox:latest]\n")
        let missing = remote("inspect", "-f", "{{.Id}}", "web", "nothere")
        #expect(missing.status == 1 && missing.stdout == id + "\n" && missing.stderr == "Error: No such object: nothere\n", "\(missing.stderr)")
        let pretty = remote("inspect", "web")
        #expect(pretty.stdout.hasPrefix("[\n  {\n") && pretty.stdout.contains("\"Id\" : \"\(id)\""), "\(pretty.stdout.prefix(80))")

        // logs: stdout and stderr demultiplexed from the stdcopy frames; --tail and --timestamps.
        var logs = remote("logs", "web")
        for _ in 0..<100 where !(logs.stdout.contains("hello") && logs.stderr.contains("oops")) {
            usleep(50_000)
            logs = remote("logs", "web")
        }
        #expect(logs.stdout == "hello\n" && logs.stderr == "oops\n", "\(logs)")
        #expect(remote("logs", "--tail", "0", "web").stdout == "")
        #expect(remote("logs", "-t", "web").stdout.hasSuffix("Z hello\n"))
        // -f on a running container: what it prints later arrives on the open stream (cut off by timeout).
        #expect(daemon.cli("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "echo one; sleep 1; echo two; sleep 300").status == 0)
        // (KILL: the test process's blocked SIGTERM is inherited by what it spawns.)
        let followed = Run.capture(["timeout", "-s", "KILL", "4", Repository.lighterBinary, "--root", client.root.path, "-H", host, "logs", "-f", "ticker"])
        #expect([124, 137].contains(followed.status) && followed.stdout == "one\ntwo\n", "\(followed)")
        #expect(remote("rm", "-f", "ticker").status == 0)

        // Lifecycle: each name printed as Docker's CLI prints it; the daemon's errors as Docker shows them.
        #expect(remote("stop", "-t", "1", "web").stdout == "web\n")
        #expect(remote("ps", "-a", "--format", "{{.State}}").stdout == "exited\n")
        let follow = remote("logs", "-f", "web")    // a stopped container: follow ends at once
        #expect(follow.status == 0 && follow.stdout == "hello\n")
        #expect(remote("start", "web").stdout == "web\n")
        #expect(remote("restart", "-t", "1", "web").stdout == "web\n")
        #expect(remote("kill", "-s", "KILL", "web").stdout == "web\n")
        let absent = remote("stop", "nothere")
        #expect(absent.status == 1 && absent.stderr == "Error response from daemon: No such container: nothere\n", "\(absent.stderr)")
        #expect(remote("start", "web").status == 0)
        let inUse = remote("rm", "web")
        #expect(inUse.status == 1 && inUse.stderr.hasPrefix("Error response from daemon: "), "\(inUse.stderr)")
        #expect(remote("rm", "-f", "web").stdout == "web\n")
        #expect(daemon.cli("ps", "-aq").stdout == "")

        // Images: tag and rmi through the daemon.
        #expect(remote("tag", "busybox", "mine:1").status == 0)
        #expect(daemon.cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.contains("mine:1"))
        let rmi = remote("rmi", "mine:1")
        #expect(rmi.status == 0 && rmi.stdout == "Untagged: mine:1\n", "\(rmi.stderr)")

        // The environment instead of -H: LIGHTER_HOST first, then DOCKER_HOST.
        #expect(client.run(["images", "-q"], environment: ["LIGHTER_HOST": host]).stdout.count == 13)
        #expect(client.run(["images", "-q"], environment: ["DOCKER_HOST": host]).stdout.count == 13)
        #expect(client.run(["images", "-q"], environment: ["LIGHTER_HOST": host, "DOCKER_HOST": "unix:///nonexistent.sock"]).stdout.count == 13)
        // -H's other spellings, and --root before or after it: still remote.
        for spelling in [["-H\(host)"], ["-H=\(host)"], ["--host", host], ["--host=\(host)"]] {
            #expect(client.run(spelling + ["images", "-q"]).stdout.count == 13, "\(spelling)")
        }
        #expect(Run.capture([Repository.lighterBinary, "--root", client.root.path, "-H", host, "images", "-q"]).stdout.count == 13)

        // Anything else is refused, naming the command, and never runs on the local store.
        for words in [["system", "check"], ["system", "boot"], ["auto-update"]] {
            let refused = client.run(["-H", host] + words)
            let spelled = words.count > 1 && ["network", "system", "container", "image"].contains(words[0]) ? "\(words[0]) \(words[1])" : words[0]
            #expect(refused.status == 125 && refused.stderr.contains("`\(spelled)` against a remote daemon"), "\(words): \(refused.stderr)")
        }
        // Help needs no daemon.
        #expect(remote("ps", "--help").stdout.contains("ps"))
    }

    @Test func createAndRunDetachedThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.cli("import", "--platform", "linux/amd64", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball("amd64"), "busybox:latest").status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { client.run(["-H", host] + arguments) }

        let volume = try daemon.lighter.root.directory("shared")
        let run = remote("run", "-d", "--name", "web", "-e", "GREETING=hi", "--label", "tier=back", "--restart", "on-failure:3",
                         "-v", "\(volume):/shared", "-v", "/anonymous", "busybox", "sh", "-c", "echo $GREETING; echo made > /shared/f; sleep 300")
        try #require(run.status == 0 && run.stdout.count == 65, "\(run.stderr)")
        let id = run.stdout.trimmed
        #expect(daemon.cli("ps", "-q", "--no-trunc").stdout == id + "\n")
        let fields = daemon.cli("inspect", "-f", "{{.Name}} {{index .Config.Labels \"tier\"}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}} {{len .Mounts}}", "web")
        #expect(fields.stdout == "/web back on-failure:3 2\n", "\(fields.stderr)")
        #expect(client.waitForRemoteLog(host, "web", containing: "hi"))
        for _ in 0..<100 where !FileSystem.exists("\(volume)/f") { usleep(50_000) }
        #expect((try? FileSystem.readString("\(volume)/f")) == "made\n")

        let created = remote("create", "--name", "later", "busybox", "true")
        #expect(created.status == 0 && created.stdout.count == 65, "\(created.stderr)")
        #expect(remote("ps", "-a", "--filter", "name=later", "--format", "{{.Status}}").stdout == "Created\n")
        // Name taken: the daemon's conflict as Docker shows it.
        let taken = remote("create", "--name", "later", "busybox", "true")
        #expect(taken.status == 1 && taken.stderr.hasPrefix("Error response from daemon: "), "\(taken.stderr)")
        // An image the daemon lacks and cannot pull (no registry in tests): the pull's error, exit 1.
        let missing = remote("create", "127.0.0.1:1/nothing:1")
        #expect(missing.status == 1 && missing.stderr.hasPrefix("Unable to find image '127.0.0.1:1/nothing:1' locally\n"), "\(missing.stderr)")
        // Flags without a remote path are refused by name, and nothing is created.
        let gpus = remote("run", "-d", "--gpus", "all", "busybox", "true")
        #expect(gpus.status == 125 && gpus.stderr.contains("--gpus cannot be sent to a remote daemon"), "\(gpus.stderr)")
        #expect(daemon.cli("ps", "-aq").stdout.split(separator: "\n").count == 2)
        #expect(remote("rm", "-f", "web", "later").stdout == "web\nlater\n")
    }

    /// `pull` through the daemon from a loopback registry: Docker's progress lines, the digest, the full name.
    @Test func pullThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let registry = try LoopbackRegistry("lighter-remote-registry")
        defer { registry.stop() }
        let image = "127.0.0.1:\(registry.port)/remote/busybox:latest"
        #expect(daemon.cli("tag", "busybox", image).status == 0)
        var pushed = daemon.cli("push", image)
        for _ in 0..<100 where pushed.status != 0 {
            usleep(100_000)
            pushed = daemon.cli("push", image)
        }
        try #require(pushed.status == 0, "\(pushed.stderr)")
        #expect(daemon.cli("rmi", image).status == 0)
        let client = Lighter()
        let pull = client.run("-H", "unix://\(daemon.socketPath)", "pull", image)
        #expect(pull.status == 0, "\(pull.stderr)")
        let lines = pull.stdout.split(separator: "\n")
        #expect(lines.last.map(String.init) == image, "\(pull.stdout)")
        #expect(lines.contains { $0.hasPrefix("Digest: sha256:") } && lines.contains { $0.hasPrefix("Status: ") }, "\(pull.stdout)")
        #expect(daemon.cli("images", "--format", "{{.Repository}}").stdout.contains("127.0.0.1:\(registry.port)/remote/busybox"))
        #expect(client.run("images", "-q").stdout == "")
        let absent = client.run("-H", "unix://\(daemon.socketPath)", "pull", "127.0.0.1:\(registry.port)/remote/none:latest")
        #expect(absent.status == 1 && !absent.stderr.isEmpty, "\(absent.stderr)")
    }

    /// The same commands against Debian's dockerd: Lighter's CLI drives any Docker daemon.
    @Test(.enabled(if: DockerDaemon.installed)) func dockersOwnDaemonToo() throws {
        let docker = try DockerDaemon(label: "remote")
        defer { docker.stop() }
        #expect(docker.client(["import", Repository.busyboxTarball(), "busybox:latest"]).status == 0)
        let client = Lighter()
        func remote(_ arguments: String...) -> ProcessResult { client.run(["-H", docker.socket] + arguments) }

        let serverVersion = docker.client(["version", "--format", "{{.Server.Version}}"]).stdout
        let version = remote("version", "--format", "{{.Server.Version}}")
        #expect(version.status == 0 && version.stdout == serverVersion && !serverVersion.isEmpty, "\(version.stderr)")
        #expect(remote("info", "--format", "{{.Images}}").stdout == "1\n")
        #expect(remote("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "busybox:latest\n")
        let run = remote("run", "-d", "--name", "run1", "--network", "none", "--label", "k=v", "busybox", "sh", "-c", "echo out; echo err >&2; sleep 100")
        try #require(run.status == 0, "\(run.stderr)")
        #expect(remote("create", "--name", "box", "--network", "none", "busybox", "true").status == 0)
        #expect(remote("ps", "-a", "--format", "{{.Names}} {{.Label \"k\"}}").stdout == "box \nrun1 v\n")
        #expect(docker.client(["ps", "-a", "--format", "{{.Names}}"]).stdout == "box\nrun1\n")
        #expect(remote("inspect", "-f", "{{.Name}} {{.State.Running}}", "run1").stdout == "/run1 true\n")
        #expect(client.waitForRemoteLog(docker.socket, "run1", containing: "out"))
        #expect(remote("logs", "run1").stderr == "err\n")
        // The hijacked streams against dockerd: attached run with its code, stdin piped, exec's code.
        let attached = remote("run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
        #expect(attached.status == 3 && attached.stdout == "out\n" && attached.stderr == "err\n", "\(attached)")
        let piped = client.run(["-H", docker.socket, "run", "--rm", "-i", "--network", "none", "busybox", "cat"], stdin: "to dockerd\n")
        #expect(piped.status == 0 && piped.stdout == "to dockerd\n", "\(piped)")
        let exec = remote("exec", "-u", "1000", "-w", "/etc", "run1", "sh", "-c", "id -u; pwd; exit 4")
        #expect(exec.status == 4 && exec.stdout == "1000\n/etc\n", "\(exec)")
        let flagged = remote("create", "--name", "flagged", "--network", "none", "--memory", "64m", "--read-only", "--user", "1000", "busybox", "true")
        #expect(flagged.status == 0, "\(flagged)")
        #expect(docker.client(["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.ReadonlyRootfs}} {{.Config.User}}", "flagged"]).stdout == "67108864 true 1000\n")
        #expect(remote("rm", "flagged").status == 0)
        #expect(remote("stop", "-t", "1", "run1").stdout == "run1\n")
        #expect(remote("rm", "-f", "run1", "box").stdout == "run1\nbox\n")
        #expect(remote("tag", "busybox", "mine:2").status == 0)
        #expect(remote("rmi", "mine:2").stdout == "Untagged: mine:2\n")
        let absent = remote("rm", "nothere")
        #expect(absent.status == 1 && absent.stderr.hasPrefix("Error response from daemon: No such container: nothere"), "\(absent.stderr)")
        #expect(client.run("ps", "-aq").stdout == "" && client.run("images", "-q").stdout == "")
    }

    /// `ssh://` through a real sshd on a loopback port (its own keys and config under a test directory):
    /// each connection is `ssh … -- HOST lighter system dial-stdio`, whose LIGHTER_HOST names the daemon's socket.
    /// sshd without PAM refuses even a key to an account whose password is locked (`!` in /etc/shadow).
    static var rootCanLogInWithAKey: Bool {
        guard let shadow = try? FileSystem.readString("/etc/shadow"),
              let line = shadow.split(separator: "\n").first(where: { $0.hasPrefix("root:") }) else { return false }
        return !line.dropFirst(5).hasPrefix("!")
    }

    @Test(.enabled(if: FileSystem.exists("/usr/sbin/sshd") && FileSystem.exists("/usr/bin/ssh") && RemoteHostTests.rootCanLogInWithAKey))
    func sshHostsThroughDialStdio() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let dir = TestDirectory("lighter-remote-ssh")
        for key in ["host_key", "client_key"] {
            let made = Run.capture(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.sub(key)])
            try #require(made.status == 0, "\(made.stderr)")
        }
        let binDirectory = Repository.lighterBinary.split(separator: "/").dropLast().joined(separator: "/")
        let publicKey = try FileSystem.readString(dir.sub("client_key.pub")).trimmed
        _ = try dir.write("authorized_keys", "environment=\"LIGHTER_HOST=unix://\(daemon.socketPath)\",environment=\"PATH=/\(binDirectory):/usr/bin:/bin\" \(publicKey)\n")
        let port = freePort()
        _ = try dir.write("sshd_config", """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(dir.sub("host_key"))
            PidFile \(dir.sub("sshd.pid"))
            AuthorizedKeysFile \(dir.sub("authorized_keys"))
            PermitUserEnvironment yes
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no

            """)
        _ = try dir.write("ssh_config", """
            Host *
              IdentityFile \(dir.sub("client_key"))
              IdentitiesOnly yes
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              BatchMode yes
              LogLevel ERROR

            """)
        // sshd wants its privilege separation directory; made here only if missing, and removed after.
        let madeRunDirectory = !FileSystem.exists("/run/sshd")
        if madeRunDirectory { _ = Run.capture(["mkdir", "-m", "0755", "/run/sshd"]) }
        let sshd = Run.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", dir.sub("sshd_config")], stdout: dir.sub("sshd.log"), stderr: dir.sub("sshd.log"))
        defer {
            kill(sshd, SIGTERM)
            _ = Run.wait(sshd)
            if madeRunDirectory { _ = Run.capture(["rmdir", "/run/sshd"]) }
        }
        try #require(waitForPort(port), "\((try? FileSystem.readString(dir.sub("sshd.log"))) ?? "")")
        let client = Lighter()
        let host = "ssh://root@127.0.0.1:\(port)"
        let environment = ["LIGHTER_SSH_COMMAND": "ssh -F \(dir.sub("ssh_config"))"]
        func remote(_ arguments: String...) -> ProcessResult { client.run(["-H", host] + arguments, environment: environment) }

        let images = remote("images", "--format", "{{.Repository}}")
        #expect(images.status == 0 && images.stdout == "busybox\n", "\(images.stderr) \((try? FileSystem.readString(dir.sub("sshd.log"))) ?? "")")
        let run = remote("run", "-d", "--name", "over-ssh", "busybox", "sh", "-c", "echo through ssh; sleep 300")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(client.waitForRemoteLog(host, "over-ssh", containing: "through ssh", environment: environment))
        #expect(remote("version", "--format", "{{.Server.Os}} {{.Client.Context}}").stdout == "linux \(host)\n")
        // The hijacked streams through ssh too: exec's output and code, stdin half-closed at EOF.
        let exec = remote("exec", "over-ssh", "sh", "-c", "echo via-exec; exit 5")
        #expect(exec.status == 5 && exec.stdout == "via-exec\n", "\(exec)")
        let echoed = client.run(["-H", host, "run", "--rm", "-i", "busybox", "cat"], stdin: "through the tunnel\n", environment: environment)
        #expect(echoed.status == 0 && echoed.stdout == "through the tunnel\n", "\(echoed)")
        #expect(remote("rm", "-f", "over-ssh").stdout == "over-ssh\n")
        #expect(daemon.cli("ps", "-aq").stdout == "")
        // DOCKER_HOST=ssh://… too; and a port where no sshd listens: Docker's "Cannot connect", exit 1.
        #expect(client.run(["images", "-q"], environment: environment.merging(["DOCKER_HOST": host]) { $1 }).stdout.count == 13)
        let absent = client.run(["-H", "ssh://root@127.0.0.1:\(freePort())", "ps"], environment: environment)
        #expect(absent.status == 1 && absent.stderr.contains("Cannot connect to the Docker daemon at ssh://"), "\(absent.stderr)")
    }

    /// `lighter daemon` serves this machine whatever DOCKER_HOST/LIGHTER_HOST say (it unsets them for its children).
    @Test func theDaemonIgnoresHostsInItsEnvironment() throws {
        let lighter = Lighter()
        let socket = lighter.root.sub("env.sock")
        let pid = Run.spawn([Repository.lighterBinary, "daemon", "-H", "unix://\(socket)", "--request-timeout", "2"],
                            stdout: lighter.root.sub("daemon.out"), stderr: lighter.root.sub("daemon.log"),
                            environment: ["LIGHTER_ROOT": lighter.root.path, "DOCKER_HOST": "tcp://127.0.0.1:1", "LIGHTER_HOST": "unix:///nonexistent.sock"])
        defer {
            kill(pid, SIGTERM)
            _ = Run.wait(pid)
        }
        var version = lighter.run("-H", "unix://\(socket)", "version", "--format", "{{.Server.Version}}")
        for _ in 0..<200 where version.status != 0 {
            usleep(25_000)
            version = lighter.run("-H", "unix://\(socket)", "version", "--format", "{{.Server.Version}}")
        }
        #expect(version.status == 0 && version.stdout == "\(LighterVersion.version)\n", "\(version.stderr)")
    }

    @Test func unreachableHostsSayWhatDockerSays() {
        let client = Lighter()
        let absent = client.run("-H", "unix:///nonexistent/lighter.sock", "ps")
        #expect(absent.status == 1 && absent.stdout.isEmpty)
        #expect(absent.stderr == "Cannot connect to the Docker daemon at unix:///nonexistent/lighter.sock. Is the docker daemon running?\n", "\(absent.stderr)")
        let byEnvironment = client.run(["version"], environment: ["DOCKER_HOST": "unix:///nonexistent/docker.sock"])
        #expect(byEnvironment.status == 1 && byEnvironment.stderr.hasPrefix("Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock."))
        let sshPath = client.run("-H", "ssh://root@board/var/run", "ps")
        #expect(sshPath.status == 125 && sshPath.stderr.contains("an ssh host takes no path"), "\(sshPath.stderr)")
        let bad = client.run("-H", "bogus", "ps")
        #expect(bad.status == 125 && bad.stderr.contains("unix:///PATH"), "\(bad.stderr)")
        let noCA = client.run("--tlsverify", "-H", "tcp://127.0.0.1:1", "ps")
        #expect(noCA.status == 125 && noCA.stderr.contains("--tlscacert"), "\(noCA.stderr)")
        // The local socket in the environment keeps the daemonless path.
        #expect(client.run(["ps", "-q"], environment: ["DOCKER_HOST": "unix:///var/run/docker.sock"]).status == 0)
    }

    @Test func tcpWithTLSAndClientCertificates() throws {
        let net = try TLSTestNetwork()
        let daemon = try TLSDaemon(net, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey])
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let empty = TestDirectory("lighter-remote-client")
        let base = [Repository.lighterBinary, "--root", empty.path]
        let environment = ["DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": empty.path, "HOME": empty.path]
        let verify = ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.clientCert, "--tlskey", net.certs.clientKey]
        let images = net.client.run(base + verify + ["-H", daemon.tcp, "images", "--format", "{{.Repository}}"], environment: environment)
        #expect(images.status == 0 && images.stdout == "busybox\n", "\(images.stderr)")
        // Docker's variables: DOCKER_CERT_PATH holds ca.pem, cert.pem and key.pem.
        let variables = environment.merging(["DOCKER_HOST": "tcp://\(TLSTestNetwork.serverAddress):2376", "DOCKER_TLS_VERIFY": "1",
                                             "DOCKER_CERT_PATH": net.certs.clientDirectory]) { $1 }
        let version = net.client.run(base + ["version", "--format", "{{.Server.Os}}"], environment: variables)
        #expect(version.status == 0 && version.stdout == "linux\n", "\(version.stderr)")
        // Without a client certificate the daemon refuses the connection.
        let refused = net.client.run(base + ["--tlsverify", "--tlscacert", net.certs.ca, "-H", daemon.tcp, "ps"], environment: environment)
        #expect(refused.status == 1 && refused.stdout.isEmpty, "\(refused.stderr)")
    }
}

extension Lighter {
    /// Poll a container's logs through `host` until they contain `text` (at most `seconds`).
    func waitForRemoteLog(_ host: String, _ container: String, containing text: String, seconds: Int = 30, environment: [String: String] = [:]) -> Bool {
        for _ in 0..<(seconds * 20) {
            if run(["-H", host, "logs", container], environment: environment).stdout.contains(text) { return true }
            usleep(50_000)
        }
        return false
    }
}
