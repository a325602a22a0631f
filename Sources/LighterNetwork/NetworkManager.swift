#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterDatabase
import LighterSystem

/// Networks for the engine: the default bridge made at first use, user networks, attaching a
/// created container's network namespace (veth pair, address, route) and the nftables rules.
public struct NetworkManager: Sendable {
    public let store: NetworkStore
    /// `<root>/network`: the lock serializing bridge set-up and rule loads, the last ruleset.
    public let stateDirectory: String

    /// Is this container running? Ports of containers that are not (a crash, a reboot) are dropped
    /// from the rules when they are next loaded.
    let isRunning: @Sendable (String) -> Bool

    public init(db: Database, root: String, isRunning: @escaping @Sendable (String) -> Bool = { _ in true }) {
        store = NetworkStore(db: db)
        stateDirectory = "\(root)/network"
        self.isRunning = isRunning
    }

    /// Private /16s tried in order for new networks (Docker's 172.17.0.0/16 is never used).
    public static let subnetPool: [IPv4Subnet] =
        (18...31).map { IPv4Subnet(address: IPv4Address(bytes: [172, UInt8($0), 0, 0]), prefix: 16) }
        + (0...255).map { IPv4Subnet(address: IPv4Address(bytes: [10, 89, UInt8($0), 0]), prefix: 24) }

    // MARK: networks

    /// `--network NAME`: "bridge" is the default network (created on first use).
    public func resolve(_ name: String) throws(LighterError) -> NetworkRecord {
        if name == NetworkRecord.defaultName { return try defaultNetwork() }
        guard let network = try store.network(name) else { throw .notFound(kind: "network", name: name) }
        return network
    }

    public func defaultNetwork() throws(LighterError) -> NetworkRecord {
        if let existing = try store.network(NetworkRecord.defaultName) { return existing }
        var subnet = try ProcessInfoEnvironment.value("LIGHTER_BRIDGE_SUBNET").map { (text) throws(LighterError) in try IPv4Subnet(parsing: text) }
        var gateway: IPv4Address?
        if subnet == nil, let adopted = try idleBridgeAddress(NetworkRecord.defaultBridge) {
            // A `lighter0` left by a wiped store (or another data root) with no container on it: keep
            // its subnet, so the bridge, its route and this store agree.
            subnet = IPv4Subnet(address: adopted.address, prefix: adopted.prefix)
            gateway = adopted.address
        }
        do {
            return try store.insert(name: NetworkRecord.defaultName, subnet: subnet, gateway: gateway, bridge: NetworkRecord.defaultBridge,
                                    candidates: Self.subnetPool, busy: try hostRoutes(), created: Time.now().seconds)
        } catch .conflict {
            // Another `run` made it first.
            guard let existing = try store.network(NetworkRecord.defaultName) else { throw .notFound(kind: "network", name: "bridge") }
            return existing
        }
    }

    /// `network create`: a new bridge network; its bridge link appears when a container first uses it.
    public func create(name: String, subnet: IPv4Subnet?, gateway: IPv4Address?, labels: [String: String] = [:],
                       isInternal: Bool = false) throws(LighterError) -> NetworkRecord {
        guard !["bridge", "host", "none", "default"].contains(name) else {
            throw .conflict("\(name) is a pre-defined network and cannot be created")
        }
        guard !name.isEmpty, name.utf8.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }),
              name.first!.isLetter || name.first!.isNumber else {
            throw .invalidArgument("invalid network name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        if let subnet, let gateway, !subnet.contains(gateway) {
            throw .invalidArgument("--gateway \(gateway) is not in --subnet \(subnet)")
        }
        let routes = try hostRoutes()
        if let subnet, let clash = routes.first(where: { $0.prefix > 0 && $0.overlaps(subnet) }) {
            throw .conflict("subnet \(subnet) overlaps a route of this host (\(clash))")
        }
        return try store.insert(name: name, subnet: subnet, gateway: gateway, bridge: nil, candidates: Self.subnetPool,
                                busy: routes, created: Time.now().seconds, labels: labels, isInternal: isInternal)
    }

    /// `network rm`: refused while containers are attached; the bridge and its rules go.
    public func remove(_ nameOrID: String) throws(LighterError) {
        guard let network = try store.network(nameOrID) else { throw .notFound(kind: "network", name: nameOrID) }
        if network.isDefault { throw .conflict("bridge is a pre-defined network and cannot be removed") }
        try store.deleteNetwork(network.name)
        try withLock { () throws(LighterError) in
            try RouteNetlink().deleteLink(named: network.bridge)
            try loadRules()
        }
    }

    // MARK: containers

    /// Put a created container (its init is `pid`, waiting to exec) on its networks: a veth pair per
    /// endpoint, the far end named eth0, eth1 ... inside its namespace, address, default route.
    public func attach(container id: String, pid: Int32) throws(LighterError) {
        let endpoints = try store.endpoints(container: id)
        guard !endpoints.isEmpty else { return }
        let namespace = try FileDescriptor(path: "/proc/\(pid)/ns/net", flags: O_RDONLY)
        let host = try RouteNetlink()
        let inside = try RouteNetlink(namespace: namespace)
        let mtu = try hostMTU(host)
        try inside.setLink(index: 1, up: true)   // lo
        for endpoint in endpoints {
            try plug(endpoint, namespace: namespace, host: host, inside: inside, mtu: mtu, primary: endpoint == endpoints.first)
        }
        if try store.setPortsActive(true, container: id) {
            try withLock { () throws(LighterError) in try loadRules(starting: id) }
        }
    }

    /// `network connect` on a running container: one more veth into its namespace.
    public func attach(_ endpoint: Endpoint, pid: Int32) throws(LighterError) {
        let namespace = try FileDescriptor(path: "/proc/\(pid)/ns/net", flags: O_RDONLY)
        let host = try RouteNetlink()
        try plug(endpoint, namespace: namespace, host: host, inside: try RouteNetlink(namespace: namespace), mtu: try hostMTU(host), primary: false)
    }

    /// `network disconnect`: the endpoint's veth goes (if it is up) and its address is released.
    public func disconnect(_ endpoint: Endpoint) throws(LighterError) {
        try RouteNetlink().deleteLink(named: Self.vethName(container: endpoint.containerID, slot: endpoint.sequence))
        try store.release(container: endpoint.containerID, network: endpoint.network)
    }

    private func plug(_ endpoint: Endpoint, namespace: FileDescriptor, host: RouteNetlink, inside: RouteNetlink,
                      mtu: UInt32, primary: Bool) throws(LighterError) {
        let network = try resolve(endpoint.network)
        let bridge = try ensureBridge(network, host: host)
        let hostName = Self.vethName(container: endpoint.containerID, slot: endpoint.sequence)
        let peer = RouteNetlink.Peer(name: "eth\(endpoint.sequence)", mac: try MACAddress.parse(endpoint.mac), namespace: namespace)
        do {
            try host.createVeth(hostName, peer: peer, mtu: mtu, master: bridge)
        } catch .system(_, _, EEXIST) {
            try host.deleteLink(named: hostName)   // left by a crash
            try host.createVeth(hostName, peer: peer, mtu: mtu, master: bridge)
        }
        guard let link = try inside.link(named: peer.name) else { throw .notFound(kind: "link", name: peer.name) }
        try inside.addAddress(endpoint.address, prefix: network.subnet.prefix, index: link.index)
        try inside.setLink(index: link.index, up: true)
        if primary { try inside.addRoute(destination: nil, gateway: network.gateway, index: link.index) }
    }

    /// After the container's init exited: its port rules go. Safe to repeat.
    ///
    /// The veth pairs are not deleted here: the kernel destroys them with the container's network
    /// namespace, off the critical path (an explicit RTM_DELLINK waits for an RCU grace period,
    /// ~25 ms on a loaded 2-core machine). A pair left by a namespace still held elsewhere is
    /// replaced when the container starts again.
    public func detach(container id: String) throws(LighterError) {
        if try store.setPortsActive(false, container: id) {
            try withLock { () throws(LighterError) in try loadRules() }
        }
    }

    /// On `rm`: detach, then give back the addresses and ports.
    public func release(container id: String) throws(LighterError) {
        try detach(container: id)
        try store.release(container: id)
    }

    /// Re-create the bridges of networks in use and reload all rules (after a reboot or a flush).
    /// Without `force`, nothing is done when every such bridge is up with its own address and
    /// Lighter's table exists (a few netlink requests). Returns the bridges (re)made or found ready,
    /// or nil when nothing needed doing.
    @discardableResult
    public func restore(force: Bool = false) throws(LighterError) -> [String]? {
        let host = try RouteNetlink()
        var inUse: [NetworkRecord] = []
        for network in try store.networks() where try !store.endpoints(network: network.name).isEmpty { inUse.append(network) }
        if inUse.isEmpty { return nil }
        if !force, try NftablesProbe.tableExists() {
            var ready = true
            for network in inUse {
                guard let link = try host.link(named: network.bridge), link.up,
                      try foreignAddresses(of: link, network, host: host).isEmpty,
                      try host.addresses(index: link.index).contains(where: { $0.address == network.gateway }) else {
                    ready = false
                    break
                }
            }
            if ready { return nil }
        }
        return try withLock { () throws(LighterError) -> [String] in
            for network in inUse { _ = try setUpBridge(network, host: host) }
            try loadRules()
            return inUse.map(\.bridge)
        }
    }

    /// The host ends of a dead container's veth pairs, if a namespace still held elsewhere kept them.
    public func removeVeths(container id: String) throws(LighterError) {
        let host = try RouteNetlink()
        for endpoint in try store.endpoints(container: id) {
            _ = try host.deleteLink(named: Self.vethName(container: id, slot: endpoint.sequence))
        }
    }

    static func vethName(container id: String, slot: Int) -> String { "veth\(id.prefix(9))\(slot)" }

    // MARK: bridge and rules

    /// The bridge's link index, creating it (address, up, forwarding, rules) when missing; when
    /// Lighter's table is gone (flushed, or a reboot), every rule of running containers comes back.
    func ensureBridge(_ network: NetworkRecord, host: RouteNetlink) throws(LighterError) -> Int32 {
        if let link = try host.link(named: network.bridge), link.up, try foreignAddresses(of: link, network, host: host).isEmpty,
           try NftablesProbe.tableExists() {
            return link.index
        }
        return try withLock { () throws(LighterError) -> Int32 in
            let index = try setUpBridge(network, host: host)
            try loadRules()
            return index
        }
    }

    private func setUpBridge(_ network: NetworkRecord, host: RouteNetlink) throws(LighterError) -> Int32 {
        if let existing = try host.link(named: network.bridge) {
            try replaceIfForeign(existing, network, host: host)
        }
        if try host.link(named: network.bridge) == nil {
            do { try host.createBridge(network.bridge) } catch .system(_, _, EEXIST) {}
        }
        guard let link = try host.link(named: network.bridge) else { throw .notFound(kind: "bridge", name: network.bridge) }
        if try !host.addresses(index: link.index).contains(where: { $0.address == network.gateway }) {
            do { try host.addAddress(network.gateway, prefix: network.subnet.prefix, index: link.index) } catch .system(_, _, EEXIST) {}
        }
        try host.setLink(index: link.index, up: true)
        try Self.sysctl("net/ipv4/ip_forward", "1")
        try Self.sysctl("net/ipv4/conf/\(network.bridge)/route_localnet", "1")
        return link.index
    }

    /// The IPv4 addresses of an existing bridge that are not this network's gateway/prefix.
    private func foreignAddresses(of link: RouteNetlink.Link, _ network: NetworkRecord,
                                  host: RouteNetlink) throws(LighterError) -> [(address: IPv4Address, prefix: Int)] {
        try host.addresses(index: link.index).filter { $0.address != network.gateway || $0.prefix != network.subnet.prefix }
    }

    /// A bridge of this name with another subnet (left by another data root, or by this one before
    /// its store was wiped): rebuilt when nothing is attached to it, else refused — reusing it would
    /// give containers a gateway that does not exist, and loading this store's rules would take the
    /// other containers' published ports away.
    private func replaceIfForeign(_ link: RouteNetlink.Link, _ network: NetworkRecord, host: RouteNetlink) throws(LighterError) {
        let foreign = try foreignAddresses(of: link, network, host: host)
        guard !foreign.isEmpty else { return }
        let attached = try host.links().filter { $0.master == link.index }
        let addresses = foreign.map { "\($0.address)/\($0.prefix)" }.joined(separator: ", ")
        guard attached.isEmpty else {
            throw .conflict("""
                bridge \(network.bridge) has address \(addresses), but network \(network.name) of this data root is \(network.subnet) \
                (gateway \(network.gateway)), and \(attached.count) interface(s) are attached to it (\(attached.map { $0.name }.joined(separator: ", "))), \
                probably containers of another Lighter data root: stop those containers (the bridge is then rebuilt), or give this \
                data root a network of its own (`lighter network create NAME` and `--network NAME`)
                """)
        }
        _ = try host.deleteLink(named: network.bridge)
    }

    /// The address of an existing bridge with nothing attached, to adopt as the default network's.
    private func idleBridgeAddress(_ name: String) throws(LighterError) -> (address: IPv4Address, prefix: Int)? {
        let host = try RouteNetlink()
        guard let link = try host.link(named: name), try !host.links().contains(where: { $0.master == link.index }),
              let address = try host.addresses(index: link.index).first,
              address.prefix >= 8, address.prefix <= 30 else { return nil }
        return address
    }

    /// Write Lighter's whole table from the store (callers hold the lock). Ports of containers that
    /// are no longer running (crashed monitors) are deactivated, except the one `starting`.
    func loadRules(starting: String? = nil) throws(LighterError) {
        var ports: [(binding: PortBinding, address: IPv4Address)] = []
        var dead: Set<String> = []
        for entry in try store.activePorts() {
            if entry.containerID != starting && (dead.contains(entry.containerID) || !isRunning(entry.containerID)) {
                dead.insert(entry.containerID)
                continue
            }
            ports.append((entry.binding, entry.address))
        }
        for id in dead { _ = try store.setPortsActive(false, container: id) }
        let ruleset = NftRuleset(networks: try store.networks(), ports: ports)
        try Nftables.load(ruleset)
        // A record for people to read (not durable: the kernel holds the rules, the store their source).
        try FileSystem.writeAtomically(Array(ruleset.script.utf8), to: "\(stateDirectory)/rules.nft", mode: 0o600)
    }

    /// Drop Lighter's table (used by tests and `system reset`-like cleanups).
    public func removeRules() throws(LighterError) {
        try withLock { () throws(LighterError) in
            try Nftables.deleteTable()
            if FileSystem.exists("\(stateDirectory)/rules.nft") { try FileSystem.remove("\(stateDirectory)/rules.nft") }
        }
    }

    private func withLock<T>(_ body: () throws(LighterError) -> T) throws(LighterError) -> T {
        try FileSystem.makeDirectories(stateDirectory, mode: 0o700)
        let lock = try FileLock(path: "\(stateDirectory)/lock", mode: .exclusive)
        defer { lock.release() }
        return try body()
    }

    func hostRoutes() throws(LighterError) -> [IPv4Subnet] {
        try RouteNetlink().routes().map(\.destination)
    }

    /// The MTU of the link holding the default route (1500 when there is none).
    func hostMTU(_ host: RouteNetlink) throws(LighterError) -> UInt32 {
        guard let index = try host.routes().first(where: { $0.destination.prefix == 0 })?.index,
              let link = try host.link(index: index), link.mtu >= 576 else { return 1500 }
        return link.mtu
    }

    static func sysctl(_ key: String, _ value: String) throws(LighterError) {
        let path = "/proc/sys/\(key)"
        if (try? FileSystem.readString(path))?.trimmed == value { return }
        let fd = try FileDescriptor(path: path, flags: O_WRONLY)
        try fd.write(value)
        try fd.close()
    }
}

/// getenv without Foundation.
enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }
}
