/// Numbers from linux/netfilter/nf_tables.h, nfnetlink.h, netfilter.h and nf_nat.h (stable kernel ABI).
///
/// nf_tables attributes that carry numbers (hook, priority, policy, registers, keys, offsets) are
/// big-endian, unlike rtnetlink's; the data compared against packet bytes is in packet order.
enum Nft {
    // Messages: NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_*; the batch markers belong to nfnetlink itself.
    static let subsystem: UInt16 = 10
    static let batchBegin: UInt16 = 16, batchEnd: UInt16 = 17      // NFNL_MSG_BATCH_BEGIN / END
    static let newTable: UInt16 = 0, deleteTable: UInt16 = 2, newChain: UInt16 = 3, newRule: UInt16 = 6
    static let append: UInt16 = 0x800                               // NLM_F_APPEND

    static let ipv4: UInt8 = 2                                      // NFPROTO_IPV4

    // NFTA_TABLE_*, NFTA_CHAIN_*, NFTA_HOOK_*, NFTA_RULE_*
    static let tableName: UInt16 = 1, tableFlags: UInt16 = 2
    static let chainTable: UInt16 = 1, chainName: UInt16 = 3, chainHook: UInt16 = 4, chainPolicy: UInt16 = 5, chainType: UInt16 = 7
    static let hookNumber: UInt16 = 1, hookPriority: UInt16 = 2
    static let ruleTable: UInt16 = 1, ruleChain: UInt16 = 2, ruleExpressions: UInt16 = 4

    // NFTA_LIST_ELEM, NFTA_EXPR_*, NFTA_DATA_*, NFTA_VERDICT_*
    static let listElement: UInt16 = 1
    static let expressionName: UInt16 = 1, expressionData: UInt16 = 2
    static let dataValue: UInt16 = 1, dataVerdict: UInt16 = 2
    static let verdictCode: UInt16 = 1, verdictChain: UInt16 = 2

    // Hooks (NF_INET_*) and verdicts
    enum Hook: UInt32 { case prerouting = 0, input = 1, forward = 2, output = 3, postrouting = 4 }
    static let accept: UInt32 = 1                                   // NF_ACCEPT
    static let drop: Int32 = 0                                      // NF_DROP
    static let jump: Int32 = -3                                     // NFT_JUMP

    // Registers: NFT_REG_VERDICT and the 16-byte NFT_REG_1, NFT_REG_2
    static let verdictRegister: UInt32 = 0
    static let register1: UInt32 = 1, register2: UInt32 = 2
}
