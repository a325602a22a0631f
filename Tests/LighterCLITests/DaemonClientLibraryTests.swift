#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter daemon` driven by Debian's docker-py (python3-docker 5.0.3) and docker-compose 1.29
/// (scripts/install-deps.sh installs both), as their users drive Docker. The daemon, the clients and
/// a loopback registry run inside a network namespace made for the test, with the bridge as the
/// default network, so published ports, project networks and their nftables rules never touch the host.
@Suite(.serialized) struct DaemonClientLibraryTests {
    static let python = "/usr/bin/python3"
    static let compose = "/usr/bin/docker-compose"
    static var fixtures: String { Repository.root() + "/Tests/Fixtures" }

    func clientEnvironment(_ daemon: LighterDaemon) -> [String: String] {
        ["DOCKER_HOST": "unix://\(daemon.socketPath)", "DOCKER_CONFIG": daemon.clientConfig]
    }

    func daemonLog(_ daemon: LighterDaemon) -> String {
        String(((try? FileSystem.readString(daemon.lighter.root.sub("daemon.log"))) ?? "").suffix(3000))
    }

    /// Fixtures/docker-py/client.py: version, info, images, containers.run with ports, environment,
    /// labels and a volume, logs, exec_run, wait, stop, remove, list filters, networks, volumes, a pull
    /// from a loopback registry and events bounded by `until`. It asserts as a Python user would.
    @Test func dockerPy() throws {
        #expect(FileSystem.exists("/usr/lib/python3/dist-packages/docker/__init__.py"), "python3-docker is missing: run scripts/install-deps.sh")
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let registry = try LoopbackRegistry("lighter-dockerpy-registry", in: namespace)
        defer { registry.stop() }
        let image = "127.0.0.1:\(registry.port)/py/busybox:latest"
        #expect(daemon.cli("tag", "busybox", image).status == 0)
        var pushed = daemon.cli("push", image)
        for _ in 0..<100 where pushed.status != 0 {
            usleep(100_000)
            pushed = daemon.cli("push", image)
        }
        #expect(pushed.status == 0, "\(pushed.stderr)")
        #expect(daemon.cli("rmi", image).status == 0)
        let result = namespace.run(["timeout", "-s", "KILL", "180", Self.python, Self.fixtures + "/docker-py/client.py"],
                                   environment: clientEnvironment(daemon).merging(["REGISTRY": "127.0.0.1:\(registry.port)", "WEB_PORT": "8080"]) { $1 })
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)\n--- daemon log ---\n\(daemonLog(daemon))")
        #expect(result.stdout == "docker-py ok\n")
        #expect(daemon.cli("ps", "-aq").stdout == "")
        #expect(daemon.cli("volume", "ls", "-q").stdout == "")
    }

    /// Fixtures/compose/docker-compose.yml: `web` (busybox httpd serving a file from a volume) and
    /// `client` (wget http://web/ in a loop) on the project's default network. Up, logs, ps, exec,
    /// scale, down -v; then nothing of the project is left: containers, network, volume, veths, bridge,
    /// nftables rules.
    @Test func dockerComposeTwoServices() throws {
        #expect(FileSystem.exists(Self.compose), "docker-compose is missing: run scripts/install-deps.sh")
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let environment = clientEnvironment(daemon)
        func compose(_ arguments: String...) -> ProcessResult {
            namespace.run(["timeout", "-s", "KILL", "120", Self.compose, "--ansi", "never", "-f", Self.fixtures + "/compose/docker-compose.yml", "-p", "lt"] + arguments,
                          environment: environment)
        }
        let linksBefore = namespace.run(["ip", "-o", "link", "show"]).stdout.split(separator: "\n").count

        let up = compose("up", "-d")
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)\n--- daemon log ---\n\(daemonLog(daemon))")
        var logs = ""
        for _ in 0..<150 where !logs.contains("hello from web") {
            usleep(100_000)
            logs = compose("logs", "--no-color", "client").stdout
        }
        // compose prefixes each line with the container's service and number, padded: "web_1     | …".
        func hasLine(_ text: String, from prefix: String, _ line: String) -> Bool {
            text.split(separator: "\n").contains { $0.hasPrefix(prefix + " ") && $0.hasSuffix("| " + line) }
        }
        #expect(hasLine(logs, from: "client_1", "hello from web"), "\(logs)\n--- daemon log ---\n\(daemonLog(daemon))")
        let webLogs = compose("logs", "--no-color", "web").stdout
        #expect(hasLine(webLogs, from: "web_1", "web up"), "\(webLogs)")

        let ps = compose("ps")
        #expect(ps.status == 0, "\(ps.stderr)")
        let rows = ps.stdout.split(separator: "\n").filter { $0.hasPrefix("lt_") }
        #expect(rows.count == 2 && rows.allSatisfy { $0.contains(" Up ") }, "\(ps.stdout)")
        // web's healthcheck (compose sends Config.Healthcheck) runs: `Up (healthy)`.
        var health = ""
        for _ in 0..<100 where health != "healthy\n" {
            health = daemon.cli("inspect", "-f", "{{.State.Health.Status}}", "lt_web_1").stdout
            if health != "healthy\n" { usleep(100_000) }
        }
        #expect(health == "healthy\n")
        #expect(compose("ps", "web").stdout.contains("Up (healthy)"))
        #expect(daemon.cli("ps", "--format", "{{.Names}}").stdout.split(separator: "\n").sorted() == ["lt_client_1", "lt_web_1"])
        #expect(daemon.cli("inspect", "-f", "{{index .Config.Labels \"com.docker.compose.service\"}}", "lt_web_1").stdout == "web\n")

        let exec = compose("exec", "-T", "web", "cat", "/www/index.html")
        #expect(exec.status == 0 && exec.stdout == "hello from web\n", "\(exec.stdout)\(exec.stderr)")
        let byName = compose("exec", "-T", "client", "wget", "-qO-", "http://web/index.html")
        #expect(byName.stdout == "hello from web\n", "\(byName.stderr)")

        let scaled = compose("up", "-d", "--scale", "web=2")
        #expect(scaled.status == 0, "\(scaled.stdout)\(scaled.stderr)\n--- daemon log ---\n\(daemonLog(daemon))")
        #expect(compose("ps", "-q", "web").stdout.split(separator: "\n").count == 2)
        #expect(daemon.cli("ps", "--format", "{{.Names}}").stdout.split(separator: "\n").sorted() == ["lt_client_1", "lt_web_1", "lt_web_2"])
        // The second replica answers too: by its container name, from the first one's network.
        var second = ""
        for _ in 0..<50 where second.isEmpty {
            second = compose("exec", "-T", "web", "wget", "-qO-", "http://lt_web_2/index.html").stdout
            if second.isEmpty { usleep(100_000) }
        }
        #expect(second == "hello from web\n")

        // Recreated with its published port: the new container is made while the stopped old one exists.
        let before = daemon.cli("inspect", "-f", "{{.Id}}", "lt_client_1").stdout
        let recreated = compose("up", "-d", "--force-recreate", "--no-deps", "client")
        #expect(recreated.status == 0, "\(recreated.stdout)\(recreated.stderr)")
        #expect(daemon.cli("inspect", "-f", "{{.Id}}", "lt_client_1").stdout != before)
        #expect(daemon.cli("port", "lt_client_1", "8089").stdout == "127.0.0.1:8089\n")

        // The project network's bridge is `lt-` and the first 12 hex digits of its ID (NetworkStore).
        let bridge = "lt-" + daemon.cli("network", "inspect", "-f", "{{.Id}}", "lt_default").stdout.trimmed.prefix(12)
        #expect(bridge.count == 15 && namespace.run(["ip", "link", "show", bridge]).status == 0)
        let down = compose("down", "-v", "-t", "1")
        #expect(down.status == 0, "\(down.stdout)\(down.stderr)\n--- daemon log ---\n\(daemonLog(daemon))")
        #expect(daemon.cli("ps", "-aq").stdout == "")
        #expect(!daemon.cli("network", "ls", "--format", "{{.Name}}").stdout.contains("lt_"))
        #expect(daemon.cli("volume", "ls", "-q").stdout == "")
        var links: [Substring] = []
        for _ in 0..<50 {
            links = namespace.run(["ip", "-o", "link", "show"]).stdout.split(separator: "\n")
            if links.count <= linksBefore + 1 { break }   // at most the default bridge, if anything made it
            usleep(100_000)
        }
        #expect(!links.contains { $0.contains("veth") || $0.contains(bridge) }, "\(links)")
        #expect(links.count <= linksBefore + 1, "\(links)")
        let rules = namespace.run(["nft", "list", "ruleset"]).stdout
        #expect(!rules.contains(bridge) && !rules.contains("veth"), "\(rules)")
        // The host: no mount of the data root's (rootfs overlays, /dev/shm) is left.
        let mounts = (try? FileSystem.readString("/proc/self/mountinfo")) ?? ""
        #expect(!mounts.contains(daemon.lighter.root.path), "\(mounts)")
    }
}
