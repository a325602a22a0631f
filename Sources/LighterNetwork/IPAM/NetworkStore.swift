import LighterDatabase
import LighterSystem

/// Networks, endpoints (IPAM) and published ports in the store's SQLite database. Every allocation
/// happens in one write transaction, so concurrent `run`s never get the same address or port.
public struct NetworkStore: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    // MARK: networks

    public func networks() throws(LighterError) -> [NetworkRecord] {
        try db.query("SELECT * FROM networks ORDER BY created_at, name").compactMap(Self.network)
    }

    public func network(_ nameOrID: String) throws(LighterError) -> NetworkRecord? {
        let rows = try db.query("SELECT * FROM networks WHERE name = ? OR id = ? OR (length(?) >= 3 AND id LIKE ? || '%')",
                                [.text(nameOrID), .text(nameOrID), .text(nameOrID), .text(nameOrID)])
        return rows.count == 1 ? Self.network(rows[0]) : rows.first { $0.string("name") == nameOrID }.flatMap(Self.network)
    }

    /// Insert a network; the subnet is picked from `candidates` (skipping `busy` and other networks)
    /// unless given.
    public func insert(name: String, subnet wanted: IPv4Subnet?, gateway: IPv4Address?, bridge: String?,
                       candidates: [IPv4Subnet], busy: [IPv4Subnet], created: Int64, labels: [String: String] = [:],
                       isInternal: Bool = false) throws(LighterError) -> NetworkRecord {
        try db.transaction { () throws(LighterError) -> NetworkRecord in
            if let existing = try network(name), existing.name == name {
                throw .conflict("network with name \(name) already exists")
            }
            let others = try networks()
            let subnet: IPv4Subnet
            if let wanted {
                if let clash = others.first(where: { $0.subnet.overlaps(wanted) }) {
                    throw .conflict("subnet \(wanted) overlaps network \(clash.name) (\(clash.subnet))")
                }
                subnet = wanted
            } else {
                guard let free = candidates.first(where: { c in !others.contains { $0.subnet.overlaps(c) } && !busy.contains { $0.prefix > 0 && $0.overlaps(c) } }) else {
                    throw .conflict("no free private subnet left for network \(name); give one with --subnet")
                }
                subnet = free
            }
            let gateway = gateway ?? subnet.first
            guard subnet.contains(gateway), gateway != subnet.network, gateway != subnet.broadcast else {
                throw .invalidArgument("gateway \(gateway) is not a host address of \(subnet)")
            }
            let id = Self.randomID()
            let bridgeName = bridge ?? "lt-\(id.prefix(12))"
            let labelText = String(decoding: JSONNode.object(labels.mapValues(JSONNode.string)).serialized(), as: UTF8.self)
            try db.execute("INSERT INTO networks (name, id, driver, bridge, subnet, gateway, created_at, labels, internal) VALUES (?, ?, 'bridge', ?, ?, ?, ?, ?, ?)",
                           [.text(name), .text(id), .text(bridgeName), .text("\(subnet)"), .text("\(gateway)"), .integer(created), .text(labelText),
                            .integer(isInternal ? 1 : 0)])
            return NetworkRecord(name: name, id: id, driver: "bridge", bridge: bridgeName, subnet: subnet, gateway: gateway, created: created,
                                 labels: labels, isInternal: isInternal)
        }
    }

    public func deleteNetwork(_ name: String) throws(LighterError) {
        try db.transaction { () throws(LighterError) in
            let users = try db.query("SELECT container_name FROM endpoints WHERE network = ?", [.text(name)]).map { $0.string("container_name") }
            guard users.isEmpty else {
                throw .conflict("error while removing network: network \(name) has active endpoints (\(users.joined(separator: ", ")))")
            }
            try db.execute("DELETE FROM networks WHERE name = ?", [.text(name)])
        }
    }

    // MARK: endpoints

    /// Give a container an address (the one asked for, or the lowest free) and a MAC on `network`.
    public func allocate(_ network: NetworkRecord, containerID: String, containerName: String,
                         request: EndpointRequest) throws(LighterError) -> Endpoint {
        try db.transaction { () throws(LighterError) -> Endpoint in
            if try !db.query("SELECT 1 FROM endpoints WHERE network = ? AND container_id = ?", [.text(network.name), .text(containerID)]).isEmpty {
                throw .conflict("container \(containerName) is already attached to network \(network.name)")
            }
            let used = Set(try db.query("SELECT address FROM endpoints WHERE network = ?", [.text(network.name)]).map { UInt32($0.int("address")) })
            let address: IPv4Address
            if let wanted = request.address {
                guard network.subnet.contains(wanted), wanted != network.gateway, wanted != network.subnet.network, wanted != network.subnet.broadcast else {
                    throw .invalidArgument("--ip \(wanted) is not a free host address of network \(network.name) (\(network.subnet))")
                }
                guard !used.contains(wanted.value) else { throw .conflict("address \(wanted) is already in use on network \(network.name)") }
                address = wanted
            } else {
                var candidate = network.subnet.first.value
                while candidate <= network.subnet.last.value && (used.contains(candidate) || candidate == network.gateway.value) { candidate += 1 }
                guard candidate <= network.subnet.last.value else { throw .conflict("no free address left on network \(network.name) (\(network.subnet))") }
                address = IPv4Address(candidate)
            }
            let mac = request.mac ?? MACAddress.format(MACAddress.derived(from: address))
            let sequence = Int(try db.query("SELECT coalesce(max(seq) + 1, 0) AS n FROM endpoints WHERE container_id = ?", [.text(containerID)]).first?.int("n") ?? 0)
            try db.execute("INSERT INTO endpoints (network, container_id, container_name, address, mac, aliases, seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [.text(network.name), .text(containerID), .text(containerName), .integer(Int64(address.value)), .text(mac),
                            .text(request.aliases.joined(separator: " ")), .integer(Int64(sequence))])
            return Endpoint(network: network.name, containerID: containerID, containerName: containerName, address: address,
                            mac: mac, aliases: request.aliases, sequence: sequence)
        }
    }

    public func endpoints(container id: String) throws(LighterError) -> [Endpoint] {
        try db.query("SELECT * FROM endpoints WHERE container_id = ? ORDER BY seq", [.text(id)]).map(Self.endpoint)
    }

    public func endpoints(network name: String) throws(LighterError) -> [Endpoint] {
        try db.query("SELECT * FROM endpoints WHERE network = ? ORDER BY address", [.text(name)]).map(Self.endpoint)
    }

    public func release(container id: String, network: String? = nil) throws(LighterError) {
        if let network {
            try db.execute("DELETE FROM endpoints WHERE container_id = ? AND network = ?", [.text(id), .text(network)])
        } else {
            try db.transaction { () throws(LighterError) in
                try db.execute("DELETE FROM endpoints WHERE container_id = ?", [.text(id)])
                try db.execute("DELETE FROM published_ports WHERE container_id = ?", [.text(id)])
            }
        }
    }

    // MARK: published ports

    /// Reserve host ports for a container; port 0 takes a free one from the ephemeral range, one no
    /// container holds. A given port clashes only with a running container's (or this one's own):
    /// as in Docker, stopped containers may hold the same port, and the second to start is refused.
    public func publish(_ bindings: [PortBinding], container id: String) throws(LighterError) -> [PortBinding] {
        guard !bindings.isEmpty else { return [] }
        return try db.transaction { () throws(LighterError) -> [PortBinding] in
            var result: [PortBinding] = []
            for var binding in bindings {
                let rows = try db.query("SELECT host_port, container_id, active FROM published_ports WHERE protocol = ? AND (host_ip = ? OR host_ip = '' OR ? = '')",
                                        [.text(binding.proto), .text(binding.hostIP), .text(binding.hostIP)])
                if binding.hostPort == 0 {
                    let taken = Set(rows.map { Int($0.int("host_port")) })
                    guard let free = (49153...65535).first(where: { !taken.contains($0) && Self.portIsFree($0, proto: binding.proto) }) else {
                        throw .conflict("no free host port left for \(binding.containerPort)/\(binding.proto)")
                    }
                    binding.hostPort = free
                } else if rows.contains(where: { Int($0.int("host_port")) == binding.hostPort && ($0.int("active") == 1 || $0.string("container_id") == id) }) {
                    throw Self.allocated(binding)
                } else {
                    try PortProbe.checkBindable(binding)
                }
                try db.execute("INSERT INTO published_ports (protocol, host_ip, host_port, container_id, container_port) VALUES (?, ?, ?, ?, ?)",
                               [.text(binding.proto), .text(binding.hostIP), .integer(Int64(binding.hostPort)), .text(id), .integer(Int64(binding.containerPort))])
                result.append(binding)
            }
            return result
        }
    }

    /// Before a container starts: no running container holds one of its host ports, and each is still
    /// free of host processes (a service may have taken one since `create`).
    public func checkPortsBindable(container id: String) throws(LighterError) {
        try checkNoneRunningHolds(container: id)
        for binding in try ports(container: id) { try PortProbe.checkBindable(binding) }
    }

    /// Docker's words when a running container holds a host port another one wants.
    static func allocated(_ binding: PortBinding) -> LighterError {
        .conflict("Bind for \(binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP):\(binding.hostPort) failed: port is already allocated")
    }

    private func checkNoneRunningHolds(container id: String) throws(LighterError) {
        let clash = try db.query("""
            SELECT p.* FROM published_ports p JOIN published_ports o
            ON o.protocol = p.protocol AND o.host_port = p.host_port AND (o.host_ip = p.host_ip OR o.host_ip = '' OR p.host_ip = '')
            WHERE p.container_id = ? AND o.container_id != ? AND o.active = 1 LIMIT 1
            """, [.text(id), .text(id)])
        if let row = clash.first { throw Self.allocated(Self.port(row)) }
    }

    public func ports(container id: String) throws(LighterError) -> [PortBinding] {
        try db.query("SELECT * FROM published_ports WHERE container_id = ? ORDER BY container_port, protocol, host_ip", [.text(id)]).map(Self.port)
    }

    /// Ports of running containers, with each container's address on its first network.
    public func activePorts() throws(LighterError) -> [(binding: PortBinding, address: IPv4Address, containerID: String)] {
        let rows = try db.query("""
            SELECT p.*, e.address FROM published_ports p JOIN endpoints e ON e.container_id = p.container_id AND e.seq = 0
            WHERE p.active = 1 ORDER BY p.host_port
            """)
        return rows.map { (Self.port($0), IPv4Address(UInt32($0.int("address"))), $0.string("container_id")) }
    }

    /// Marks the container's ports running (their rules load) or not; running is refused while another
    /// running container holds one of them (checked in the same transaction, so two starts cannot both win).
    public func setPortsActive(_ active: Bool, container id: String) throws(LighterError) -> Bool {
        let update = { () throws(LighterError) -> Bool in
            try db.execute("UPDATE published_ports SET active = ? WHERE container_id = ? AND active != ?", [.integer(active ? 1 : 0), .text(id), .integer(active ? 1 : 0)])
            return db.changes > 0
        }
        guard active else { return try update() }
        return try db.transaction { () throws(LighterError) -> Bool in
            try checkNoneRunningHolds(container: id)
            return try update()
        }
    }

    // MARK: rows

    static func network(_ row: SQLRow) -> NetworkRecord? {
        guard let subnet = try? IPv4Subnet(parsing: row.string("subnet")), let gateway = IPv4Address(row.string("gateway")) else { return nil }
        var labels: [String: String] = [:]
        if case let .object(fields)? = try? JSONNode.parse(Array(row.string("labels").utf8), what: "network labels") {
            for case let (key, .string(value)) in fields { labels[key] = value }
        }
        return NetworkRecord(name: row.string("name"), id: row.string("id"), driver: row.string("driver"), bridge: row.string("bridge"),
                             subnet: subnet, gateway: gateway, created: row.int("created_at"), labels: labels,
                             isInternal: row.int("internal") == 1)
    }

    static func endpoint(_ row: SQLRow) -> Endpoint {
        Endpoint(network: row.string("network"), containerID: row.string("container_id"), containerName: row.string("container_name"),
                 address: IPv4Address(UInt32(row.int("address"))), mac: row.string("mac"),
                 aliases: row.string("aliases").split(separator: " ").map(String.init), sequence: Int(row.int("seq")))
    }

    static func port(_ row: SQLRow) -> PortBinding {
        PortBinding(proto: row.string("protocol"), hostIP: row.string("host_ip"), hostPort: Int(row.int("host_port")),
                    containerPort: Int(row.int("container_port")))
    }

    static func randomID() -> String {
        (0..<32).map { _ in UInt8.random(in: 0...255) }.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Nothing on this host listens on the port (a bind test; the socket is closed at once).
    static func portIsFree(_ port: Int, proto: String) -> Bool { PortProbe.isFree(port: port, udp: proto == "udp") }
}
