/// Numbers from linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/veth.h (stable kernel ABI).
enum Netlink {
    static let route: Int32 = 0            // NETLINK_ROUTE
    static let netfilter: Int32 = 12       // NETLINK_NETFILTER
    static let getTable: UInt16 = 10 << 8 | 1   // NFNL_SUBSYS_NFTABLES, NFT_MSG_GETTABLE

    static let error: UInt16 = 2           // NLMSG_ERROR
    static let done: UInt16 = 3            // NLMSG_DONE

    static let request: UInt16 = 0x1       // NLM_F_REQUEST
    static let multi: UInt16 = 0x2         // NLM_F_MULTI
    static let ack: UInt16 = 0x4           // NLM_F_ACK
    static let dump: UInt16 = 0x300        // NLM_F_DUMP
    static let replace: UInt16 = 0x100     // NLM_F_REPLACE
    static let exclusive: UInt16 = 0x200   // NLM_F_EXCL
    static let create: UInt16 = 0x400      // NLM_F_CREATE

    static let newLink: UInt16 = 16, delLink: UInt16 = 17, getLink: UInt16 = 18
    static let newAddr: UInt16 = 20, delAddr: UInt16 = 21, getAddr: UInt16 = 22
    static let newRoute: UInt16 = 24, delRoute: UInt16 = 25, getRoute: UInt16 = 26

    // IFLA_*
    static let linkAddress: UInt16 = 1, linkName: UInt16 = 3, linkMTU: UInt16 = 4, linkMaster: UInt16 = 10
    static let linkInfo: UInt16 = 18, linkNetnsPID: UInt16 = 19, linkNetnsFD: UInt16 = 28
    static let infoKind: UInt16 = 1, infoData: UInt16 = 2
    static let vethPeer: UInt16 = 1
    // IFA_*
    static let addrAddress: UInt16 = 1, addrLocal: UInt16 = 2, addrBroadcast: UInt16 = 4
    // RTA_*
    static let routeDestination: UInt16 = 1, routeOutput: UInt16 = 4, routeGateway: UInt16 = 5, routeTable: UInt16 = 15

    static let up: UInt32 = 1              // IFF_UP
    static let inet: UInt8 = 2             // AF_INET
}
