#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// The default bridge, outbound NAT, published ports, cleanup: end to end through the binary, in
/// network namespaces the tests make.
@Suite(.serialized) struct NetworkBridgeTests {
    static let page = "served by busybox httpd in a Lighter container"

    @Test func bridgeGivesAddressRouteAndOutboundNAT() throws {
        let rig = NetworkRig()
        // A server in the "outside" namespace, which has no route back to the container subnet:
        // only masquerading makes the reply arrive.
        let www = TestDirectory("lighter-www")
        try FileSystem.writeDurably(Array("outside\n".utf8), to: www.sub("index.html"))
        let server = rig.outside.spawn(["busybox", "httpd", "-f", "-p", "8000", "-h", www.path], log: www.sub("log"))
        defer { Run.stop(server) }

        let result = rig.run("run", "--rm", "busybox", "sh", "-c",
                             "ip -o -4 addr show eth0; ip route; cat /etc/hosts; for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://\(NetworkRig.outsideAddress):8000/ && break; sleep 0.2; done")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("inet 172.18.0.2/16"), "\(result.stdout)")
        #expect(result.stdout.contains("default via 172.18.0.1 dev eth0"))
        #expect(result.stdout.contains("172.18.0.2\t"))
        #expect(result.stdout.hasSuffix("outside\n"))
        // The bridge stays; the container's veth and address are gone with it.
        #expect(rig.links.contains("lighter0"))
        #expect(!rig.settledLinks.contains { $0.hasPrefix("veth") })
        #expect(rig.rules.contains("ip saddr 172.18.0.0/16 oifname != \"lighter0\" masquerade"))
        // `--network none` still means loopback only.
        let none = rig.run("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net")
        #expect(none.stdout == "lo\n")
    }

    @Test func publishedPortAnswersOnHostLocalhostAndFromContainers() throws {
        let rig = NetworkRig()
        let started = rig.run("run", "-d", "--name", "web", "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www")
        #expect(started.status == 0, "\(started.stderr)")
        // From the engine's own namespace (the "host"): its address and 127.0.0.1.
        #expect(rig.fetch("http://\(NetworkRig.engineAddress):8080/", from: rig.engine).contains(Self.page))
        #expect(rig.fetch("http://127.0.0.1:8080/", from: rig.engine).contains(Self.page))
        // From another machine (the outside namespace) through DNAT.
        #expect(rig.fetch("http://\(NetworkRig.engineAddress):8080/", from: rig.outside).contains(Self.page))
        // From another container: by address, and through the host's published port (hairpin).
        let inside = rig.run("run", "--rm", "busybox", "sh", "-c", "wget -q -O - http://172.18.0.2/ && wget -q -O - http://172.18.0.1:8080/")
        #expect(inside.status == 0, "\(inside.stderr)")
        #expect(inside.stdout.components(Self.page) == 2)

        #expect(rig.run("port", "web").stdout == "80/tcp -> 0.0.0.0:8080\n")
        #expect(rig.run("port", "web", "80").stdout == "0.0.0.0:8080\n")
        #expect(rig.run("ps", "--format", "{{.Ports}}").stdout == "0.0.0.0:8080->80/tcp\n")
        // publish= filters on the container port; stats counts the page's bytes on eth0 (not the loopback).
        #expect(rig.run("ps", "-f", "publish=80", "--format", "{{.Names}}").stdout == "web\n")
        #expect(rig.run("ps", "-f", "publish=8080", "--format", "{{.Names}}").stdout == "")
        let io = rig.run("stats", "--no-stream", "--format", "{{.NetIO}}", "web").stdout.trimmed
        let sent = io.split(separator: "/").last.map { $0.trimmed } ?? ""
        #expect(io.hasSuffix("B") && io.contains(" / ") && sent != "0B" && (sent.hasSuffix("kB") || sent.hasSuffix("MB")), "\(io)")
        #expect(rig.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web").stdout == "172.18.0.2\n")
        // Stopped, its rule goes; started again, it comes back with the same address.
        #expect(rig.run("stop", "-t", "1", "web").status == 0)
        #expect(!rig.rules.contains("dport 8080"))
        #expect(rig.run("start", "web").status == 0)
        #expect(rig.rules.contains("tcp dport 8080 dnat to 172.18.0.2:80"))
        #expect(rig.fetch("http://127.0.0.1:8080/", from: rig.engine).contains(Self.page))
        // The port is taken: a second container cannot have it.
        let clash = rig.run("run", "-d", "-p", "8080:81", "busybox", "true")
        #expect(clash.status == 125 && clash.stderr.contains("port is already allocated"), "\(clash.stderr)")

        // -P picks free host ports for EXPOSEd ports; -p 80 picks one too.
        let random = rig.run("run", "-d", "--name", "rnd", "-p", "80", "busybox", "httpd", "-f", "-p", "80", "-h", "/var/www")
        #expect(random.status == 0)
        let mapped = rig.run("port", "rnd", "80").stdout.trimmed
        #expect(mapped.hasPrefix("0.0.0.0:"))
        #expect(rig.fetch("http://127.0.0.1:\(mapped.dropFirst("0.0.0.0:".count))/", from: rig.engine).contains(Self.page))

        // -P: the image's EXPOSEd port onto a free host port.
        #expect(rig.run("import", "-c", "EXPOSE 80/tcp", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball(), "web:expose").status == 0)
        #expect(rig.run("run", "-d", "--name", "all", "-P", "web:expose", "httpd", "-f", "-p", "80", "-h", "/var/www").status == 0)
        let all = rig.run("port", "all").stdout
        #expect(all.hasPrefix("80/tcp -> 0.0.0.0:") && all != "80/tcp -> \(mapped)\n", "\(all)")
        #expect(rig.fetch("http://127.0.0.1:\(all.trimmed.split(separator: ":").last ?? "")/", from: rig.engine).contains(Self.page))

        #expect(rig.run("rm", "-f", "web", "rnd", "all").status == 0)
        #expect(!rig.rules.contains("dnat to"))
        #expect(!rig.settledLinks.contains { $0.hasPrefix("veth") })
        #expect(rig.fetch("http://127.0.0.1:8080/", from: rig.engine, attempts: 1) == "")
    }

    /// The default subnet is picked at first use, skipping subnets the host already routes.
    @Test func defaultSubnetAvoidsTheHostsRoutes() {
        let rig = NetworkRig()
        rig.engine.sh("ip addr add 172.18.5.1/16 dev up0")
        let result = rig.run("run", "--rm", "busybox", "ip", "-o", "-4", "addr", "show", "eth0")
        #expect(result.stdout.contains("inet 172.19.0.2/16"), "\(result.stdout) \(result.stderr)")
        #expect(rig.run("network", "inspect", "-f", "{{json .IPAM.Config}}", "bridge").stdout == "[{\"Gateway\":\"172.19.0.1\",\"Subnet\":\"172.19.0.0/16\"}]\n")
    }

    @Test func badPublishingIsRefused() {
        let rig = NetworkRig()
        for args in [["-p", "99999:80"], ["-p", "80/sctp"], ["--network", "none", "-p", "80:80"], ["--network", "nosuch"], ["--ip", "172.18.0.9"]] {
            let result = rig.run(["run", "--rm"] + args + ["busybox", "true"])
            #expect(result.status == 125, "\(args): \(result.stderr)")
            #expect(result.stderr.hasPrefix("lighter: "))
        }
        #expect(rig.run("ps", "-aq").stdout == "")
    }
}

extension String {
    /// How many times `needle` occurs.
    func components(_ needle: String) -> Int { ranges(of: needle).count }
}
