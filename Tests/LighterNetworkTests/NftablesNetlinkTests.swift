#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import LighterNetwork
import LighterSystem
import LighterTestSupport

/// Lighter's table loaded with nf_tables netlink messages, in network namespaces the tests make
/// (never the host's ruleset); `nft` only reads the result back.
@Suite struct NftablesNetlinkTests {
    static func network(_ name: String, bridge: String, subnet: String) throws -> NetworkRecord {
        let subnet = try IPv4Subnet(parsing: subnet)
        return NetworkRecord(name: name, id: name, driver: "bridge", bridge: bridge, subnet: subnet, gateway: subnet.first, created: 0)
    }

    /// Two networks (one /16, one /20 matched through a mask) and three published ports: one on
    /// every address, one on a host address, one UDP.
    static func fullRuleset() throws -> NftRuleset {
        NftRuleset(networks: [try network("bridge", bridge: "lighter0", subnet: "172.18.0.0/16"),
                              try network("front", bridge: "ltfront0", subnet: "10.89.16.0/20")],
                   ports: [(PortBinding(proto: "tcp", hostIP: "", hostPort: 8080, containerPort: 80), IPv4Address("172.18.0.2")!),
                           (PortBinding(proto: "tcp", hostIP: "127.0.0.1", hostPort: 8443, containerPort: 443), IPv4Address("172.18.0.3")!),
                           (PortBinding(proto: "udp", hostIP: "", hostPort: 5353, containerPort: 53), IPv4Address("10.89.16.2")!)])
    }

    static let fullListing = """
        table ip lighter {
        	chain publish {
        		tcp dport 8080 dnat to 172.18.0.2:80
        		ip daddr 127.0.0.1 tcp dport 8443 dnat to 172.18.0.3:443
        		udp dport 5353 dnat to 10.89.16.2:53
        	}

        	chain prerouting {
        		type nat hook prerouting priority dstnat; policy accept;
        		fib daddr type local jump publish
        	}

        	chain output {
        		type nat hook output priority -100; policy accept;
        		fib daddr type local jump publish
        	}

        	chain postrouting {
        		type nat hook postrouting priority srcnat; policy accept;
        		ip saddr 172.18.0.0/16 oifname != "lighter0" masquerade
        		oifname "lighter0" ip saddr 127.0.0.0/8 masquerade
        		oifname "lighter0" ct status dnat ip saddr 172.18.0.0/16 masquerade
        		ip saddr 10.89.16.0/20 oifname != "ltfront0" masquerade
        		oifname "ltfront0" ip saddr 127.0.0.0/8 masquerade
        		oifname "ltfront0" ct status dnat ip saddr 10.89.16.0/20 masquerade
        	}

        	chain forward {
        		type filter hook forward priority filter; policy accept;
        		iifname "lighter0" oifname "ltfront0" drop
        		iifname "ltfront0" oifname "lighter0" drop
        	}
        }
        """

    static let smallListing = """
        table ip lighter {
        	chain publish {
        	}

        	chain prerouting {
        		type nat hook prerouting priority dstnat; policy accept;
        		fib daddr type local jump publish
        	}

        	chain output {
        		type nat hook output priority -100; policy accept;
        		fib daddr type local jump publish
        	}

        	chain postrouting {
        		type nat hook postrouting priority srcnat; policy accept;
        		ip saddr 10.89.16.0/20 oifname != "ltfront0" masquerade
        		oifname "ltfront0" ip saddr 127.0.0.0/8 masquerade
        		oifname "ltfront0" ct status dnat ip saddr 10.89.16.0/20 masquerade
        	}

        	chain forward {
        		type filter hook forward priority filter; policy accept;
        	}
        }
        """

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.trimmed) }.filter { !$0.isEmpty }
    }

    static func listing(_ ns: NetworkNamespace, debug: Bool = false) -> [String] {
        lines(ns.run(["nft"] + (debug ? ["--debug=netlink"] : []) + ["list", "table", "ip", "lighter"]).stdout)
    }

    @Test func loadReplaceAndDeleteTheTable() throws {
        let ns = NetworkNamespace()
        let fd = try FileDescriptor(path: ns.path, flags: O_RDONLY)
        let full = try Self.fullRuleset()
        try Nftables.load(full, namespace: fd)
        #expect(Self.listing(ns) == Self.lines(Self.fullListing))
        // rules.nft says the same as the kernel (its first two lines are the create-then-delete).
        #expect(Array(Self.lines(full.script).dropFirst(2)) == Self.lines(Self.fullListing))

        // Replaced whole: the second network's rules, and nothing of the first or of the ports.
        let small = NftRuleset(networks: [try Self.network("front", bridge: "ltfront0", subnet: "10.89.16.0/20")], ports: [])
        try Nftables.load(small, namespace: fd)
        #expect(Self.listing(ns) == Self.lines(Self.smallListing))
        #expect(!ns.run(["nft", "list", "ruleset"]).stdout.contains("lighter0"))

        try Nftables.deleteTable(namespace: fd)
        #expect(ns.run(["nft", "list", "tables"]).stdout.isEmpty)
        try Nftables.deleteTable(namespace: fd)   // absent: nothing to do, no error
        #expect(ns.run(["nft", "list", "tables"]).stdout.isEmpty)
    }

    @Test func sameBytecodeAsNftFromTheScript() throws {
        let ours = NetworkNamespace()
        let theirs = NetworkNamespace()
        let full = try Self.fullRuleset()
        try Nftables.load(full, namespace: try FileDescriptor(path: ours.path, flags: O_RDONLY))
        #expect(theirs.run(["nft", "-f", "-"], stdin: full.script).status == 0)
        let expressions = Self.listing(theirs, debug: true)
        #expect(expressions.contains("[ nat dnat ip addr_min reg 1 addr_max reg 1 proto_min reg 2 proto_max reg 2 flags 0x3 ]"))
        #expect(expressions.contains("[ bitwise reg 1 = ( reg 1 & 0x00f0ffff ) ^ 0x00000000 ]"))
        #expect(Self.listing(ours, debug: true) == expressions)
    }

    /// An internal network: no masquerade for its subnet, and its bridge confined both ways in `forward`;
    /// the kernel holds what nft makes of the script, expression for expression.
    @Test func internalNetworksAreConfinedAndNotMasqueraded() throws {
        var closed = try Self.network("closed", bridge: "ltclosed0", subnet: "10.89.32.0/24")
        closed.isInternal = true
        let ruleset = NftRuleset(networks: [try Self.network("bridge", bridge: "lighter0", subnet: "172.18.0.0/16"), closed], ports: [])
        #expect(ruleset.script.contains("    iifname \"ltclosed0\" oifname != \"ltclosed0\" drop\n"))
        #expect(ruleset.script.contains("    oifname \"ltclosed0\" iifname != \"ltclosed0\" drop\n"))
        #expect(!ruleset.script.contains("ip saddr 10.89.32.0/24 oifname != \"ltclosed0\" masquerade"))
        #expect(ruleset.script.contains("ip saddr 172.18.0.0/16 oifname != \"lighter0\" masquerade"))
        let ours = NetworkNamespace(), theirs = NetworkNamespace()
        try Nftables.load(ruleset, namespace: try FileDescriptor(path: ours.path, flags: O_RDONLY))
        #expect(theirs.run(["nft", "-f", "-"], stdin: ruleset.script).status == 0)
        #expect(Self.listing(ours, debug: true) == Self.listing(theirs, debug: true))
        #expect(Self.listing(ours).contains("iifname \"ltclosed0\" oifname != \"ltclosed0\" drop"))
    }

    @Test func badInputIsRefusedBeforeTheKernelAndLeavesTheTable() throws {
        let ns = NetworkNamespace()
        let fd = try FileDescriptor(path: ns.path, flags: O_RDONLY)
        try Nftables.load(try Self.fullRuleset(), namespace: fd)
        let long = NftRuleset(networks: [try Self.network("long", bridge: "lighter-too-long0", subnet: "10.89.32.0/24")], ports: [])
        #expect(throws: LighterError.invalidArgument("interface name \"lighter-too-long0\" (17 bytes) cannot be matched: Linux names have 1 to 15 bytes, without \"/\"")) {
            try Nftables.load(long, namespace: fd)
        }
        let badAddress = NftRuleset(networks: [], ports: [(PortBinding(proto: "tcp", hostIP: "127.0.0", hostPort: 80, containerPort: 80), IPv4Address("172.18.0.2")!)])
        expectError(.invalidArgument) { try Nftables.load(badAddress, namespace: fd) }
        #expect(Self.listing(ns) == Self.lines(Self.fullListing))
    }

    @Test func kernelRefusalNamesTheRuleAndKeepsThePreviousTable() throws {
        let ns = NetworkNamespace()
        let fd = try FileDescriptor(path: ns.path, flags: O_RDONLY)
        try Nftables.load(try Self.fullRuleset(), namespace: fd)
        // The replacement is valid up to its last rule, which compares with empty data.
        var batch = try NftRuleset(networks: [], ports: []).batch()
        batch.addRule([.meta(.l4Protocol), .compare(.equal, data: [])], text: "meta l4proto \"\"", chain: "publish", table: NftRuleset.table, kernelOptions: [])
        let error = expectError(.system) { try Nftables.commit(batch, namespace: fd) }
        guard case let .system(call, path, code)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(call == "nf_tables" && code == EINVAL)
        #expect(path?.hasPrefix("add rule \"meta l4proto \"\"\" to chain publish of table ip lighter") == true, "\(path ?? "")")
        // All or nothing: the delete and the new chains of that batch never happened.
        #expect(Self.listing(ns) == Self.lines(Self.fullListing))
    }

    @Test func thousandsOfPortsInOneBatch() throws {
        let ns = NetworkNamespace()
        let ports = try PortBinding.parse("20000-21999:20000-21999").map { ($0, IPv4Address("172.18.0.2")!) }
        try Nftables.load(NftRuleset(networks: [try Self.network("bridge", bridge: "lighter0", subnet: "172.18.0.0/16")], ports: ports),
                          namespace: try FileDescriptor(path: ns.path, flags: O_RDONLY))
        let listing = Self.listing(ns)
        #expect(listing.filter { $0.hasPrefix("tcp dport") }.count == 2000)
        #expect(listing.contains("tcp dport 21999 dnat to 172.18.0.2:21999"))
    }

    @Test func missingKernelSupportSaysWhatToEnable() {
        let refused = NftBatch.Failure(what: "add rule \"oifname \\\"lighter0\\\" ip saddr 127.0.0.0/8 masquerade\" to chain postrouting of table ip lighter",
                                       errno: ENOENT, kernelOptions: ["CONFIG_NFT_MASQ"], kernelMessage: nil)
        guard case let .unsupported(feature, fix) = NftablesSupport.error(for: refused, iptablesLegacy: true) else {
            Issue.record("not .unsupported")
            return
        }
        #expect(feature == "NAT and port publishing (nftables)")
        #expect(fix.hasPrefix("only iptables-legacy is available on this host; Lighter needs nftables in the kernel (CONFIG_NFT_MASQ; all of CONFIG_NF_TABLES, CONFIG_NFT_NAT, CONFIG_NFT_MASQ, CONFIG_NFT_FIB_IPV4, CONFIG_NFT_CT)"), "\(fix)")
        #expect(fix.contains("masquerade") && fix.contains("(errno \(ENOENT))"))

        let noSubsystem = NftBatch.Failure(what: "commit the nf_tables batch", errno: EOPNOTSUPP, kernelOptions: [], kernelMessage: nil)
        guard case let .unsupported(_, plain) = NftablesSupport.error(for: noSubsystem, iptablesLegacy: false) else {
            Issue.record("not .unsupported")
            return
        }
        #expect(plain.hasPrefix("enable nftables in the kernel (CONFIG_NF_TABLES, "))
        #expect(!plain.contains("iptables-legacy"))

        // Other refusals are not blamed on the kernel's configuration.
        let invalid = NftBatch.Failure(what: "add chain ip lighter forward", errno: EINVAL, kernelOptions: [], kernelMessage: "bad hook")
        #expect(NftablesSupport.error(for: invalid, iptablesLegacy: true) == .system(call: "nf_tables", path: "add chain ip lighter forward (kernel: bad hook)", errno: EINVAL))
    }

    @Test func expressionsForInterfaceNamesAndSubnets() throws {
        #expect(try NftRule.interface(.interfaceOut, "lighter0", .equal)
                == [.meta(.interfaceOut), .compare(.equal, data: Array("lighter0".utf8) + [UInt8](repeating: 0, count: 8))])
        #expect(throws: LighterError.invalidArgument("interface name \"\" (0 bytes) cannot be matched: Linux names have 1 to 15 bytes, without \"/\"")) { try NftRule.interface(.interfaceIn, "", .equal) }
        #expect(try NftRule.interface(.interfaceIn, "fifteen-bytes-x", .equal).count == 2)
        #expect(NftRule.source(try IPv4Subnet(parsing: "10.89.3.0/24")) == [.payload(.network, offset: 12, length: 3), .compare(.equal, data: [10, 89, 3])])
        #expect(throws: LighterError.invalidArgument("published port protocol \"sctp\": expected tcp or udp")) { try NftRule.publish(PortBinding(proto: "sctp", hostIP: "", hostPort: 1, containerPort: 1), to: IPv4Address(1)).expressions() }
    }
}
