#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// What the host already holds when Lighter publishes a port or sets up its bridge (issue #11): a
/// port a host service listens on, a `lighter0` left with another subnet. In test-made namespaces.
@Suite(.serialized) struct NetworkHostConflictTests {
    @Test func publishingAPortAHostServiceHoldsFailsAndLeavesNothing() throws {
        let rig = NetworkRig()
        let dir = TestDirectory("lighter-busy-port")
        let server = rig.engine.spawn(["busybox", "nc", "-l", "-p", "8082"], log: dir.sub("log"))
        defer { Run.stop(server) }
        var listening = false
        for _ in 0..<100 where !listening {
            listening = rig.engine.run(["ss", "-Htln", "sport = :8082"]).stdout.contains("8082")
            if !listening { usleep(50_000) }
        }
        #expect(listening)
        let result = rig.run("run", "-d", "--name", "web", "-p", "8082:80", "busybox", "httpd", "-f", "-p", "80")
        #expect(result.status == 125, "\(result.stdout)")
        #expect(result.stderr.contains("address already in use"), "\(result.stderr)")
        #expect(rig.run("ps", "-aq").stdout == "")
        #expect(!rig.rules.contains("8082"))
        // Created while the port was free, started once a host service holds it: refused at start.
        Run.stop(server)
        #expect(rig.run("create", "--name", "later", "-p", "8083:80", "busybox", "httpd", "-f", "-p", "80").status == 0)
        let second = rig.engine.spawn(["busybox", "nc", "-l", "-p", "8083"], log: dir.sub("log2"))
        defer { Run.stop(second) }
        listening = false
        for _ in 0..<100 where !listening {
            listening = rig.engine.run(["ss", "-Htln", "sport = :8083"]).stdout.contains("8083")
            if !listening { usleep(50_000) }
        }
        let start = rig.run("start", "later")
        #expect(start.status != 0 && start.stderr.contains("address already in use"), "\(start.stderr)")
        #expect(rig.run("inspect", "-f", "{{.State.Running}}", "later").stdout == "false\n")
        #expect(!rig.rules.contains("8083"))
        #expect(!rig.settledLinks.contains { $0.hasPrefix("veth") })
    }

    @Test func publishedPortsInInspectAsDockers() {
        let rig = NetworkRig()
        #expect(rig.run("run", "-d", "--name", "web", "-p", "8084:80", "busybox", "httpd", "-f", "-p", "80").status == 0)
        func json(_ template: String) -> String { rig.run("inspect", "-f", template, "web").stdout }
        #expect(json("{{json .HostConfig.PortBindings}}") == "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8084\"}]}\n")
        #expect(json("{{json .Config.ExposedPorts}}") == "{\"80/tcp\":{}}\n")
        #expect(json("{{json .NetworkSettings.Ports}}") == "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8084\"}]}\n")
        #expect(json("{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.HostConfig.NetworkMode}}") == "172.18.0.2 172.18.0.2 bridge\n")
        // Stopped: no ports in NetworkSettings, the bindings stay in HostConfig, as Docker's.
        #expect(rig.run("stop", "-t", "1", "web").status == 0)
        #expect(json("{{json .NetworkSettings.Ports}}") == "{}\n")
        #expect(json("{{json .HostConfig.PortBindings}}").contains("8084"))
    }

    @Test func anIdleBridgeLeftWithAnotherSubnetIsAdopted() {
        let rig = NetworkRig()
        // As a wiped data root leaves it: the bridge and its address, no container on it.
        #expect(rig.engine.sh("ip link add lighter0 type bridge && ip addr add 10.123.0.1/24 dev lighter0 && ip link set lighter0 up").status == 0)
        let result = rig.run("run", "--rm", "busybox", "sh", "-c", "ip -o -4 addr show eth0; ip route; ping -c 1 -W 2 10.123.0.1 >/dev/null && echo gateway-answers")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("inet 10.123.0.2/24"), "\(result.stdout)")
        #expect(result.stdout.contains("default via 10.123.0.1 dev eth0"))
        #expect(result.stdout.contains("gateway-answers"))
        #expect(rig.run("network", "inspect", "-f", "{{json .IPAM.Config}}", "bridge").stdout == "[{\"Gateway\":\"10.123.0.1\",\"Subnet\":\"10.123.0.0/24\"}]\n")
        #expect(rig.rules.contains("ip saddr 10.123.0.0/24"))
    }

    @Test func aForeignBridgeIsRebuiltWhenIdleAndRefusedWhenInUse() {
        let rig = NetworkRig()
        #expect(rig.run("run", "--rm", "busybox", "true").status == 0)   // the store's bridge network: 172.18.0.0/16
        // Another data root took the bridge over with its own subnet, nothing attached: rebuilt.
        #expect(rig.engine.sh("ip link del lighter0 && ip link add lighter0 type bridge && ip addr add 10.124.0.1/24 dev lighter0 && ip link set lighter0 up").status == 0)
        let rebuilt = rig.run("run", "--rm", "busybox", "sh", "-c", "ip route; ping -c 1 -W 2 172.18.0.1 >/dev/null && echo gateway-answers")
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("default via 172.18.0.1") && rebuilt.stdout.contains("gateway-answers"), "\(rebuilt.stdout)")
        #expect(!rig.engine.run(["ip", "-o", "-4", "addr", "show", "lighter0"]).stdout.contains("10.124.0.1"))

        // Again, now with another root's container (a veth) on it: refused, saying what to do; nothing changed.
        #expect(rig.engine.sh("ip link del lighter0 && ip link add lighter0 type bridge && ip addr add 10.125.0.1/24 dev lighter0 && ip link set lighter0 up && ip link add vforeign0 type veth peer name vforeign1 && ip link set vforeign0 master lighter0").status == 0)
        let refused = rig.run("run", "--rm", "busybox", "true")
        #expect(refused.status == 125)
        #expect(refused.stderr.contains("bridge lighter0 has address 10.125.0.1/24") && refused.stderr.contains("vforeign0"), "\(refused.stderr)")
        #expect(rig.engine.run(["ip", "-o", "-4", "addr", "show", "lighter0"]).stdout.contains("10.125.0.1/24"))
        #expect(rig.run("ps", "-aq").stdout == "")
    }
}
