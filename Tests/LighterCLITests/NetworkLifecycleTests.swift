#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// Leaks, concurrency and user networks, end to end in test-made network namespaces.
@Suite(.serialized) struct NetworkLifecycleTests {
    /// 50 runs keep the suite fast (100 pass too, in about a minute in a debug build).
    static let leakRuns = 50

    /// `run --rm` on the bridge (every tenth with a published port) leave no veth, no address,
    /// no rule and no IPAM entry behind.
    @Test func manyRunsLeaveNothingBehind() {
        let rig = NetworkRig()
        for i in 0..<Self.leakRuns {
            let args = i % 10 == 0 ? ["run", "--rm", "-p", "9000:80", "busybox", "true"] : ["run", "--rm", "busybox", "true"]
            let result = rig.run(args)
            #expect(result.status == 0, "run \(i): \(result.stderr)")
            if result.status != 0 { break }
        }
        #expect(rig.settledLinks.sorted() == ["lighter0", "lo", "up0"], "\(rig.links)")
        #expect(!rig.rules.contains("dnat to"))
        let addresses = rig.engine.run(["ip", "-o", "-4", "addr", "show"]).stdout
        #expect(addresses.split(separator: "\n").count == 3, "\(addresses)")   // lo, up0, lighter0
        #expect(rig.run("network", "inspect", "-f", "{{json .Containers}}", "bridge").stdout == "{}\n")
        // The next container gets the first address again.
        #expect(rig.run("run", "--rm", "busybox", "sh", "-c", "ip -o -4 addr show eth0").stdout.contains("172.18.0.2/16"))
    }

    /// Ten `run -d` at once: ten distinct addresses, all answering.
    @Test func tenConcurrentRunsGetDistinctAddresses() throws {
        let rig = NetworkRig()
        let logs = TestDirectory("lighter-conc")
        var pids: [pid_t] = []
        for i in 0..<10 {
            pids.append(rig.engine.spawn([Repository.lighterBinary, "run", "-d", "--name", "c\(i)", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www"],
                                          log: logs.sub("\(i)"), environment: ["LIGHTER_ROOT": rig.lighter.root.path]))
        }
        let statuses = pids.map { Run.wait($0) }
        #expect(statuses.allSatisfy { $0 == 0 }, "\(statuses)")
        var addresses: [String] = []
        for i in 0..<10 {
            addresses.append(rig.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "c\(i)").stdout.trimmed)
        }
        #expect(Set(addresses).count == 10, "\(addresses)")
        for address in addresses {
            #expect(rig.fetch("http://\(address)/", from: rig.engine).contains(NetworkBridgeTests.page), "\(address)")
        }
    }

    /// A user network: containers reach each other by name and alias, --ip/--mac-address/--dns/
    /// --add-host apply, connect/disconnect, rm and prune; networks are isolated from each other.
    @Test func userNetworksResolveNamesAndAliases() {
        let rig = NetworkRig()
        let created = rig.run("network", "create", "--subnet", "10.77.0.0/24", "appnet")
        #expect(created.status == 0, "\(created.stderr)")
        #expect(rig.run("network", "create", "appnet").status != 0)
        #expect(rig.run("network", "ls", "--format", "{{.Name}}").stdout.contains("appnet"))
        let web = rig.run("run", "-d", "--name", "web", "--network", "appnet", "--network-alias", "www", "--ip", "10.77.0.50",
                          "--mac-address", "02:00:00:aa:bb:cc", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www")
        #expect(web.status == 0, "\(web.stderr)")
        let client = rig.run("run", "--rm", "--network", "appnet", "--dns", "10.77.0.1", "--add-host", "db.example:10.77.0.99", "--add-host", "dockerhost:host-gateway", "busybox", "sh", "-c",
                             "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://web/ >/dev/null && break; sleep 0.2; done; wget -q -O - http://web/; wget -q -O - http://www/; cat /etc/resolv.conf; grep -e db.example -e dockerhost /etc/hosts")
        #expect(client.status == 0, "\(client.stderr)")
        #expect(client.stdout.components(NetworkBridgeTests.page) == 2, "\(client.stdout)")
        #expect(client.stdout.contains("nameserver 10.77.0.1"))
        #expect(client.stdout.contains("10.77.0.99\tdb.example\n10.77.0.1\tdockerhost\n"))
        #expect(rig.run("inspect", "-f", "{{.NetworkSettings.Networks.appnet.MacAddress}}", "web").stdout == "02:00:00:aa:bb:cc\n")
        #expect(rig.run("network", "inspect", "-f", "{{.IPAM.Config}}", "appnet").stdout.contains("10.77.0.0/24"))

        // The default bridge is another network: isolated from appnet.
        let isolated = rig.run("run", "--rm", "busybox", "ping", "-c", "1", "-W", "1", "10.77.0.50")
        #expect(isolated.status != 0)
        // connect/disconnect a running container.
        #expect(rig.run("run", "-d", "--name", "other", "busybox", "sleep", "60").status == 0)
        let connected = rig.run("network", "connect", "--alias", "side", "appnet", "other")
        #expect(connected.status == 0, "\(connected.stderr)")
        #expect(rig.vethCount(settlingAt: 3) == 3)   // web, other on bridge, other on appnet
        let reach = rig.run("run", "--rm", "--network", "appnet", "busybox", "sh", "-c", "ping -c 1 -W 2 side >/dev/null && echo ok")
        #expect(reach.stdout == "ok\n", "\(reach.stderr)")
        #expect(rig.run("network", "disconnect", "appnet", "other").status == 0)
        #expect(rig.vethCount(settlingAt: 2) == 2)

        #expect(rig.run("network", "rm", "appnet").status != 0)   // web is still on it
        #expect(rig.run("rm", "-f", "web", "other").status == 0)
        let removed = rig.run("network", "rm", "appnet")
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(rig.run("network", "create", "spare").status == 0)
        #expect(rig.run("network", "prune", "-f").stdout == "Deleted Networks:\nspare\n")
        #expect(rig.run("network", "ls", "-q").stdout.split(separator: "\n").count == 3)   // bridge, host, none
        #expect(rig.settledLinks.sorted() == ["lighter0", "lo", "up0"], "\(rig.links)")
        #expect(!rig.rules.contains("10.77.0.0"))
        // The event log: network create, connect and disconnect (`network connect`/`disconnect`), destroy, in order.
        let events = rig.run("events", "--since", "0", "--until", "0s", "--filter", "type=network", "--filter", "network=appnet",
                             "--format", "{{.Action}} {{.Actor.Attributes.name}}").stdout
        #expect(events == "create appnet\nconnect appnet\ndisconnect appnet\ndestroy appnet\n", "\(events)")
        #expect(rig.run("events", "--since", "0", "--until", "0s", "--filter", "type=network", "--format", "{{.Action}} {{.Actor.Attributes.name}}").stdout
            .hasSuffix("create spare\ndestroy spare\n"))
    }

    /// A crash (monitor and container SIGKILLed) and lost rules (a flush, as after a reboot): the
    /// next start re-creates the rules of the running container only; the crashed one's veth went
    /// with its namespace, and `rm` gives back its address and port.
    @Test func crashAndLostRulesAreRepaired() {
        let rig = NetworkRig()
        #expect(rig.run("run", "-d", "--name", "keep", "-p", "8085:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www").status == 0)
        #expect(rig.run("run", "-d", "--name", "crash", "-p", "8086:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www").status == 0)
        #expect(rig.fetch("http://127.0.0.1:8086/", from: rig.engine).contains(NetworkBridgeTests.page))
        let pid = Int32(rig.run("inspect", "-f", "{{.State.Pid}}", "crash").stdout.trimmed) ?? 0
        #expect(pid > 0)
        let stat = (try? FileSystem.readString("/proc/\(pid)/stat")) ?? ""
        let monitor = Int32(stat.split(separator: ")").last?.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(monitor > 1)
        kill(monitor, SIGKILL)
        kill(pid, SIGKILL)
        rig.engine.run(["nft", "delete", "table", "ip", "lighter"])
        // The kernel removes a dead namespace's veth pair by itself (asynchronously).
        #expect(rig.vethCount(settlingAt: 1) == 1)

        #expect(rig.run("run", "--rm", "busybox", "true").status == 0)
        #expect(rig.rules.contains("tcp dport 8085 dnat to"))
        #expect(!rig.rules.contains("tcp dport 8086"))
        #expect(rig.fetch("http://127.0.0.1:8085/", from: rig.engine).contains(NetworkBridgeTests.page))
        #expect(rig.run("rm", "-f", "crash", "keep").status == 0)
        #expect(rig.settledLinks.sorted() == ["lighter0", "lo", "up0"], "\(rig.links)")
        #expect(!rig.rules.contains("dnat to"))
        #expect(rig.run("network", "inspect", "-f", "{{json .Containers}}", "bridge").stdout == "{}\n")
    }
}
