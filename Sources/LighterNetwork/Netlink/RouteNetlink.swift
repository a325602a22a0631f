#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Links, addresses and routes through rtnetlink (what `ip link/addr/route` do), without forking `ip`.
public final class RouteNetlink {
    private let socket: NetlinkSocket

    /// Work on this thread's network namespace.
    public init() throws(LighterError) { socket = try NetlinkSocket() }

    /// Work on another network namespace (an open nsfs file, e.g. /proc/PID/ns/net).
    public init(namespace: FileDescriptor) throws(LighterError) { socket = try NetlinkSocket(namespace: namespace) }

    public struct Link: Sendable, Equatable {
        public var index: Int32
        public var name: String
        public var up: Bool
        public var mtu: UInt32
        public var master: Int32?
        public var kind: String?
    }

    // MARK: links

    /// All links of the namespace.
    public func links() throws(LighterError) -> [Link] {
        let message = NetlinkMessage(type: Netlink.getLink, flags: Netlink.request | Netlink.dump, header: Self.ifinfo())
        return try socket.dump(message, what: "list links").compactMap { reply in
            reply.type == Netlink.newLink ? Self.parseLink(reply.payload) : nil
        }
    }

    /// The link called `name`, or nil.
    public func link(named name: String) throws(LighterError) -> Link? {
        var message = NetlinkMessage(type: Netlink.getLink, flags: Netlink.request | Netlink.ack, header: Self.ifinfo())
        message.attribute(Netlink.linkName, string: name)
        do {
            return try socket.get(message, what: "link \(name)").first.flatMap { Self.parseLink($0.payload) }
        } catch .system(_, _, ENODEV) {
            return nil
        }
    }

    /// The link with this index, or nil.
    public func link(index: Int32) throws(LighterError) -> Link? {
        let message = NetlinkMessage(type: Netlink.getLink, flags: Netlink.request | Netlink.ack, header: Self.ifinfo(index: index))
        do {
            return try socket.get(message, what: "link \(index)").first.flatMap { Self.parseLink($0.payload) }
        } catch .system(_, _, ENODEV) {
            return nil
        }
    }

    /// Create a bridge (`ip link add NAME type bridge`); EEXIST if it is there.
    public func createBridge(_ name: String, mtu: UInt32? = nil) throws(LighterError) {
        var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.request | Netlink.ack | Netlink.create | Netlink.exclusive,
                                     header: Self.ifinfo())
        message.attribute(Netlink.linkName, string: name)
        if let mtu { message.attribute(Netlink.linkMTU, uint32: mtu) }
        message.begin(Netlink.linkInfo)
        message.attribute(Netlink.infoKind, string: "bridge")
        message.end()
        try socket.request(message, what: "create bridge \(name)")
    }

    /// The far end of a veth pair: its name, MAC, and the namespace it is created in.
    public struct Peer {
        public var name: String
        public var mac: [UInt8]?
        public var namespace: FileDescriptor?
        public init(name: String, mac: [UInt8]? = nil, namespace: FileDescriptor? = nil) {
            self.name = name
            self.mac = mac
            self.namespace = namespace
        }
    }

    /// Create a veth pair in one message: `name` here (enslaved to `master`, up), `peer` in its
    /// namespace (down until configured there).
    public func createVeth(_ name: String, peer: Peer, mtu: UInt32, master: Int32?) throws(LighterError) {
        var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.request | Netlink.ack | Netlink.create | Netlink.exclusive,
                                     header: Self.ifinfo(flags: Netlink.up, change: Netlink.up))
        message.attribute(Netlink.linkName, string: name)
        message.attribute(Netlink.linkMTU, uint32: mtu)
        if let master { message.attribute(Netlink.linkMaster, uint32: UInt32(bitPattern: master)) }
        message.begin(Netlink.linkInfo)
        message.attribute(Netlink.infoKind, string: "veth")
        message.begin(Netlink.infoData)
        message.begin(Netlink.vethPeer)
        message.raw(Self.ifinfo())
        message.attribute(Netlink.linkName, string: peer.name)
        message.attribute(Netlink.linkMTU, uint32: mtu)
        if let mac = peer.mac { message.attribute(Netlink.linkAddress, mac) }
        if let namespace = peer.namespace { message.attribute(Netlink.linkNetnsFD, uint32: UInt32(bitPattern: namespace.rawValue)) }
        message.end()
        message.end()
        message.end()
        try socket.request(message, what: "create veth \(name)")
    }

    /// Bring a link up or down, and optionally set its MTU or master.
    public func setLink(index: Int32, up: Bool? = nil, mtu: UInt32? = nil, master: Int32? = nil) throws(LighterError) {
        let flags: UInt32 = up == true ? Netlink.up : 0
        var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.request | Netlink.ack,
                                     header: Self.ifinfo(index: index, flags: flags, change: up == nil ? 0 : Netlink.up))
        if let mtu { message.attribute(Netlink.linkMTU, uint32: mtu) }
        if let master { message.attribute(Netlink.linkMaster, uint32: UInt32(bitPattern: master)) }
        try socket.request(message, what: "set link \(index)")
    }

    /// Move a link into another network namespace (`ip link set NAME netns ...`).
    public func moveLink(index: Int32, to namespace: FileDescriptor) throws(LighterError) {
        var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.request | Netlink.ack, header: Self.ifinfo(index: index))
        message.attribute(Netlink.linkNetnsFD, uint32: UInt32(bitPattern: namespace.rawValue))
        try socket.request(message, what: "move link \(index)")
    }

    /// Delete a link by name; false if there was none.
    @discardableResult
    public func deleteLink(named name: String) throws(LighterError) -> Bool {
        var message = NetlinkMessage(type: Netlink.delLink, flags: Netlink.request | Netlink.ack, header: Self.ifinfo())
        message.attribute(Netlink.linkName, string: name)
        do {
            try socket.request(message, what: "delete link \(name)")
            return true
        } catch .system(_, _, ENODEV) {
            return false
        }
    }

    // MARK: addresses and routes

    /// Add an IPv4 address with its prefix (`ip addr add A/P dev`), with the subnet's broadcast.
    public func addAddress(_ address: IPv4Address, prefix: Int, index: Int32) throws(LighterError) {
        var message = NetlinkMessage(type: Netlink.newAddr, flags: Netlink.request | Netlink.ack | Netlink.create | Netlink.exclusive,
                                     header: [Netlink.inet, UInt8(prefix), 0, 0] + NetlinkMessage.bytes(of: UInt32(bitPattern: index)))
        message.attribute(Netlink.addrLocal, address.bytes)
        message.attribute(Netlink.addrAddress, address.bytes)
        message.attribute(Netlink.addrBroadcast, IPv4Subnet(address: address, prefix: prefix).broadcast.bytes)
        try socket.request(message, what: "add address \(address)/\(prefix)")
    }

    /// The IPv4 addresses (with prefixes) on a link.
    public func addresses(index: Int32) throws(LighterError) -> [(address: IPv4Address, prefix: Int)] {
        let message = NetlinkMessage(type: Netlink.getAddr, flags: Netlink.request | Netlink.dump, header: [Netlink.inet, 0, 0, 0, 0, 0, 0, 0])
        return try socket.dump(message, what: "list addresses").compactMap { reply in
            guard reply.type == Netlink.newAddr, reply.payload.count >= 8 else { return nil }
            let p = reply.payload
            guard NetlinkMessage.read(Int32.self, p, at: 4) == index else { return nil }
            let attributes = NetlinkAttributes(p.dropFirst(8))
            guard let raw = attributes.values[Netlink.addrLocal] ?? attributes.values[Netlink.addrAddress], raw.count == 4 else { return nil }
            return (IPv4Address(bytes: Array(raw)), Int(p[p.startIndex + 1]))
        }
    }

    /// Add a route in the main table: `destination` nil is the default route; `gateway` nil is on-link.
    public func addRoute(destination: IPv4Subnet?, gateway: IPv4Address?, index: Int32) throws(LighterError) {
        let scope: UInt8 = gateway == nil ? 253 : 0   // RT_SCOPE_LINK : RT_SCOPE_UNIVERSE
        var message = NetlinkMessage(type: Netlink.newRoute, flags: Netlink.request | Netlink.ack | Netlink.create | Netlink.exclusive,
                                     header: [Netlink.inet, UInt8(destination?.prefix ?? 0), 0, 0, 254, 4, scope, 1, 0, 0, 0, 0])
        if let destination { message.attribute(Netlink.routeDestination, destination.network.bytes) }
        if let gateway { message.attribute(Netlink.routeGateway, gateway.bytes) }
        message.attribute(Netlink.routeOutput, uint32: UInt32(bitPattern: index))
        try socket.request(message, what: "add route \(destination.map { "\($0)" } ?? "default")")
    }

    /// IPv4 routes of the main table as (destination, output link index).
    public func routes() throws(LighterError) -> [(destination: IPv4Subnet, index: Int32?)] {
        let message = NetlinkMessage(type: Netlink.getRoute, flags: Netlink.request | Netlink.dump, header: [Netlink.inet] + [UInt8](repeating: 0, count: 11))
        return try socket.dump(message, what: "list routes").compactMap { reply in
            guard reply.type == Netlink.newRoute, reply.payload.count >= 12 else { return nil }
            let p = reply.payload
            guard p[p.startIndex + 4] == 254 else { return nil }   // main table
            let attributes = NetlinkAttributes(p.dropFirst(12))
            let prefix = Int(p[p.startIndex + 1])
            let network = attributes.values[Netlink.routeDestination].map { IPv4Address(bytes: Array($0)) } ?? IPv4Address(0)
            return (IPv4Subnet(address: network, prefix: prefix), attributes.uint32(Netlink.routeOutput).map { Int32(bitPattern: $0) })
        }
    }

    // MARK: helpers

    static func ifinfo(index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) -> [UInt8] {
        [0, 0, 0, 0] + NetlinkMessage.bytes(of: UInt32(bitPattern: index)) + NetlinkMessage.bytes(of: flags) + NetlinkMessage.bytes(of: change)
    }

    static func parseLink(_ payload: ArraySlice<UInt8>) -> Link? {
        guard payload.count >= 16 else { return nil }
        let index = NetlinkMessage.read(Int32.self, payload, at: 4)
        let flags = NetlinkMessage.read(UInt32.self, payload, at: 8)
        let attributes = NetlinkAttributes(payload.dropFirst(16))
        let kind = attributes.values[Netlink.linkInfo].flatMap { NetlinkAttributes($0).string(Netlink.infoKind) }
        return Link(index: index, name: attributes.string(Netlink.linkName) ?? "", up: flags & Netlink.up != 0,
                    mtu: attributes.uint32(Netlink.linkMTU) ?? 0,
                    master: attributes.uint32(Netlink.linkMaster).map { Int32(bitPattern: $0) }, kind: kind)
    }
}
