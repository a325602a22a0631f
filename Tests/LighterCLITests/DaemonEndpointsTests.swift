#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The daemon's archive, update, resize, network connect/disconnect, push and prune endpoints, driven by
/// the docker CLIs this host has. Serialized: each test runs its own daemon and containers.
@Suite(.serialized) struct DaemonEndpointsTests {
    /// `docker cp` both ways: files, directories, a directory's contents ("/."), symlinks (as links, and
    /// followed with -L), into a volume, with a running and a stopped container; `-a` keeps owners, a
    /// directory is never replaced by a file; HEAD's path stat header.
    @Test(arguments: LighterDaemon.clients)
    func copyBothWays(client: String) throws {
        let daemon = try LighterDaemon()
        defer {
            daemon.stop()
            daemon.lighter.run("volume", "rm", "-f", "cpvol")
        }
        #expect(daemon.lighter.importBusybox().status == 0)
        let run = daemon.docker(client, "run", "-d", "--name", "web", "-v", "cpvol:/vol", "busybox", "sh", "-c",
                                "mkdir -p /data/sub; echo hello > /data/f; ln -s /data/f /data/link; echo deep > /data/sub/y; echo ready; sleep 300")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(daemon.lighter.waitForLog("web", containing: "ready"))
        let out = try daemon.lighter.root.directory("out")
        @discardableResult
        func cp(_ arguments: String...) -> ProcessResult {
            let result = Run.capture(["timeout", "-s", "KILL", "60", client, "-H", "unix://\(daemon.socketPath)", "cp"] + arguments,
                                     environment: ["DOCKER_CONFIG": daemon.clientConfig])
            #expect(result.status == 0, "cp \(arguments): \(result.stderr)")
            return result
        }
        cp("web:/data/f", "\(out)/f")
        #expect(try FileSystem.readString("\(out)/f") == "hello\n")
        cp("web:/data", "\(out)/data")
        #expect(try FileSystem.readString("\(out)/data/sub/y") == "deep\n")
        #expect(Run.capture(["readlink", "\(out)/data/link"]).stdout == "/data/f\n")
        cp("web:/data/.", "\(out)/contents")
        #expect(try FileSystem.readString("\(out)/contents/f") == "hello\n")
        #expect(try FileSystem.readString("\(out)/contents/sub/y") == "deep\n")
        cp("web:/data/link", "\(out)/link")
        #expect(Run.capture(["readlink", "\(out)/link"]).stdout == "/data/f\n")
        cp("-L", "web:/data/link", "\(out)/followed")
        #expect(try FileSystem.readString("\(out)/followed") == "hello\n")
        let missing = daemon.docker(client, "cp", "web:/no/such", "\(out)/x")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("No such"), "\(missing.stderr)")

        // Into the running container: a file, a directory, into the volume; -a keeps the owner.
        let file = try daemon.lighter.root.write("in.txt", "from the host\n")
        cp(file, "web:/data/in.txt")
        #expect(daemon.docker(client, "exec", "web", "cat", "/data/in.txt").stdout == "from the host\n")
        cp("\(out)/data", "web:/copied")
        #expect(daemon.docker(client, "exec", "web", "cat", "/copied/sub/y").stdout == "deep\n")
        #expect(daemon.docker(client, "exec", "web", "readlink", "/copied/link").stdout == "/data/f\n")
        cp(file, "web:/vol/")
        #expect(daemon.docker(client, "exec", "web", "cat", "/vol/in.txt").stdout == "from the host\n")
        #expect(chown(file, 1234, 4321) == 0)
        cp(file, "web:/data/plain.txt")
        cp("-a", file, "web:/data/owned.txt")
        #expect(daemon.docker(client, "exec", "web", "stat", "-c", "%u:%g", "/data/plain.txt", "/data/owned.txt").stdout == "0:0\n1234:4321\n")
        // A directory is not replaced by a file (Docker's noOverwriteDirNonDir).
        let clash = try daemon.lighter.root.directory("clash")
        _ = try daemon.lighter.root.write("clash/sub", "a file named like the directory\n")
        let refused = daemon.docker(client, "cp", "\(clash)/.", "web:/data")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cannot overwrite directory"), "\(refused.stderr)")
        #expect(daemon.docker(client, "exec", "web", "cat", "/data/sub/y").stdout == "deep\n")

        // HEAD: the path's stat (base64 JSON) in X-Docker-Container-Path-Stat; 404 for nothing there.
        let head = daemon.raw("HEAD /containers/web/archive?path=/data/link HTTP/1.1\r\nHost: d\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
        let stat = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("x-docker-container-path-stat: ") }
        let decoded = Run.capture(["base64", "-d"], stdin: String(stat?.split(separator: " ").last ?? "")).stdout
        #expect(decoded.contains("\"linkTarget\":\"/data/f\""), "\(decoded)")
        #expect(decoded.contains("\"name\":\"link\""), "\(decoded)")
        #expect(daemon.raw("HEAD /containers/web/archive?path=/nothing HTTP/1.1\r\nHost: d\r\n\r\n").hasPrefix("HTTP/1.1 404"))

        // A client that stops reading a streamed tar (cp, export) ends that copy, not the daemon (SIGPIPE).
        for command in ["cp web:/ -", "export web"] {
            _ = Run.capture(["sh", "-c", "\(client) -H unix://\(daemon.socketPath) \(command) | head -c 100 > /dev/null"],
                            environment: ["DOCKER_CONFIG": daemon.clientConfig])
            #expect(daemon.raw("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n").hasPrefix("HTTP/1.1 200"), "after \(command)")
        }

        // A stopped container: its root filesystem and its volume, both ways.
        #expect(daemon.docker(client, "stop", "-t", "1", "web").status == 0)
        cp(file, "web:/vol/after.txt")
        cp("web:/vol/after.txt", "\(out)/after.txt")
        #expect(try FileSystem.readString("\(out)/after.txt") == "from the host\n")
        cp("web:/data/in.txt", "\(out)/stopped.txt")
        #expect(try FileSystem.readString("\(out)/stopped.txt") == "from the host\n")
        #expect(daemon.docker(client, "start", "web").status == 0)
        #expect(daemon.docker(client, "exec", "web", "cat", "/vol/after.txt").stdout == "from the host\n")
    }

    /// `docker update` changes the record and the running container's cgroups; a resource Lighter cannot
    /// set is refused by name. Resizes reach the container's and an exec's terminal (`stty size` inside).
    @Test(arguments: LighterDaemon.clients)
    func updateAndResize(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "web", "busybox", "sleep", "300").status == 0)
        let update = daemon.docker(client, "update", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50", "--restart", "on-failure:3", "web")
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout == "web\n")
        let inspect = daemon.docker(client, "inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "web")
        #expect(inspect.stdout == "67108864 500000000 50 on-failure:3\n", "\(inspect.stderr)")
        #expect(daemon.docker(client, "exec", "web", "cat", "/sys/fs/cgroup/pids/pids.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes").stdout == "50\n67108864\n")
        let body = #"{"BlkioWeight": 300}"#
        let refused = daemon.raw("POST /containers/web/update HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        #expect(refused.hasPrefix("HTTP/1.1 400"), "\(refused)")
        #expect(refused.contains("BlkioWeight is not supported by Lighter"))
        #expect(daemon.docker(client, "run", "-d", "--rm", "--name", "gone", "busybox", "sleep", "300").status == 0)
        let autoRemove = daemon.docker(client, "update", "--restart", "always", "gone")
        #expect(autoRemove.status != 0)
        #expect(autoRemove.stderr.contains("AutoRemove"), "\(autoRemove.stderr)")

        // The container's terminal, resized through the API (docker attach and run -it call this).
        #expect(daemon.docker(client, "run", "-dt", "--name", "term", "busybox", "sh").status == 0)
        let resize = daemon.raw("POST /containers/term/resize?h=33&w=77 HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n")
        #expect(resize.hasPrefix("HTTP/1.1 200"), "\(resize)")
        #expect(daemon.docker(client, "exec", "term", "stty", "-F", "/proc/1/fd/0", "size").stdout == "33 77\n")
        let noTerminal = daemon.raw("POST /containers/web/resize?h=33&w=77 HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n")
        #expect(noTerminal.hasPrefix("HTTP/1.1 400"), "\(noTerminal)")
        // exec -it from a 21×55 terminal: the CLI resizes the exec's terminal once it started.
        let exec = Run.onPseudoTerminal([client, "-H", "unix://\(daemon.socketPath)", "exec", "-it", "term", "sh", "-c", "sleep 1; stty size"],
                                        environment: ["DOCKER_CONFIG": daemon.clientConfig], windowSize: (21, 55))
        #expect(exec.status == 0)
        #expect(exec.stdout.contains("21 55"), "\(exec.stdout)")
        #expect(!exec.stdout.contains("failed to resize"), "\(exec.stdout)")
        // run -it from a 23×57 terminal: ConsoleSize at create (28.x) or a resize after start (20.10).
        let run = Run.onPseudoTerminal([client, "-H", "unix://\(daemon.socketPath)", "run", "--rm", "-it", "busybox", "sh", "-c", "sleep 1; stty size"],
                                       environment: ["DOCKER_CONFIG": daemon.clientConfig], windowSize: (23, 57))
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("23 57"), "\(run.stdout)")
    }

    /// `docker network connect` with an alias and an address, and `disconnect`: the container's interfaces
    /// and inspect follow.
    @Test(arguments: LighterDaemon.clients)
    func networkConnectAndDisconnect(client: String) throws {
        let daemon = try LighterDaemon()
        defer {
            daemon.stop()
            daemon.lighter.run("network", "rm", "front", "back")
        }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.docker(client, "network", "create", "--subnet", "10.231.61.0/24", "front").status == 0)
        #expect(daemon.docker(client, "network", "create", "--subnet", "10.231.62.0/24", "back").status == 0)
        #expect(daemon.docker(client, "run", "-d", "--name", "app", "--network", "front", "busybox", "sleep", "300").status == 0)
        let connect = daemon.docker(client, "network", "connect", "--ip", "10.231.62.9", "--alias", "api", "back", "app")
        #expect(connect.status == 0, "\(connect.stderr)")
        let networks = daemon.docker(client, "inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}", "app")
        #expect(networks.stdout.contains("back=10.231.62.9"), "\(networks.stdout)")
        #expect(daemon.docker(client, "network", "inspect", "-f", "{{range .Containers}}{{.Name}}{{end}}", "back").stdout == "app\n")
        #expect(daemon.docker(client, "exec", "app", "ip", "-4", "-o", "addr").stdout.contains("10.231.62.9/24"))
        // The alias resolves for another container on that network.
        #expect(daemon.docker(client, "run", "-d", "--name", "peer", "--network", "back", "busybox", "sleep", "300").status == 0)
        let lookup = daemon.docker(client, "exec", "peer", "ping", "-c", "1", "-W", "2", "api")
        #expect(lookup.status == 0, "\(lookup.stdout) \(lookup.stderr)")
        #expect(lookup.stdout.contains("10.231.62.9"))
        let twice = daemon.docker(client, "network", "connect", "back", "app")
        #expect(twice.status != 0)
        let disconnect = daemon.docker(client, "network", "disconnect", "back", "app")
        #expect(disconnect.status == 0, "\(disconnect.stderr)")
        #expect(!daemon.docker(client, "exec", "app", "ip", "-4", "-o", "addr").stdout.contains("10.231.62."))
        #expect(daemon.docker(client, "inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "app").stdout == "front \n")
        #expect(daemon.docker(client, "network", "connect", "nosuch", "app").status != 0)
        let unknownField = #"{"Container": "app", "EndpointConfig": {"Links": ["peer:p"]}}"#
        let refused = daemon.raw("POST /networks/back/connect HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: \(unknownField.utf8.count)\r\n\r\n\(unknownField)")
        #expect(refused.hasPrefix("HTTP/1.1 400"), "\(refused)")
        #expect(refused.contains("EndpointConfig.Links is not supported by Lighter"))
    }

    /// `docker push` (and pull) with the credentials the CLI sends in X-Registry-Auth, against a registry
    /// on loopback that requires them; image prune with its filters, builder prune; search's 501.
    @Test(arguments: LighterDaemon.clients)
    func pushWithCredentialsAndPrunes(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let registry = try AuthRegistry(user: "alice", password: "wonder land")
        defer { registry.stop() }
        let image = "127.0.0.1:\(registry.port)/team/busybox:v1"
        #expect(daemon.docker(client, "tag", "busybox", image).status == 0)
        #expect(waitForPort(registry.port))
        let anonymous = daemon.docker(client, "push", image)
        #expect(anonymous.status != 0)
        #expect(anonymous.stderr.contains("authentication required"), "\(anonymous.stdout) \(anonymous.stderr)")
        // docker login asks the daemon (POST /auth) to check the credentials with the registry; the CLI keeps them.
        let wrong = daemon.docker(client, "login", "-u", "alice", "--password-stdin", "127.0.0.1:\(registry.port)", stdin: "wonderland\n")
        #expect(wrong.status != 0, "\(wrong.stdout) \(wrong.stderr)")
        #expect(wrong.stderr.contains("Error response from daemon") && wrong.stderr.contains("login refused"), "\(wrong.stderr)")
        #expect(!((try? FileSystem.readString("\(daemon.clientConfig)/config.json")) ?? "").contains("127.0.0.1:\(registry.port)"))
        let login = daemon.docker(client, "login", "-u", "alice", "--password-stdin", "127.0.0.1:\(registry.port)", stdin: "wonder land\n")
        #expect(login.status == 0, "\(login.stdout) \(login.stderr)")
        #expect(login.stdout.contains("Login Succeeded"), "\(login.stdout)")
        #expect(((try? FileSystem.readString("\(daemon.clientConfig)/config.json")) ?? "").contains("YWxpY2U6d29uZGVyIGxhbmQ="))
        let push = daemon.docker(client, "push", image)
        #expect(push.status == 0, "\(push.stdout) \(push.stderr)")
        #expect(push.stdout.contains("The push refers to repository [127.0.0.1:\(registry.port)/team/busybox]"), "\(push.stdout)")
        #expect(push.stdout.contains("Pushed"))
        #expect(push.stdout.contains("v1: digest: sha256:"))
        #expect(daemon.docker(client, "push", image).stdout.contains("Layer already exists"))
        #expect(daemon.docker(client, "rmi", image).status == 0)
        let pull = daemon.docker(client, "pull", image)
        #expect(pull.status == 0, "\(pull.stdout) \(pull.stderr)")
        #expect(daemon.docker(client, "push", "127.0.0.1:\(registry.port)/team/absent:v1").status != 0)

        // image prune: dangling only by default; label and until filters choose among unused images.
        let context = try daemon.lighter.root.directory("ctx")
        func build(_ tag: String, _ dockerfile: String) {
            _ = try? daemon.lighter.root.write("ctx/Dockerfile", dockerfile)
            let result = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "-q", "-t", tag, context],
                                     environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        }
        build("app:1", "FROM busybox\nRUN echo one > /v\n")
        build("app:1", "FROM busybox\nRUN echo two > /v\n")
        build("labelled:1", "FROM busybox\nLABEL keep=no\nRUN echo three > /v\n")
        let dangling = daemon.docker(client, "images", "-q", "--filter", "dangling=true").stdout
        #expect(!dangling.isEmpty)
        let prune = daemon.docker(client, "image", "prune", "-f")
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(prune.stdout.contains("deleted: sha256:"), "\(prune.stdout)")
        #expect(daemon.docker(client, "images", "-q", "--filter", "dangling=true").stdout == "")
        #expect(daemon.docker(client, "image", "inspect", "app:1").status == 0)
        let young = daemon.docker(client, "image", "prune", "-af", "--filter", "until=1h")
        #expect(young.status == 0)
        #expect(!young.stdout.contains("deleted:"), "\(young.stdout)")
        let labelled = daemon.docker(client, "image", "prune", "-af", "--filter", "label=keep=no")
        #expect(labelled.stdout.contains("untagged: labelled:1"), "\(labelled.stdout) \(labelled.stderr)")
        #expect(daemon.docker(client, "image", "inspect", "labelled:1").status != 0)
        #expect(daemon.docker(client, "image", "inspect", "app:1").status == 0)
        let badFilter = daemon.docker(client, "image", "prune", "-f", "--filter", "colour=red")
        #expect(badFilter.status != 0)
        #expect(badFilter.stderr.contains("invalid filter 'colour'"), "\(badFilter.stderr)")
        let builder = daemon.docker(client, "builder", "prune", "-af")
        #expect(builder.status == 0, "\(builder.stderr)")
        #expect(builder.stdout.contains("Total reclaimed space"), "\(builder.stdout)")
        let search = daemon.raw("GET /images/search?term=busybox HTTP/1.1\r\nHost: d\r\n\r\n")
        #expect(search.hasPrefix("HTTP/1.1 501"), "\(search)")
        #expect(search.contains("Docker Hub"))
    }
}

/// Debian's `docker-registry` on loopback requiring Basic auth (htpasswd), plain HTTP.
final class AuthRegistry: @unchecked Sendable {
    let port: Int
    let directory: TestDirectory
    let pid: pid_t

    init(user: String, password: String) throws {
        directory = TestDirectory("lighter-auth-registry")
        port = freePort()
        let entry = Run.capture(["htpasswd", "-Bbn", user, password]).stdout
        try FileSystem.writeAtomically(Array(entry.utf8), to: directory.sub("htpasswd"))
        try FileSystem.writeAtomically(Array("""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(directory.sub("data"))
            auth:
              htpasswd:
                realm: lighter
                path: \(directory.sub("htpasswd"))
            http:
              addr: 127.0.0.1:\(port)

            """.utf8), to: directory.sub("config.yml"))
        pid = Run.spawn(["docker-registry", "serve", directory.sub("config.yml")], stdout: directory.sub("log"), stderr: directory.sub("log.err"))
    }

    func stop() {
        kill(pid, SIGKILL)
        _ = Run.wait(pid)
        directory.remove()
    }
}
