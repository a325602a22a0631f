import LighterSystem

/// One rule of Lighter's table: its line in `nft` syntax (rules.nft, error messages) and the
/// expressions sent to the kernel, side by side so the two cannot drift apart.
enum NftRule: Equatable {
    /// `[ip daddr HOSTIP] tcp|udp dport N dnat to ADDRESS:PORT`
    case publish(PortBinding, to: IPv4Address)
    /// `fib daddr type local jump publish`
    case publishWhenLocal
    /// `ip saddr SUBNET oifname != "BRIDGE" masquerade`: leaving the network for elsewhere.
    case masqueradeLeaving(IPv4Subnet, bridge: String)
    /// `oifname "BRIDGE" ip saddr 127.0.0.0/8 masquerade`: published ports reached on 127.0.0.1.
    case masqueradeLoopback(bridge: String)
    /// `oifname "BRIDGE" ct status dnat ip saddr SUBNET masquerade`: hairpin within a network.
    case masqueradeHairpin(IPv4Subnet, bridge: String)
    /// `iifname "A" oifname "B" drop`: networks are isolated from each other.
    case isolate(from: String, to: String)
    /// `iifname "BRIDGE" oifname != "BRIDGE" drop` and `oifname "BRIDGE" iifname != "BRIDGE" drop`
    /// (`outbound` false): an internal network's traffic stays on its bridge.
    case confine(bridge: String, outbound: Bool)

    static let publishChain = "publish"

    var text: String {
        switch self {
        case let .publish(binding, address):
            let destination = binding.hostIP.isEmpty ? "" : "ip daddr \(binding.hostIP) "
            return "\(destination)\(binding.proto) dport \(binding.hostPort) dnat to \(address):\(binding.containerPort)"
        case .publishWhenLocal:
            return "fib daddr type local jump \(Self.publishChain)"
        case let .masqueradeLeaving(subnet, bridge):
            return "ip saddr \(subnet) oifname != \"\(bridge)\" masquerade"
        case let .masqueradeLoopback(bridge):
            return "oifname \"\(bridge)\" ip saddr 127.0.0.0/8 masquerade"
        case let .masqueradeHairpin(subnet, bridge):
            return "oifname \"\(bridge)\" ct status dnat ip saddr \(subnet) masquerade"
        case let .isolate(from, to):
            return "iifname \"\(from)\" oifname \"\(to)\" drop"
        case let .confine(bridge, outbound):
            return outbound ? "iifname \"\(bridge)\" oifname != \"\(bridge)\" drop" : "oifname \"\(bridge)\" iifname != \"\(bridge)\" drop"
        }
    }

    /// The expressions, in the order of `text`; bad names, addresses or ports are refused here,
    /// before anything reaches the kernel.
    func expressions() throws(LighterError) -> [NftExpression] {
        switch self {
        case let .publish(binding, address):
            var match: [NftExpression] = []
            if !binding.hostIP.isEmpty {
                match += Self.destination(try IPv4Address(parsing: binding.hostIP, what: "published host address"))
            }
            match += try Self.destinationPort(binding.proto, binding.hostPort)
            return match + [.immediate(data: address.bytes, register: Nft.register1),
                            .immediate(data: try Self.port(binding.containerPort), register: Nft.register2),
                            .destinationNAT()]
        case .publishWhenLocal:
            // RTN_LOCAL (2), as the fib expression stores it: a host-order u32.
            return [.fibDestinationType(), .compare(.equal, data: NetlinkMessage.bytes(of: UInt32(2))), .verdict(.jump(Self.publishChain))]
        case let .masqueradeLeaving(subnet, bridge):
            return Self.source(subnet) + (try Self.interface(.interfaceOut, bridge, .notEqual)) + [.masquerade]
        case let .masqueradeLoopback(bridge):
            return try Self.interface(.interfaceOut, bridge, .equal) + Self.source(IPv4Subnet(address: IPv4Address(0x7f00_0000), prefix: 8)) + [.masquerade]
        case let .masqueradeHairpin(subnet, bridge):
            // ct status & IPS_DST_NAT (0x20) != 0
            let dnat: [NftExpression] = [.conntrackStatus(), .bitwise(mask: NetlinkMessage.bytes(of: UInt32(0x20)), xor: [0, 0, 0, 0]),
                                         .compare(.notEqual, data: [0, 0, 0, 0])]
            return try Self.interface(.interfaceOut, bridge, .equal) + dnat + Self.source(subnet) + [.masquerade]
        case let .isolate(from, to):
            return try Self.interface(.interfaceIn, from, .equal) + Self.interface(.interfaceOut, to, .equal) + [.verdict(.drop)]
        case let .confine(bridge, outbound):
            return outbound
                ? try Self.interface(.interfaceIn, bridge, .equal) + Self.interface(.interfaceOut, bridge, .notEqual) + [.verdict(.drop)]
                : try Self.interface(.interfaceOut, bridge, .equal) + Self.interface(.interfaceIn, bridge, .notEqual) + [.verdict(.drop)]
        }
    }

    // MARK: matches

    /// `iifname|oifname [!=] "NAME"`: the name NUL-padded to IFNAMSIZ, as the kernel stores it.
    static func interface(_ key: NftExpression.MetaKey, _ name: String, _ comparison: NftExpression.Comparison) throws(LighterError) -> [NftExpression] {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count), !bytes.contains(0), !bytes.contains(UInt8(ascii: "/")) else {
            throw .invalidArgument("interface name \"\(name)\" (\(bytes.count) bytes) cannot be matched: Linux names have 1 to 15 bytes, without \"/\"")
        }
        return [.meta(key), .compare(comparison, data: bytes + [UInt8](repeating: 0, count: 16 - bytes.count))]
    }

    /// `ip saddr SUBNET`: whole bytes of the prefix compared directly, as nft does; other
    /// prefixes through a mask.
    static func source(_ subnet: IPv4Subnet) -> [NftExpression] {
        let network = subnet.network.bytes
        if subnet.prefix % 8 == 0 {
            let length = subnet.prefix / 8
            return [.payload(.network, offset: 12, length: UInt32(length)), .compare(.equal, data: Array(network.prefix(length)))]
        }
        return [.payload(.network, offset: 12, length: 4), .bitwise(mask: IPv4Address(subnet.mask).bytes, xor: [0, 0, 0, 0]),
                .compare(.equal, data: network)]
    }

    /// `ip daddr ADDRESS`.
    static func destination(_ address: IPv4Address) -> [NftExpression] {
        [.payload(.network, offset: 16, length: 4), .compare(.equal, data: address.bytes)]
    }

    /// `tcp|udp dport N`: the protocol first, then the port (network order).
    static func destinationPort(_ proto: String, _ port: Int) throws(LighterError) -> [NftExpression] {
        let number: UInt8
        switch proto {
        case "tcp": number = 6
        case "udp": number = 17
        default: throw .invalidArgument("published port protocol \"\(proto)\": expected tcp or udp")
        }
        return [.meta(.l4Protocol), .compare(.equal, data: [number]),
                .payload(.transport, offset: 2, length: 2), .compare(.equal, data: try Self.port(port))]
    }

    static func port(_ port: Int) throws(LighterError) -> [UInt8] {
        guard (1...65535).contains(port) else { throw .invalidArgument("port \(port) is out of range 1-65535") }
        return [UInt8(port >> 8), UInt8(port & 0xff)]
    }
}
