/// Lighter's whole nftables table (`ip lighter`), written from the store's state and loaded in one
/// atomic transaction. It never names another table: a firewall or Docker's iptables rules stay as
/// they are.
///
/// - postrouting: masquerade what leaves a network's subnet for elsewhere; masquerade published
///   traffic that came from 127.0.0.0/8 (needs route_localnet on the bridge) or from a container
///   of the same network (hairpin), so replies come back through the NAT.
/// - forward: user networks isolated from each other; an internal network from everything.
/// - prerouting/output: traffic to a local address on a published port is DNATed to its container
///   (output covers connections from the host itself, 127.0.0.1 included: no userland proxy).
public struct NftRuleset: Sendable {
    public static let table = "lighter"

    public var networks: [NetworkRecord]
    public var ports: [(binding: PortBinding, address: IPv4Address)]

    public init(networks: [NetworkRecord], ports: [(binding: PortBinding, address: IPv4Address)]) {
        self.networks = networks
        self.ports = ports
    }

    /// The table's chains in order (the regular chain `publish` first: the base chains jump to it).
    var chains: [NftChain] {
        var postrouting: [NftRule] = []
        for network in networks {
            if !network.isInternal { postrouting.append(.masqueradeLeaving(network.subnet, bridge: network.bridge)) }
            postrouting.append(.masqueradeLoopback(bridge: network.bridge))
            postrouting.append(.masqueradeHairpin(network.subnet, bridge: network.bridge))
        }
        // User networks are isolated from each other, as Docker's are.
        var forward: [NftRule] = []
        for a in networks {
            for b in networks where a.name != b.name { forward.append(.isolate(from: a.bridge, to: b.bridge)) }
        }
        // Internal networks (`--internal`): nothing forwarded in or out of their bridge.
        for network in networks where network.isInternal {
            forward += [.confine(bridge: network.bridge, outbound: true), .confine(bridge: network.bridge, outbound: false)]
        }
        return [
            NftChain(name: NftRule.publishChain, base: nil, rules: ports.map { NftRule.publish($0.binding, to: $0.address) }),
            NftChain(name: "prerouting", base: .init(type: "nat", hook: .prerouting, priority: -100, priorityName: "dstnat"), rules: [.publishWhenLocal]),
            NftChain(name: "output", base: .init(type: "nat", hook: .output, priority: -100, priorityName: "-100"), rules: [.publishWhenLocal]),
            NftChain(name: "postrouting", base: .init(type: "nat", hook: .postrouting, priority: 100, priorityName: "srcnat"), rules: postrouting),
            NftChain(name: "forward", base: .init(type: "filter", hook: .forward, priority: 0, priorityName: "filter"), rules: forward),
        ]
    }

    /// The table in `nft -f` syntax, kept in `<root>/network/rules.nft` for people to read (and
    /// loadable by hand: create-then-delete makes the delete safe when the table is absent).
    public var script: String {
        var lines = ["table ip \(Self.table)", "delete table ip \(Self.table)", "table ip \(Self.table) {"]
        for chain in chains {
            lines.append("  chain \(chain.name) {")
            if let base = chain.base {
                lines.append("    type \(base.type) hook \(base.hook) priority \(base.priorityName); policy accept;")
            }
            lines += chain.rules.map { "    \($0.text)" }
            lines.append("  }")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A chain of Lighter's table: a base chain (hooked, policy accept) or a regular one.
struct NftChain: Equatable {
    struct Base: Equatable {
        var type: String          // nat | filter
        var hook: Nft.Hook
        var priority: Int32
        var priorityName: String  // as `nft list` prints it
    }

    var name: String
    var base: Base?
    var rules: [NftRule]
}
