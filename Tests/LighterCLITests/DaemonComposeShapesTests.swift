#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// What docker-py and compose 1.29 send and read, checked at the API level (each was a failure of
/// DaemonClientLibraryTests before its fix): raw requests on the daemon's socket, JSON read back.
@Suite(.serialized) struct DaemonComposeShapesTests {
    /// Config.Volumes {"/data":{}} beside Binds ["vol:/data:rw"] (docker-py's `volumes=`): the named volume
    /// alone is mounted, no anonymous one beside it.
    @Test func aBoundVolumeTargetGetsNoAnonymousVolumeToo() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let created = daemon.api("POST", "/containers/create?name=vols", #"""
            {"Image":"busybox","Cmd":["true"],"Volumes":{"/data":{},"/extra":{}},"HostConfig":{"Binds":["named:/data:rw"]}}
            """#)
        #expect(created.status == 201, "\(created.body)")
        let mounts = daemon.lighter.run("inspect", "-f", "{{range .Mounts}}{{.Destination}}={{.Name}} {{end}}", "vols").stdout
        let list = mounts.trimmed.split(separator: " ").sorted()
        #expect(list.count == 2 && list.first == "/data=named" && list.last?.hasPrefix("/extra=") == true, "\(mounts)")
    }

    /// docker-py's exec_create repeats the container's ID in the body (`Container`).
    @Test func execCreateAcceptsTheContainerField() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.lighter.run("run", "-d", "--name", "box", "busybox", "sleep", "60").status == 0)
        let id = daemon.lighter.run("inspect", "-f", "{{.Id}}", "box").stdout.trimmed
        let exec = daemon.api("POST", "/containers/box/exec", #"{"Cmd":["true"],"AttachStdout":true,"Container":"\#(id)","Privileged":false}"#)
        #expect(exec.status == 201, "\(exec.body)")
        #expect(exec.body.contains("\"Id\""))
    }

    /// `wait` answers once the record says exited (docker-py's `run(remove=True)` removes the container
    /// right after it; the monitor logs `die` a moment before it records the exit).
    @Test func aContainerIsRemovableAsSoonAsWaitAnswers() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        for round in 0..<5 {
            let created = daemon.api("POST", "/containers/create?name=quick\(round)", #"{"Image":"busybox","Cmd":["sh","-c","exit 2"]}"#)
            #expect(created.status == 201, "\(created.body)")
            #expect(daemon.api("POST", "/containers/quick\(round)/start").status == 204)
            let waited = daemon.api("POST", "/containers/quick\(round)/wait")
            #expect(waited.body.contains(#""StatusCode":2"#), "\(waited.body)")
            let removed = daemon.api("DELETE", "/containers/quick\(round)")
            #expect(removed.status == 204, "round \(round): \(removed.body)")
        }
    }

    /// Network labels are kept and shown (compose labels its project networks), filter `label` works for
    /// networks and volumes, and a user network shows no bridge options (compose compares them).
    @Test func networkAndVolumeLabelsAndFilters() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        let created = daemon.api("POST", "/networks/create", #"{"Name":"proj_default","Driver":"bridge","Labels":{"com.docker.compose.project":"proj"}}"#)
        #expect(created.status == 201, "\(created.body)")
        #expect(daemon.api("POST", "/networks/create", #"{"Name":"other"}"#).status == 201)
        let inspect = daemon.api("GET", "/networks/proj_default")
        #expect(inspect.body.contains(#""Labels":{"com.docker.compose.project":"proj"}"#), "\(inspect.body)")
        #expect(inspect.body.contains(#""Options":{}"#), "\(inspect.body)")
        #expect(daemon.lighter.run("network", "inspect", "-f", "{{json .Labels}}", "proj_default").stdout == "{\"com.docker.compose.project\":\"proj\"}\n")
        let byLabel = daemon.api("GET", "/networks?filters=" + Self.query(#"{"label":["com.docker.compose.project=proj"]}"#))
        #expect(byLabel.body.contains("proj_default") && !byLabel.body.contains("\"other\""), "\(byLabel.body)")
        let byKey = daemon.api("GET", "/networks?filters=" + Self.query(#"{"label":["com.docker.compose.project"]}"#))
        #expect(byKey.body.contains("proj_default") && !byKey.body.contains("\"other\""), "\(byKey.body)")
        #expect(daemon.api("POST", "/volumes/create", #"{"Name":"kept","Labels":{"role":"data"}}"#).status == 201)
        #expect(daemon.api("POST", "/volumes/create", #"{"Name":"plain"}"#).status == 201)
        let volumes = daemon.api("GET", "/volumes?filters=" + Self.query(#"{"label":["role=data"]}"#))
        #expect(volumes.body.contains("\"kept\"") && !volumes.body.contains("\"plain\""), "\(volumes.body)")
        #expect(daemon.api("DELETE", "/networks/proj_default").status == 204)
        #expect(daemon.api("DELETE", "/networks/other").status == 204)
    }

    /// `filters={"label":[a, b]}`: both must hold (compose numbers a service's containers from the
    /// project's and the service's labels together).
    @Test func containerLabelFiltersMustAllHold() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.lighter.run("create", "--name", "web", "--label", "p=lt", "--label", "s=web", "busybox", "true").status == 0)
        #expect(daemon.lighter.run("create", "--name", "client", "--label", "p=lt", "--label", "s=client", "busybox", "true").status == 0)
        let both = daemon.api("GET", "/containers/json?all=1&filters=" + Self.query(#"{"label":["p=lt","s=client"]}"#))
        #expect(both.body.contains("/client") && !both.body.contains("/web"), "\(both.body)")
        let either = daemon.api("GET", "/containers/json?all=1&filters=" + Self.query(#"{"name":["web","client"]}"#))
        #expect(either.body.contains("/client") && either.body.contains("/web"), "\(either.body)")
    }

    /// On a user network a container's aliases include its short ID, as Docker's inspect shows them
    /// (compose 1.29 disconnects and reconnects a container whose aliases lack it); not on the default bridge.
    @Test func userNetworkAliasesIncludeTheShortID() throws {
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.api("POST", "/networks/create", #"{"Name":"appnet"}"#).status == 201)
        let created = daemon.api("POST", "/containers/create?name=lt_web_1", #"""
            {"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"appnet"},
             "NetworkingConfig":{"EndpointsConfig":{"appnet":{"Aliases":["web"]}}}}
            """#)
        #expect(created.status == 201, "\(created.body)")
        let id = daemon.cli("inspect", "-f", "{{.Id}}", "lt_web_1").stdout.trimmed
        let aliases = daemon.cli("inspect", "-f", "{{json .NetworkSettings.Networks.appnet.Aliases}}", "lt_web_1").stdout
        #expect(aliases == "[\"web\",\"\(id.prefix(12))\"]\n", "\(aliases)")
        #expect(daemon.api("POST", "/containers/create?name=plain", #"{"Image":"busybox","Cmd":["true"]}"#).status == 201)
        #expect(daemon.cli("inspect", "-f", "{{json .NetworkSettings.Networks.bridge.Aliases}}", "plain").stdout == "null\n")
    }

    /// compose's recreate (`up -d` after the service changed): the old container is stopped and renamed,
    /// then the new one created with the same published port. Only a running container holds a host
    /// port, as in Docker: the create passes, and of two containers with one port the second to start is refused.
    @Test func aStoppedContainersHostPortCanBeTakenByANewOne() throws {
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let body = #"{"Image":"busybox","Cmd":["sleep","60"],"ExposedPorts":{"80/tcp":{}},"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8088"}]}}}"#
        #expect(daemon.api("POST", "/containers/create?name=old", body).status == 201)
        #expect(daemon.api("POST", "/containers/old/start").status == 204)
        let whileRunning = daemon.api("POST", "/containers/create?name=clash", body)
        #expect(whileRunning.status == 409 && whileRunning.body.contains("Bind for 127.0.0.1:8088 failed: port is already allocated"), "\(whileRunning.body)")
        #expect(daemon.api("POST", "/containers/old/stop?t=1").status == 204)
        #expect(daemon.api("POST", "/containers/old/rename?name=0123_old").status == 204)
        let recreated = daemon.api("POST", "/containers/create?name=old", body)
        #expect(recreated.status == 201, "\(recreated.body)")
        #expect(daemon.api("POST", "/containers/old/start").status == 204)
        #expect(namespace.run(["nft", "list", "ruleset"]).stdout.contains("tcp dport 8088"))
        let second = daemon.api("POST", "/containers/0123_old/start")
        #expect(second.status >= 400 && second.body.contains("port is already allocated"), "\(second.body)")
        #expect(daemon.cli("inspect", "-f", "{{.State.Status}}", "0123_old").stdout != "running\n")
        #expect(daemon.api("DELETE", "/containers/0123_old").status == 204)
        #expect(daemon.cli("port", "old", "80").stdout == "127.0.0.1:8088\n")
        #expect(daemon.api("DELETE", "/containers/old?force=1").status == 204)
        #expect(!namespace.run(["nft", "list", "ruleset"]).stdout.contains("8088"))
    }

    /// HostConfig.Devices (compose's `devices:`; it was refused by name): the node appears at its
    /// container path, with the cgroup permissions asked for.
    @Test func devicesFromTheAPIAreMadeInTheContainer() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let created = daemon.api("POST", "/containers/create?name=dev", #"""
            {"Image":"busybox","Cmd":["sleep","60"],"HostConfig":{"Devices":[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"rwm"}]}}
            """#)
        #expect(created.status == 201, "\(created.body)")
        #expect(daemon.api("POST", "/containers/dev/start").status == 204)
        let node = daemon.lighter.run("exec", "dev", "stat", "-c", "%F %t:%T", "/dev/mynull")
        #expect(node.stdout == "character special file 1:3\n", "\(node.stderr)")
        #expect(daemon.lighter.run("exec", "dev", "sh", "-c", "echo x > /dev/mynull").status == 0)
        #expect(daemon.cli("inspect", "-f", "{{json .HostConfig.Devices}}", "dev").stdout.contains("/dev/mynull"))
    }

    /// compose's `driver_opts: {type: none, o: bind, device: DIR}` (DriverOpts was refused by name): the
    /// volume is that host directory; other local-driver options are refused naming them. And a tmpfs
    /// mount's TmpfsOptions (compose's `tmpfs: {size: …}`, also refused before) sets its size and mode.
    @Test func bindVolumesFromDriverOptionsAndTmpfsOptions() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let host = TestDirectory("lighter-bindvol")
        try FileSystem.writeAtomically(Array("on the host\n".utf8), to: host.path + "/f", mode: 0o644)
        let created = daemon.api("POST", "/volumes/create", #"{"Name":"pr_bvol","Driver":"local","DriverOpts":{"type":"none","o":"bind","device":"\#(host.path)"}}"#)
        #expect(created.status == 201 && created.body.contains(#""Options":{"#) && created.body.contains(host.path), "\(created.body)")
        let nfs = daemon.api("POST", "/volumes/create", #"{"Name":"nfsv","DriverOpts":{"type":"nfs","o":"addr=10.0.0.1","device":":/x"}}"#)
        #expect(nfs.status >= 400 && nfs.status < 600 && nfs.body.contains("type=nfs"), "\(nfs.body)")
        let missing = daemon.api("POST", "/volumes/create", #"{"Name":"gone","DriverOpts":{"type":"none","o":"bind","device":"/no/such/dir"}}"#)
        #expect(missing.status == 400 && missing.body.contains("/no/such/dir"), "\(missing.body)")
        #expect(daemon.lighter.run("volume", "ls", "-q").stdout == "pr_bvol\n")
        let container = daemon.api("POST", "/containers/create?name=user", #"""
            {"Image":"busybox","Cmd":["sleep","60"],"Volumes":{"/b":{}},"HostConfig":{"Binds":["pr_bvol:/b:rw"],
             "Mounts":[{"Type":"tmpfs","Target":"/tm","TmpfsOptions":{"SizeBytes":1048576,"Mode":448}}]}}
            """#)
        #expect(container.status == 201, "\(container.body)")
        #expect(daemon.api("POST", "/containers/user/start").status == 204)
        #expect(daemon.lighter.run("exec", "user", "cat", "/b/f").stdout == "on the host\n")
        #expect(daemon.lighter.run("exec", "user", "sh", "-c", "echo from the container > /b/g").status == 0)
        #expect((try? FileSystem.readString(host.path + "/g")) == "from the container\n")
        let tmpfs = daemon.lighter.run("exec", "user", "sh", "-c", "grep ' /tm ' /proc/mounts; stat -c %a /tm").stdout
        #expect(tmpfs.contains("size=1024k") && tmpfs.contains("mode=700") && tmpfs.hasSuffix("700\n"), "\(tmpfs)")
        #expect(daemon.api("DELETE", "/volumes/pr_bvol").status == 409)   // in use
        #expect(daemon.api("DELETE", "/containers/user?force=1").status == 204)
        #expect(daemon.api("DELETE", "/volumes/pr_bvol").status == 204)
        #expect(FileSystem.exists(host.path + "/f") && FileSystem.exists(host.path + "/g"))   // the host's directory stays
        // The CLI's `volume create -o` makes the same volume.
        #expect(daemon.lighter.run("volume", "create", "-o", "type=none", "-o", "o=bind,ro", "-o", "device=\(host.path)", "clivol").status == 0)
        #expect(daemon.lighter.run("run", "--rm", "-v", "clivol:/c", "busybox", "sh", "-c", "cat /c/f; touch /c/x").stdout == "on the host\n")
        #expect(!FileSystem.exists(host.path + "/x"))   // o=bind,ro: mounted read-only
    }

    /// `kill` (SIGKILL, the default) answers once the container no longer runs, as dockerd's does:
    /// docker-py's `kill()` then `commit()` failed with "container is not running" from the pause.
    @Test func killAnswersOnceTheContainerStopped() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        for round in 0..<5 {
            #expect(daemon.api("POST", "/containers/create?name=k\(round)", #"{"Image":"busybox","Cmd":["sleep","60"]}"#).status == 201)
            #expect(daemon.api("POST", "/containers/k\(round)/start").status == 204)
            #expect(daemon.api("POST", "/containers/k\(round)/kill").status == 204)
            let state = daemon.api("GET", "/containers/k\(round)/json").body
            #expect(state.contains(#""Running":false"#) && state.contains(#""ExitCode":137"#), "\(state)")
            let commit = daemon.api("POST", "/commit?container=k\(round)&repo=killed&tag=\(round)&pause=True")
            #expect(commit.status == 201, "\(commit.body)")
        }
    }

    /// compose's `internal: true` (Internal was refused by name): containers of an internal network reach
    /// each other but nothing beyond its bridge, which a normal user network reaches. "Beyond" is a second
    /// namespace behind a veth, serving HTTP on 192.0.2.2.
    @Test func internalNetworksReachNothingOutside() throws {
        let inside = NetworkNamespace(), outside = NetworkNamespace()
        #expect(inside.sh("ip link add lt-out type veth peer name lt-in netns \(outside.name) && ip addr add 192.0.2.1/24 dev lt-out && ip link set lt-out up").status == 0)
        #expect(outside.sh("ip addr add 192.0.2.2/24 dev lt-in && ip link set lt-in up").status == 0)
        let site = TestDirectory("lighter-outside")
        try FileSystem.writeAtomically(Array("outside\n".utf8), to: site.path + "/f", mode: 0o644)
        let server = outside.spawn(["python3", "-m", "http.server", "8000", "--bind", "192.0.2.2", "--directory", site.path], log: site.path + "/log")
        defer { Run.stop(server) }
        var up = false
        for _ in 0..<100 where !up {
            up = inside.run(["python3", "-c", "import urllib.request; print(urllib.request.urlopen('http://192.0.2.2:8000/f', timeout=1).read().decode(), end='')"]).stdout == "outside\n"
            if !up { usleep(100_000) }
        }
        #expect(up)
        let daemon = try LighterDaemon(namespace: inside)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.api("POST", "/networks/create", #"{"Name":"open","CheckDuplicate":true}"#).status == 201)
        #expect(daemon.api("POST", "/networks/create", #"{"Name":"closed","Internal":true,"Labels":{"com.docker.compose.network":"closed"}}"#).status == 201)
        #expect(daemon.api("GET", "/networks/closed").body.contains(#""Internal":true"#))
        #expect(daemon.api("GET", "/networks/open").body.contains(#""Internal":false"#))
        #expect(daemon.cli("network", "ls", "--format", "{{.Name}} {{.Internal}}").stdout.contains("closed true"))
        // (busybox wget -T crashes; `timeout` execs the command, which must not be the container's PID 1:
        // the `||` keeps sh from exec'ing the last command itself)
        let fetch = ["sh", "-c", "timeout 3 wget -qO- http://192.0.2.2:8000/f || exit 1"]
        #expect(daemon.cli(["run", "--rm", "--network", "open", "busybox"] + fetch).stdout == "outside\n")
        let blocked = daemon.cli(["run", "--rm", "--network", "closed", "busybox"] + fetch)
        #expect(blocked.status != 0 && blocked.stdout.isEmpty, "\(blocked.stdout)")
        // Within the internal network, by name.
        #expect(daemon.cli("run", "-d", "--name", "peer", "--network", "closed", "busybox", "sh", "-c", "echo peer > /tmp/i; exec httpd -f -p 80 -h /tmp").status == 0)
        var answer = ""
        for _ in 0..<30 where answer != "peer\n" {
            answer = daemon.cli("run", "--rm", "--network", "closed", "busybox", "sh", "-c", "timeout 2 wget -qO- http://peer/i || exit 1").stdout
        }
        #expect(answer == "peer\n")
        let rules = inside.run(["nft", "list", "table", "ip", "lighter"]).stdout
        let bridge = "lt-" + daemon.cli("network", "inspect", "-f", "{{.Id}}", "closed").stdout.trimmed.prefix(12)
        #expect(rules.contains("iifname \"\(bridge)\" oifname != \"\(bridge)\" drop"), "\(rules)")
    }

    /// compose's `network_mode: service:web` (HostConfig.NetworkMode `container:ID`; refused before): the
    /// container joins web's network namespace, with web's hostname, hosts and resolv.conf, as in Docker.
    @Test func containerNetworkModeJoinsTheOthersNamespace() throws {
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        #expect(daemon.api("POST", "/containers/create?name=web", #"""
            {"Image":"busybox","Hostname":"webby","Cmd":["sh","-c","echo web > /tmp/i; exec httpd -f -p 80 -h /tmp"]}
            """#).status == 201)
        #expect(daemon.api("POST", "/containers/web/start").status == 204)
        let webID = daemon.cli("inspect", "-f", "{{.Id}}", "web").stdout.trimmed
        let side = daemon.api("POST", "/containers/create?name=side", #"{"Image":"busybox","Cmd":["sleep","60"],"HostConfig":{"NetworkMode":"container:web"}}"#)
        #expect(side.status == 201, "\(side.body)")
        #expect(daemon.cli("inspect", "-f", "{{.HostConfig.NetworkMode}}", "side").stdout == "container:\(webID)\n")
        #expect(daemon.api("POST", "/containers/side/start").status == 204)
        var page = ""
        for _ in 0..<30 where page != "web\n" {
            page = daemon.cli("exec", "side", "wget", "-qO-", "http://127.0.0.1/i").stdout
            if page != "web\n" { usleep(100_000) }
        }
        #expect(page == "web\n")
        #expect(daemon.cli("exec", "side", "hostname").stdout == "webby\n")
        let webAddress = daemon.cli("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web").stdout.trimmed
        #expect(!webAddress.isEmpty && daemon.cli("exec", "side", "ip", "-4", "addr", "show", "eth0").stdout.contains("inet \(webAddress)/"))
        // Docker's refusals: a name or DNS of its own, a container that does not exist or does not run.
        let named = daemon.api("POST", "/containers/create", #"{"Image":"busybox","Hostname":"mine","HostConfig":{"NetworkMode":"container:web"}}"#)
        #expect(named.status == 400 && named.body.contains("conflicting options"), "\(named.body)")
        #expect(daemon.api("POST", "/containers/create", #"{"Image":"busybox","HostConfig":{"NetworkMode":"container:nothing"}}"#).status == 404)
        #expect(daemon.api("POST", "/containers/create?name=late", #"{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"container:web"}}"#).status == 201)
        #expect(daemon.api("POST", "/containers/web/stop?t=1").status == 204)
        let late = daemon.api("POST", "/containers/late/start")
        #expect(late.status >= 400 && late.body.contains("not running"), "\(late.body)")
    }

    /// Config.Healthcheck (compose's `healthcheck:`; it was refused by name): kept, shown, and run by the monitor.
    @Test func healthchecksFromTheAPIRun() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let created = daemon.api("POST", "/containers/create?name=checked", #"""
            {"Image":"busybox","Cmd":["sleep","60"],"Healthcheck":{"Test":["CMD-SHELL","test -e /tmp/ready"],"Interval":200000000,"Timeout":2000000000,"Retries":2}}
            """#)
        #expect(created.status == 201, "\(created.body)")
        let config = daemon.lighter.run("inspect", "-f", "{{json .Config.Healthcheck}}", "checked").stdout
        #expect(config.contains(#""Test":["CMD-SHELL","test -e /tmp/ready"]"#) && config.contains(#""Interval":200000000"#) && config.contains(#""Retries":2"#), "\(config)")
        #expect(daemon.api("POST", "/containers/checked/start").status == 204)
        func status() -> String { daemon.lighter.run("inspect", "-f", "{{.State.Health.Status}}", "checked").stdout.trimmed }
        var seen = status()
        for _ in 0..<100 where seen != "unhealthy" { usleep(100_000); seen = status() }
        #expect(seen == "unhealthy")
        #expect(daemon.lighter.run("exec", "checked", "touch", "/tmp/ready").status == 0)
        for _ in 0..<100 where seen != "healthy" { usleep(100_000); seen = status() }
        #expect(seen == "healthy")
        let bad = daemon.api("POST", "/containers/create", #"{"Image":"busybox","Healthcheck":{"Test":["CMD","true"],"Interval":5}}"#)
        #expect(bad.status == 400 && bad.body.contains("Config.Healthcheck.Interval"), "\(bad.body)")
    }

    static func query(_ json: String) -> String {
        var text = ""
        for byte in json.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || "-_.".utf8.contains(byte) {
                text.append(Character(Unicode.Scalar(byte)))
            } else {
                text += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return text
    }
}

extension LighterDaemon {
    /// One API request on a fresh connection (closed after the answer): its status and body (chunks joined).
    func api(_ method: String, _ path: String, _ body: String? = nil) -> (status: Int, body: String) {
        var request = "\(method) /v1.41\(path) HTTP/1.1\r\nHost: d\r\nConnection: close\r\n"
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        request += "\r\n" + (body ?? "")
        let response = raw(request, untilClosed: true)
        let bytes = Array(response.utf8)
        guard let end = Self.headEnd(bytes) else { return (0, response) }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var payload = Array(bytes[end...])
        if head.lowercased().contains("transfer-encoding: chunked") {
            var joined: [UInt8] = [], index = 0
            while let lineEnd = (index..<max(index, payload.count - 1)).first(where: { payload[$0] == 13 && payload[$0 + 1] == 10 }),
                  let size = Int(String(decoding: payload[index..<lineEnd], as: UTF8.self), radix: 16), size > 0,
                  lineEnd + 2 + size <= payload.count {
                joined += payload[(lineEnd + 2)..<(lineEnd + 2 + size)]
                index = lineEnd + 2 + size + 2
            }
            payload = joined
        }
        return (status, String(decoding: payload, as: UTF8.self))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
