import LighterSystem

/// nf_tables messages committed as one transaction: NFNL_MSG_BATCH_BEGIN, the messages, then
/// NFNL_MSG_BATCH_END. The kernel applies all of them or none; every message asks for an
/// acknowledgement, so a failure names the table, chain or rule the kernel refused.
struct NftBatch {
    struct Entry {
        var message: NetlinkMessage
        /// "add rule … to chain postrouting": what the error message names.
        var what: String
        /// Kernel options the message needs beyond CONFIG_NF_TABLES.
        var kernelOptions: [String]
    }

    /// The first message the kernel refused.
    struct Failure: Equatable {
        var what: String
        var errno: Int32
        var kernelOptions: [String]
        var kernelMessage: String?
    }

    private(set) var entries: [Entry] = []

    /// `add table ip NAME` (no error when it exists).
    mutating func addTable(_ name: String) {
        var message = Self.message(Nft.newTable, flags: Netlink.create)
        message.attribute(Nft.tableName, string: name)
        message.attribute(Nft.tableFlags, bigEndian: 0)
        entries.append(Entry(message: message, what: "add table ip \(name)", kernelOptions: []))
    }

    /// `delete table ip NAME`, with its chains and rules.
    mutating func deleteTable(_ name: String) {
        var message = Self.message(Nft.deleteTable, flags: 0)
        message.attribute(Nft.tableName, string: name)
        entries.append(Entry(message: message, what: "delete table ip \(name)", kernelOptions: []))
    }

    /// `add chain ip TABLE NAME [{ type T hook H priority P; policy accept; }]`.
    mutating func addChain(_ chain: NftChain, table: String) {
        var message = Self.message(Nft.newChain, flags: Netlink.create)
        message.attribute(Nft.chainTable, string: table)
        message.attribute(Nft.chainName, string: chain.name)
        var options: [String] = []
        if let base = chain.base {
            message.begin(Nft.chainHook)
            message.attribute(Nft.hookNumber, bigEndian: base.hook.rawValue)
            message.attribute(Nft.hookPriority, bigEndian: UInt32(bitPattern: base.priority))
            message.end()
            message.attribute(Nft.chainPolicy, bigEndian: Nft.accept)
            message.attribute(Nft.chainType, string: base.type)
            if base.type == "nat" { options.append("CONFIG_NFT_NAT") }
        }
        entries.append(Entry(message: message, what: "add chain ip \(table) \(chain.name)", kernelOptions: options))
    }

    /// `add rule ip TABLE CHAIN RULE` (appended).
    mutating func addRule(_ rule: NftRule, chain: String, table: String) throws(LighterError) {
        let expressions = try rule.expressions()
        var options: [String] = []
        for option in expressions.compactMap(\.kernelOption) where !options.contains(option) { options.append(option) }
        addRule(expressions, text: rule.text, chain: chain, table: table, kernelOptions: options)
    }

    mutating func addRule(_ expressions: [NftExpression], text: String, chain: String, table: String, kernelOptions: [String]) {
        var message = Self.message(Nft.newRule, flags: Netlink.create | Nft.append)
        message.attribute(Nft.ruleTable, string: table)
        message.attribute(Nft.ruleChain, string: chain)
        message.begin(Nft.ruleExpressions)
        for expression in expressions { expression.encode(into: &message) }
        message.end()
        entries.append(Entry(message: message, what: "add rule \"\(text)\" to chain \(chain) of table ip \(table)", kernelOptions: kernelOptions))
    }

    /// Send the batch and read every acknowledgement; the first refusal comes back as a `Failure`
    /// (the kernel then applied nothing). Socket errors are thrown.
    func commit(on socket: NetlinkSocket) throws(LighterError) -> Failure? {
        let messages = [Self.marker(Nft.batchBegin)] + entries.map(\.message) + [Self.marker(Nft.batchEnd)]
        let answers = try socket.exchange(batch: messages, what: "nf_tables batch")
        // An answer to the batch's start is about the whole batch (nf_tables missing, the commit refused).
        if let answer = answers[0], answer.errno != 0 {
            return Failure(what: "commit the nf_tables batch", errno: answer.errno, kernelOptions: [], kernelMessage: answer.message)
        }
        for (entry, answer) in zip(entries, answers.dropFirst()) {
            if let answer, answer.errno != 0 {
                return Failure(what: entry.what, errno: answer.errno, kernelOptions: entry.kernelOptions, kernelMessage: answer.message)
            }
        }
        if let missing = zip(entries, answers.dropFirst()).first(where: { $0.1 == nil }) {
            throw .malformed(what: "nf_tables answer", reason: "no acknowledgement for \(missing.0.what) (\(answers.compactMap { $0 }.count) of \(entries.count) messages answered)")
        }
        return nil
    }

    private static func message(_ type: UInt16, flags: UInt16) -> NetlinkMessage {
        // nfgenmsg: family, version NFNETLINK_V0, resource id 0
        NetlinkMessage(type: Nft.subsystem << 8 | type, flags: Netlink.request | Netlink.ack | flags, header: [Nft.ipv4, 0, 0, 0])
    }

    /// Batch begin/end: family AF_UNSPEC, resource id NFNL_SUBSYS_NFTABLES (big-endian).
    private static func marker(_ type: UInt16) -> NetlinkMessage {
        NetlinkMessage(type: type, flags: Netlink.request, header: [0, 0, 0, UInt8(Nft.subsystem)])
    }
}
