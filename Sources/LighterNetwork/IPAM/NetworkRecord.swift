/// A network as stored: a Linux bridge with an IPv4 subnet.
public struct NetworkRecord: Sendable, Equatable {
    public var name: String
    public var id: String
    public var driver: String
    public var bridge: String
    public var subnet: IPv4Subnet
    public var gateway: IPv4Address
    public var created: Int64
    public var labels: [String: String]
    /// `network create --internal` (compose's `internal: true`): no traffic forwarded between the
    /// network and anything outside it, and no masquerade.
    public var isInternal: Bool

    public init(name: String, id: String, driver: String, bridge: String, subnet: IPv4Subnet, gateway: IPv4Address, created: Int64,
                labels: [String: String] = [:], isInternal: Bool = false) {
        self.name = name
        self.id = id
        self.driver = driver
        self.bridge = bridge
        self.subnet = subnet
        self.gateway = gateway
        self.created = created
        self.labels = labels
        self.isInternal = isInternal
    }

    /// The default network (`--network bridge`): no name resolution between containers, as in Docker.
    public var isDefault: Bool { name == NetworkRecord.defaultName }
    public static let defaultName = "bridge"
    public static let defaultBridge = "lighter0"
}

/// A container's attachment to one network.
public struct Endpoint: Sendable, Equatable {
    public var network: String
    public var containerID: String
    public var containerName: String
    public var address: IPv4Address
    public var mac: String
    public var aliases: [String]
    /// Order of attachment within the container (0 = eth0, the default route).
    public var sequence: Int
}

/// What a container asks of a network when it is attached.
public struct EndpointRequest: Sendable {
    public var address: IPv4Address?
    public var mac: String?
    public var aliases: [String]
    public init(address: IPv4Address? = nil, mac: String? = nil, aliases: [String] = []) {
        self.address = address
        self.mac = mac
        self.aliases = aliases
    }
}
