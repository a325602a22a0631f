import Testing
import LighterDatabase
import LighterNetwork
import LighterSystem
import LighterTestSupport

/// IPAM in the store's database: distinct addresses under concurrency, release, persistence.
@Suite struct NetworkStoreTests {
    static func store(_ dir: TestDirectory) throws -> NetworkStore {
        NetworkStore(db: try DataRoot(root: dir.path, schemas: [NetworkStore.schema]).database)
    }

    @Test func allocatesLowestFreeAddressesAndReleasesThem() throws {
        let dir = TestDirectory("lighter-ipam")
        let store = try Self.store(dir)
        let net = try store.insert(name: "n1", subnet: try IPv4Subnet(parsing: "10.50.0.0/29"), gateway: nil, bridge: nil,
                                   candidates: [], busy: [], created: 1)
        #expect(net.gateway == IPv4Address("10.50.0.1") && net.bridge.hasPrefix("lt-") && net.bridge.count <= 15)
        var addresses: [String] = []
        for i in 0..<5 {
            addresses.append("\(try store.allocate(net, containerID: "c\(i)", containerName: "n\(i)", request: .init()).address)")
        }
        #expect(addresses == ["10.50.0.2", "10.50.0.3", "10.50.0.4", "10.50.0.5", "10.50.0.6"])
        expectError(.conflict) { try store.allocate(net, containerID: "c9", containerName: "n9", request: .init()) }   // full
        try store.release(container: "c1")
        #expect(try store.allocate(net, containerID: "c7", containerName: "n7", request: .init()).address == IPv4Address("10.50.0.3"))
        expectError(.conflict) { try store.deleteNetwork("n1") }   // in use
        // Explicit address and MAC; the MAC defaults to 02:42 + the address.
        let other = try store.insert(name: "n2", subnet: nil, gateway: nil, bridge: nil,
                                     candidates: [try IPv4Subnet(parsing: "10.50.0.0/24"), try IPv4Subnet(parsing: "10.51.0.0/24")], busy: [], created: 2)
        #expect(other.subnet.description == "10.51.0.0/24")   // the first overlaps n1
        let fixed = try store.allocate(other, containerID: "c0", containerName: "n0", request: .init(address: IPv4Address("10.51.0.77"), mac: "02:00:00:00:00:01"))
        #expect(fixed.mac == "02:00:00:00:00:01" && fixed.sequence == 1)
        #expect(try store.allocate(other, containerID: "c2", containerName: "x", request: .init()).mac == "02:42:0a:33:00:02")
        expectError(.conflict) { try store.allocate(other, containerID: "c3", containerName: "y", request: .init(address: IPv4Address("10.51.0.77"))) }
        expectError(.invalidArgument) { try store.allocate(other, containerID: "c3", containerName: "y", request: .init(address: IPv4Address("10.1.0.7"))) }
        // Survives reopening the store.
        let reopened = try Self.store(dir)
        #expect(try reopened.endpoints(container: "c0").map(\.network) == ["n1", "n2"])
    }

    @Test func concurrentAllocationsNeverCollide() async throws {
        let dir = TestDirectory("lighter-ipam")
        let net = try Self.store(dir).insert(name: "n", subnet: try IPv4Subnet(parsing: "10.60.0.0/24"), gateway: nil, bridge: nil,
                                             candidates: [], busy: [], created: 1)
        let path = dir.path
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    // Each worker has its own connection, as separate `lighter run` processes do.
                    let store = NetworkStore(db: try DataRoot(root: path, schemas: [NetworkStore.schema]).database)
                    var mine: [String] = []
                    for i in 0..<10 {
                        mine.append("\(try store.allocate(net, containerID: "w\(worker)-\(i)", containerName: "w\(worker)-\(i)", request: .init()).address)")
                    }
                    return mine
                }
            }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(results.count == 40 && Set(results).count == 40)
    }

    /// A host port is held by one running container per protocol (as in Docker): stopped or created
    /// containers may share it, the second to start is refused; a container cannot name one twice.
    @Test func publishedPortsAreUniqueAmongRunningContainersPerProtocol() throws {
        let dir = TestDirectory("lighter-ipam")
        let store = try Self.store(dir)
        #expect(try store.publish(try PortBinding.parse("18080:80"), container: "a").map(\.hostPort) == [18080])
        expectError(.conflict) { try store.publish(try PortBinding.parse("127.0.0.1:18080:81"), container: "a") }
        #expect(try store.publish(try PortBinding.parse("127.0.0.1:18080:81"), container: "b").count == 1)   // a is not running
        #expect(try store.setPortsActive(true, container: "a"))
        expectError(.conflict) { try store.publish(try PortBinding.parse("18080:80"), container: "e") }
        expectError(.conflict) { _ = try store.setPortsActive(true, container: "b") }
        #expect(try store.ports(container: "b").map(\.hostPort) == [18080])
        #expect(try store.publish(try PortBinding.parse("18080:80/udp"), container: "f").count == 1)
        let random = try store.publish(try PortBinding.parse("80"), container: "c")
        #expect(random.first.map { (49153...65535).contains($0.hostPort) } == true)
        #expect(try store.setPortsActive(false, container: "a"))
        #expect(try store.setPortsActive(true, container: "b"))
        try store.release(container: "a")
        #expect(try store.ports(container: "a").isEmpty)
        expectError(.conflict) { try store.publish(try PortBinding.parse("18080:80"), container: "d") }   // b runs now
    }

    @Test func rulesetNamesOnlyLightersTable() throws {
        let net = NetworkRecord(name: "bridge", id: "x", driver: "bridge", bridge: "lighter0", subnet: try IPv4Subnet(parsing: "172.18.0.0/16"),
                                gateway: IPv4Address("172.18.0.1")!, created: 0)
        let script = NftRuleset(networks: [net], ports: [(PortBinding(proto: "tcp", hostIP: "", hostPort: 8080, containerPort: 80), IPv4Address("172.18.0.2")!),
                                                         (PortBinding(proto: "udp", hostIP: "127.0.0.1", hostPort: 5353, containerPort: 53), IPv4Address("172.18.0.3")!)]).script
        #expect(script.contains("    tcp dport 8080 dnat to 172.18.0.2:80\n"))
        #expect(script.contains("    ip daddr 127.0.0.1 udp dport 5353 dnat to 172.18.0.3:53\n"))
        #expect(script.contains("ip saddr 172.18.0.0/16 oifname != \"lighter0\" masquerade"))
        let tables = script.split(separator: "\n").filter { $0.hasPrefix("table") || $0.hasPrefix("delete") }
        #expect(tables.allSatisfy { $0.contains("ip lighter") })
    }
}
