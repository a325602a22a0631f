/// Lighter's whole nftables table (`ip lighter`), written from the store's state and loaded in one
/// atomic transaction. It never names another table: a firewall or Docker's iptables rules stay as
/// they are.
///
/// - postrouting: masquerade what leaves a network's subnet for elsewhere; masquerade published
///   traffic that came from 127.0.0.0/8 (needs route_localnet on the bridge) or from a container
///   of the same network (hairpin), so replies come back through the NAT.
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

    /// The script for `nft -f`: create-then-delete makes the delete safe when the table is absent.
    public var script: String {
        var lines = ["table ip \(Self.table)", "delete table ip \(Self.table)", "table ip \(Self.table) {"]
        lines.append("  chain publish {")
        for (binding, address) in ports {
            let destination = binding.hostIP.isEmpty ? "" : "ip daddr \(binding.hostIP) "
            lines.append("    \(destination)\(binding.proto) dport \(binding.hostPort) dnat to \(address):\(binding.containerPort)")
        }
        lines.append("  }")
        lines.append("  chain prerouting {")
        lines.append("    type nat hook prerouting priority dstnat; policy accept;")
        lines.append("    fib daddr type local jump publish")
        lines.append("  }")
        lines.append("  chain output {")
        lines.append("    type nat hook output priority -100; policy accept;")
        lines.append("    fib daddr type local jump publish")
        lines.append("  }")
        lines.append("  chain postrouting {")
        lines.append("    type nat hook postrouting priority srcnat; policy accept;")
        for network in networks {
            lines.append("    ip saddr \(network.subnet) oifname != \"\(network.bridge)\" masquerade")
            lines.append("    oifname \"\(network.bridge)\" ip saddr 127.0.0.0/8 masquerade")
            lines.append("    oifname \"\(network.bridge)\" ct status dnat ip saddr \(network.subnet) masquerade")
        }
        lines.append("  }")
        lines.append("  chain forward {")
        lines.append("    type filter hook forward priority filter; policy accept;")
        // User networks are isolated from each other, as Docker's are.
        for a in networks {
            for b in networks where a.name != b.name {
                lines.append("    iifname \"\(a.bridge)\" oifname \"\(b.bridge)\" drop")
            }
        }
        lines.append("  }")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
