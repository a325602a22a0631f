#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterNetwork
import LighterSystem
import LighterTestSupport

/// rtnetlink from Swift, against a network namespace the test makes (never the host's).
@Suite struct RouteNetlinkTests {
    @Test func bridgeVethAddressesAndRoutesInATestNamespace() throws {
        let outer = NetworkNamespace()
        let inner = NetworkNamespace()
        let outerFD = try FileDescriptor(path: outer.path, flags: O_RDONLY)
        let innerFD = try FileDescriptor(path: inner.path, flags: O_RDONLY)
        let host = try RouteNetlink(namespace: outerFD)

        try host.createBridge("ltbr0")
        expectError(.system) { try host.createBridge("ltbr0") }   // EEXIST
        let bridge = try #require(try host.link(named: "ltbr0"))
        #expect(bridge.kind == "bridge")
        let gateway = IPv4Address("10.123.0.1")!
        try host.addAddress(gateway, prefix: 24, index: bridge.index)
        try host.setLink(index: bridge.index, up: true)
        #expect(try host.addresses(index: bridge.index).map(\.address) == [gateway])

        // The veth's far end is made directly inside the second namespace, with a chosen MAC.
        let mac = MACAddress.derived(from: IPv4Address("10.123.0.2")!)
        try host.createVeth("vethtest0", peer: .init(name: "eth0", mac: mac, namespace: innerFD), mtu: 1400, master: bridge.index)
        let veth = try #require(try host.link(named: "vethtest0"))
        #expect(veth.master == bridge.index && veth.up && veth.mtu == 1400)

        let inside = try RouteNetlink(namespace: innerFD)
        let eth0 = try #require(try inside.link(named: "eth0"))
        try inside.setLink(index: 1, up: true)
        try inside.addAddress(IPv4Address("10.123.0.2")!, prefix: 24, index: eth0.index)
        try inside.setLink(index: eth0.index, up: true)
        try inside.addRoute(destination: nil, gateway: gateway, index: eth0.index)
        #expect(try inside.routes().contains { $0.destination.prefix == 0 && $0.index == eth0.index })
        #expect(try inside.addresses(index: eth0.index).map { "\($0.address)/\($0.prefix)" } == ["10.123.0.2/24"])

        // Seen by iproute2 the same way, and traffic flows across the bridge.
        #expect(inner.run(["ip", "link", "show", "eth0"]).stdout.contains("02:42:0a:7b:00:02"))
        #expect(inner.run(["busybox", "ping", "-c", "1", "-W", "2", "10.123.0.1"]).status == 0)

        // A link moved between namespaces.
        try host.createVeth("vethmove0", peer: .init(name: "vethmove1"), mtu: 1500, master: nil)
        let moving = try #require(try host.link(named: "vethmove1"))
        try host.moveLink(index: moving.index, to: innerFD)
        #expect(try host.link(named: "vethmove1") == nil)
        #expect(try inside.link(named: "vethmove1") != nil)

        #expect(try host.deleteLink(named: "vethtest0"))
        #expect(try !host.deleteLink(named: "vethtest0"))
        #expect(try inside.link(named: "eth0") == nil)   // a veth's peer goes with it
        // This thread is back in the test's own namespace.
        #expect(try FileSystem.readLink("/proc/thread-self/ns/net") == FileSystem.readLink("/proc/self/ns/net"))
    }

    @Test func addressesAndSubnets() throws {
        let subnet = try IPv4Subnet(parsing: "172.18.0.0/16")
        #expect(subnet.first == IPv4Address("172.18.0.1") && subnet.broadcast == IPv4Address("172.18.255.255"))
        #expect(subnet.contains(IPv4Address("172.18.3.4")!) && !subnet.contains(IPv4Address("172.19.0.1")!))
        let wide = try IPv4Subnet(parsing: "172.0.0.0/8"), docker = try IPv4Subnet(parsing: "172.17.0.0/16")
        #expect(subnet.overlaps(wide) && !subnet.overlaps(docker))
        expectError(.invalidArgument) { try IPv4Subnet(parsing: "172.18.0.1/16") }
        expectError(.invalidArgument) { try IPv4Subnet(parsing: "300.1.0.0/16") }
        #expect(IPv4Address("1.2.3") == nil && IPv4Address("01.2.3.4.5") == nil)
        #expect(MACAddress.format(try MACAddress.parse("02:42:AC:11:00:02")) == "02:42:ac:11:00:02")
        #expect(throws: LighterError.invalidArgument("--mac-address 01:00:5e:00:00:01 is a multicast address")) { try MACAddress.parse("01:00:5e:00:00:01") }
        #expect(!NetworkManager.subnetPool.contains { $0.overlaps(try! IPv4Subnet(parsing: "172.17.0.0/16")) })
    }

    @Test func portSpecifications() throws {
        #expect(try PortBinding.parse("8080:80") == [PortBinding(proto: "tcp", hostIP: "", hostPort: 8080, containerPort: 80)])
        #expect(try PortBinding.parse("127.0.0.1:53:53/udp") == [PortBinding(proto: "udp", hostIP: "127.0.0.1", hostPort: 53, containerPort: 53)])
        #expect(try PortBinding.parse("80").first?.hostPort == 0)
        #expect(try PortBinding.parse("9000-9002:7000-7002").map(\.hostPort) == [9000, 9001, 9002])
        #expect(try PortBinding.parse("9000-9002:7000-7002").map(\.containerPort) == [7000, 7001, 7002])
        for bad in ["x:80", "80/sctp", "1-2:3", "0:80", "70000:80", "a.b.c.d:1:2", "1:2:3:4"] {
            expectError(.invalidArgument, "\(bad)") { try PortBinding.parse(bad) }
        }
    }
}
