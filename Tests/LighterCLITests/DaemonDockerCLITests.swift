#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter daemon` driven by the docker CLIs this host has (Debian's 20.10 and the newer static one):
/// outputs and exit codes as a user sees them. Serialized: each test runs its own daemon and containers.
@Suite(.serialized) struct DaemonDockerCLITests {
    @Test(arguments: LighterDaemon.clients)
    func versionInfoAndRunPassExitCodesThrough(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let version = daemon.docker(client, "version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}")
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout == "1.41 1.24 linux\n")
        let info = daemon.docker(client, "info", "--format", "{{.Images}} {{.OSType}}")
        #expect(info.stdout == "1 linux\n", "\(info.stderr)")
        let hi = daemon.docker(client, "run", "--rm", "busybox", "echo", "hi")
        #expect(hi.status == 0, "\(hi.stderr)")
        #expect(hi.stdout == "hi\n")
        let three = daemon.docker(client, "run", "--rm", "busybox", "sh", "-c", "echo oops >&2; exit 3")
        #expect(three.status == 3)
        #expect(three.stderr.contains("oops"))
        // --rm removed it: the daemon's wait saw the exit code in the event log after the record went.
        #expect(daemon.docker(client, "ps", "-aq").stdout == "")
        let kept = daemon.docker(client, "run", "--name", "kept", "busybox", "sh", "-c", "sleep 0.3; echo late")
        #expect(kept.stdout == "late\n")
        #expect(daemon.docker(client, "ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout.hasPrefix("kept Exited (0)"))
        let piped = daemon.docker(client, "run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo done", stdin: "through stdin\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "through stdin\ndone\n")
        let missing = daemon.docker(client, "run", "--rm", "busybox", "/no/such/thing")
        #expect(missing.status == 127, "\(missing.stderr)")
    }

    @Test(arguments: LighterDaemon.clients)
    func detachedContainersExecLogsStopKillRemove(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let run = daemon.docker(client, "run", "-d", "--name", "web", "busybox", "sh", "-c", "echo ready; trap 'exit 0' TERM; while true; do sleep 0.1; done")
        #expect(run.status == 0, "\(run.stderr)")
        let id = run.stdout.trimmed
        #expect(id.count == 64)
        #expect(daemon.lighter.waitForLog("web", containing: "ready"))
        let ps = daemon.docker(client, "ps", "--format", "{{.ID}} {{.Image}} {{.Names}}")
        #expect(ps.stdout == "\(id.prefix(12)) busybox web\n", "\(ps.stderr)")
        #expect(daemon.docker(client, "logs", "web").stdout == "ready\n")
        #expect(daemon.docker(client, "inspect", "-f", "{{.State.Status}} {{.Name}} {{.Config.Image}}", "web").stdout == "running /web busybox\n")
        let exec = daemon.docker(client, "exec", "web", "sh", "-c", "echo out; echo err >&2")
        #expect(exec.status == 0)
        #expect(exec.stdout == "out\n")
        #expect(exec.stderr == "err\n")
        #expect(daemon.docker(client, "exec", "web", "sh", "-c", "exit 7").status == 7)
        let piped = daemon.docker(client, "exec", "-i", "web", "cat", stdin: "through stdin\n")
        #expect(piped.stdout == "through stdin\n", "\(piped.stderr)")
        #expect(daemon.docker(client, "stop", "web").status == 0)
        #expect(daemon.docker(client, "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "web").stdout == "exited 0\n")
        #expect(daemon.docker(client, "start", "web").status == 0)
        #expect(daemon.docker(client, "kill", "web").status == 0)
        #expect(daemon.docker(client, "wait", "web").stdout == "137\n")
        #expect(daemon.docker(client, "run", "-d", "--name", "busy", "busybox", "sleep", "100").status == 0)
        let refused = daemon.docker(client, "rm", "busy")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Stop the container before attempting removal or force remove"))
        #expect(daemon.docker(client, "rm", "-f", "busy", "web").status == 0)
        #expect(daemon.docker(client, "ps", "-aq").stdout == "")
        let none = daemon.docker(client, "inspect", "nothing-here")
        #expect(none.status == 1)
        #expect(none.stderr.contains("No such"))
    }

    /// `exec -it` and `run -t` with the client on a terminal (a pty the test opens): the process has a
    /// terminal, the stream is raw, the exit code comes through.
    @Test(arguments: LighterDaemon.clients)
    func terminals(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)
        func onTerminal(_ arguments: String..., stdin: String? = nil) -> ProcessResult {
            Run.onPseudoTerminal([client, "-H", "unix://\(daemon.socketPath)"] + arguments, input: stdin,
                                 environment: ["DOCKER_CONFIG": daemon.clientConfig])
        }
        let exec = onTerminal("exec", "-it", "box", "sh", "-c", "tty; exit 5")
        #expect(exec.stdout.contains("/dev/pts/"), "\(exec.stdout) \(exec.stderr)")
        #expect(exec.status == 5)
        let run = onTerminal("run", "--rm", "-t", "busybox", "tty")
        #expect(run.stdout.contains("/dev/"), "\(run.stdout) \(run.stderr)")
        #expect(run.status == 0)
        let interactive = onTerminal("run", "--rm", "-it", "busybox", "sh", "-c", "read x; echo got $x; exit 4", stdin: "typed\n")
        #expect(interactive.stdout.contains("got typed"), "\(interactive.stdout) \(interactive.stderr)")
        #expect(interactive.status == 4)
    }

    @Test(arguments: LighterDaemon.clients)
    func renamePauseTopAndPrunes(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "first", "busybox", "sleep", "300").status == 0)
        #expect(daemon.docker(client, "rename", "first", "second").status == 0)
        #expect(daemon.docker(client, "ps", "--format", "{{.Names}}").stdout == "second\n")
        #expect(daemon.docker(client, "pause", "second").status == 0)
        #expect(daemon.docker(client, "inspect", "-f", "{{.State.Status}}", "second").stdout == "paused\n")
        #expect(daemon.docker(client, "unpause", "second").status == 0)
        let top = daemon.docker(client, "top", "second")
        #expect(top.status == 0, "\(top.stderr)")
        #expect(top.stdout.hasPrefix("PID") && top.stdout.contains("sleep 300"), "\(top.stdout)")
        let stats = daemon.docker(client, "stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.CPUPerc}}", "second")
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.hasPrefix("second 1 ") && stats.stdout.hasSuffix("%\n"), "\(stats.stdout)")
        #expect(daemon.docker(client, "exec", "second", "sh", "-c", "echo x > /made; rm /bin/true").status == 0)
        let diff = daemon.docker(client, "diff", "second")
        // /etc's name files are the container's own, as `lighter diff` lists them; the rest is what the exec did.
        #expect(diff.stdout.split(separator: "\n").filter { !$0.hasSuffix("/etc") && !$0.contains("/etc/") }.sorted() == ["A /made", "C /bin", "D /bin/true"],
                "\(diff.stdout) \(diff.stderr)")
        #expect(diff.stdout == daemon.lighter.run("diff", "second").stdout)
        let exported = Run.sh("DOCKER_CONFIG=\(daemon.clientConfig) \(client) -H unix://\(daemon.socketPath) export second | tar -t | grep -c -E '^(\\./)?(made|bin/sh)$'")
        #expect(exported.stdout == "2\n", "\(exported.stderr)")
        #expect(daemon.docker(client, "run", "--name", "done", "busybox", "true").status == 0)
        let prune = daemon.docker(client, "container", "prune", "-f")
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(daemon.docker(client, "ps", "-a", "--format", "{{.Names}}").stdout == "second\n")
        #expect(daemon.docker(client, "volume", "create", "loose").status == 0)
        #expect(daemon.docker(client, "volume", "prune", "-f").status == 0)
        #expect(daemon.docker(client, "volume", "ls", "-q").stdout == "")
        #expect(daemon.raw("GET /images/search?term=busybox HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 501 "))
    }

    @Test(arguments: LighterDaemon.clients)
    func logsFollowEndsWhenTheContainerExits(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "talk", "busybox", "sh", "-c", "echo one; sleep 1; echo two >&2; sleep 0.2; echo three").status == 0)
        let follow = daemon.docker(client, "logs", "-f", "talk")
        #expect(follow.status == 0)
        #expect(follow.stdout == "one\nthree\n")
        #expect(follow.stderr == "two\n")
        let tail = daemon.docker(client, "logs", "--tail", "1", "-t", "talk")
        #expect(tail.stdout.hasSuffix(" three\n"))
        #expect(tail.stdout.hasPrefix("20"))
    }

    /// `docker system df -v` through the daemon: each image's shared and unique sizes, as `lighter
    /// system df -v` gives them (a layer two images share counted once), not N/A and 100% reclaimable.
    @Test(arguments: LighterDaemon.clients)
    func systemDfSharesLayersAsTheLocalOneDoes(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nRUN echo x > /x\n"])
        #expect(daemon.lighter.run("build", "-q", "--network", "none", "-t", "derived", context.path).status == 0)
        #expect(daemon.docker(client, "run", "-d", "--network", "none", "--name", "user", "derived", "sleep", "600").status == 0)
        defer { _ = daemon.docker(client, "rm", "-f", "user") }
        let format = "{{.Repository}} {{.SharedSize}} {{.UniqueSize}} {{.Containers}}"
        let remote = daemon.docker(client, "system", "df", "-v", "--format", "{{range .Images}}\(format)\n{{end}}")
        #expect(remote.status == 0, "\(remote.stderr)")
        let rows = remote.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.sorted { $0[0] < $1[0] }
        #expect(rows.count == 2, "\(remote.stdout)")
        guard rows.count == 2 else { return }
        // busybox: all of it shared with derived, nothing unique, no container; derived: the same shared
        // part, its RUN layer unique, one container.
        #expect(rows[0][0] == "busybox" && rows[0][1] != "N/A" && rows[0][1] != "0B" && rows[0][2] == "0B" && rows[0][3] == "0", "\(rows)")
        #expect(rows[1][0] == "derived" && rows[1][1] == rows[0][1] && rows[1][2] != "0B" && rows[1][3] == "1", "\(rows)")
        let summary = daemon.docker(client, "system", "df", "--format", "{{.Type}} {{.Reclaimable}}").stdout
        #expect(!summary.contains("(100%)"), "\(summary)")
    }

    @Test(arguments: LighterDaemon.clients)
    func imagesTagInspectRemove(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "tag", "busybox", "board/app:1").status == 0)
        #expect(daemon.docker(client, "images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split(separator: "\n").sorted() == ["board/app:1", "busybox:latest"])
        let id = daemon.lighter.run("images", "-q", "--no-trunc", "busybox").stdout.trimmed
        #expect(daemon.docker(client, "image", "inspect", "-f", "{{.Id}} {{.Os}}", "board/app:1").stdout == "\(id) linux\n")
        let rmi = daemon.docker(client, "rmi", "board/app:1")
        #expect(rmi.status == 0)
        #expect(rmi.stdout == "Untagged: board/app:1\n")
        #expect(daemon.docker(client, "rmi", "nothing:here").status != 0)
        #expect(daemon.docker(client, "images", "-q").stdout.split(separator: "\n").count == 1)
    }

    @Test(arguments: LighterDaemon.clients)
    func networksVolumesAndEvents(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        let since = String(Time.now().seconds - 1)
        let network = daemon.docker(client, "network", "create", "backend")
        #expect(network.status == 0, "\(network.stderr)")
        #expect(daemon.docker(client, "network", "ls", "--format", "{{.Name}}").stdout.split(separator: "\n").contains("backend"))
        #expect(daemon.docker(client, "network", "inspect", "-f", "{{.Name}} {{.Driver}}", "backend").stdout == "backend bridge\n")
        #expect(daemon.docker(client, "network", "rm", "backend").status == 0)
        #expect(!daemon.docker(client, "network", "ls").stdout.contains("backend"))
        #expect(daemon.docker(client, "volume", "create", "data").stdout == "data\n")
        #expect(daemon.docker(client, "volume", "ls", "--format", "{{.Name}} {{.Driver}}").stdout == "data local\n")
        #expect(daemon.docker(client, "volume", "rm", "data").status == 0)
        #expect(daemon.docker(client, "volume", "ls", "-q").stdout == "")
        let until = String(Time.now().seconds + 1)
        let events = daemon.docker(client, "events", "--since", since, "--until", until, "--format", "{{.Type}} {{.Action}}")
        #expect(events.status == 0, "\(events.stderr)")
        #expect(events.stdout == "network create\nnetwork destroy\nvolume create\nvolume destroy\n")
        let filtered = daemon.docker(client, "events", "--since", since, "--until", until, "--filter", "type=volume", "--format", "{{.Action}}")
        #expect(filtered.stdout == "create\ndestroy\n")
        #expect(daemon.docker(client, "network", "create", "spare").status == 0)
        let pruned = daemon.docker(client, "network", "prune", "-f")
        #expect(pruned.status == 0 && pruned.stdout.contains("spare"), "\(pruned.stdout) \(pruned.stderr)")
        #expect(!daemon.docker(client, "network", "ls", "--format", "{{.Name}}").stdout.contains("spare"))
    }

    /// `docker pull` (and `run` of a missing image) through the daemon, from a registry on loopback.
    @Test(arguments: LighterDaemon.clients)
    func pullFromALoopbackRegistry(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let registry = try LoopbackRegistry("lighter-daemon-registry")
        defer { registry.stop() }
        let port = registry.port
        let image = "127.0.0.1:\(port)/daemon/busybox:latest"
        #expect(daemon.lighter.run("tag", "busybox", image).status == 0)
        var pushed = daemon.lighter.run("push", image)
        for _ in 0..<100 where pushed.status != 0 {
            usleep(100_000)
            pushed = daemon.lighter.run("push", image)
        }
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(daemon.lighter.run("rmi", image).status == 0)
        let pull = daemon.docker(client, "pull", image)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout.contains("Status: "), "\(pull.stdout)")
        #expect(daemon.docker(client, "images", "--format", "{{.Repository}}").stdout.contains("127.0.0.1:\(port)/daemon/busybox"))
        #expect(daemon.lighter.run("rmi", image).status == 0)
        let run = daemon.docker(client, "run", "--rm", image, "echo", "pulled")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "pulled\n")
        let absent = daemon.docker(client, "pull", "127.0.0.1:\(port)/daemon/none:latest")
        #expect(absent.status != 0)
    }

    /// The CLI and the daemon share the data root; the daemon's death stops no container, and the next
    /// daemon lists and stops them.
    @Test func containersOutliveTheDaemonAndTheCLISeesThem() throws {
        let client = try #require(LighterDaemon.clients.first)
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.lighter.run("run", "-d", "--name", "from-cli", "busybox", "sleep", "300").status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "from-api", "busybox", "sleep", "300").status == 0)
        #expect(daemon.docker(client, "ps", "--format", "{{.Names}}").stdout.split(separator: "\n").sorted() == ["from-api", "from-cli"])
        #expect(daemon.lighter.run("ps", "--format", "{{.Names}}").stdout.split(separator: "\n").sorted() == ["from-api", "from-cli"])
        daemon.kill9()
        #expect(!FileSystem.exists(daemon.socketPath) || daemon.raw("GET /_ping HTTP/1.1\r\n\r\n").isEmpty)
        #expect(daemon.lighter.run("inspect", "-f", "{{.State.Status}}", "from-api", "from-cli").stdout == "running\nrunning\n")
        try daemon.start()   // replaces the dead daemon's socket
        #expect(daemon.docker(client, "ps", "--format", "{{.Names}} {{.State}}").stdout.split(separator: "\n").sorted() == ["from-api running", "from-cli running"])
        #expect(daemon.docker(client, "stop", "-t", "1", "from-api", "from-cli").status == 0)
        #expect(daemon.lighter.run("ps", "-q").stdout == "")
    }

    /// SIGTERM ends the daemon cleanly: the socket is gone, running containers are not.
    @Test func sigtermRemovesTheSocketAndLeavesContainersRunning() throws {
        let client = try #require(LighterDaemon.clients.first)
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "stays", "busybox", "sleep", "300").status == 0)
        kill(daemon.pid, SIGTERM)
        #expect(Run.wait(daemon.pid) == 0)
        #expect(!FileSystem.exists(daemon.socketPath))
        #expect(daemon.lighter.run("inspect", "-f", "{{.State.Status}}", "stays").stdout == "running\n")
    }
}

/// Requests no docker CLI would send: the daemon answers 4xx (or times the client out) and keeps serving.
@Suite struct DaemonHTTPTests {
    @Test func malformedOversizedAndSlowRequests() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.raw("GARBAGE\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
        #expect(daemon.raw("GET /_ping HTTP/1.1\r\nX: " + String(repeating: "a", count: 70_000) + "\r\n\r\n").hasPrefix("HTTP/1.1 431 "))
        let big = daemon.raw("POST /containers/create HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n{")
        #expect(big.hasPrefix("HTTP/1.1 413 "))
        // A client that never finishes its request is cut off after the request timeout (2 s here).
        let started = Time.now().seconds
        let slow = daemon.raw("GET /_ping HTTP/1.1\r\nHost: d\r\n", seconds: 15)
        #expect(slow.hasPrefix("HTTP/1.1 408 "))
        #expect(Time.now().seconds - started < 10)
        let chunked = daemon.raw("POST /v1.41/volumes/create HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{\"Name\"\r\nA\r\n:\"chunky\"}\r\n0\r\n\r\n")
        #expect(chunked.hasPrefix("HTTP/1.1 201 "), "\(chunked)")
        #expect(chunked.contains("\"Name\":\"chunky\""))
        #expect(daemon.raw("GET /v1.41/nothing HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        let unserved = daemon.raw("GET /v1.41/swarm HTTP/1.1\r\n\r\n")
        #expect(unserved.hasPrefix("HTTP/1.1 501 "))
        #expect(unserved.contains("GET /swarm is not served"))
        let old = daemon.raw("GET /v1.19/version HTTP/1.1\r\n\r\n")
        #expect(old.hasPrefix("HTTP/1.1 400 ") && old.contains("client version 1.19 is too old. Minimum supported API version is 1.24"))
        #expect(daemon.raw("GET /v1.99/version HTTP/1.1\r\n\r\n").contains("client version 1.99 is too new"))
        let ping = daemon.raw("HEAD /_ping HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(ping.hasPrefix("HTTP/1.1 200 "))
        #expect(ping.contains("Api-Version: 1.41"))
        #expect(ping.contains("OSType: linux"))
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        let two = daemon.raw("GET /_ping HTTP/1.1\r\n\r\nGET /v1.24/version HTTP/1.1\r\nConnection: close\r\n\r\n", untilClosed: true)
        #expect(two.ranges(of: "HTTP/1.1 200 ").count == 2)
        #expect(two.contains("\"ApiVersion\":\"1.41\""))
    }

    @Test func createRefusesWhatLighterCannotApplyByName() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let body = #"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Runtime":"nvidia","Memory":0}}"#
        let refused = daemon.raw("POST /v1.41/containers/create HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(refused.hasPrefix("HTTP/1.1 400 "))
        #expect(refused.contains("HostConfig.Runtime is not supported"))
        let shell = #"{"Image":"busybox","Shell":["/bin/bash","-c"]}"#
        #expect(daemon.raw("POST /containers/create HTTP/1.1\r\nContent-Length: \(shell.utf8.count)\r\n\r\n\(shell)").contains("Config.Shell is not supported"))
        let noImage = #"{"Image":"nothing:here"}"#
        let missing = daemon.raw("POST /containers/create HTTP/1.1\r\nContent-Length: \(noImage.utf8.count)\r\n\r\n\(noImage)")
        #expect(missing.hasPrefix("HTTP/1.1 404 "))
        #expect(missing.contains("{\"message\":"))
        #expect(daemon.lighter.run("ps", "-aq").stdout == "")
    }
}
