import LighterSystem

/// The reply parsing of the netlink socket, for tools outside the module (the fuzz targets in scripts/fuzz).
public enum NetlinkReplyParser {
    /// Walk one datagram as the socket does (`NetlinkSocket.parseReplies`): the payloads of the replies
    /// to `sequence`, and whether the exchange is over.
    public static func replies(in datagram: ArraySlice<UInt8>, sequence: UInt32, dump: Bool)
        throws(LighterError) -> (payloads: [ArraySlice<UInt8>], finished: Bool) {
        var replies: [(type: UInt16, payload: ArraySlice<UInt8>)] = []
        let finished = try NetlinkSocket.parseReplies(datagram, sequence: sequence, dump: dump, what: "netlink", into: &replies)
        return (replies.map(\.payload), finished)
    }

    /// An RTM_NEWLINK payload (ifinfomsg and attributes) as a link; nil when too short.
    public static func link(_ payload: ArraySlice<UInt8>) -> RouteNetlink.Link? { RouteNetlink.parseLink(payload) }

    /// The name (IFLA_IFNAME) and MTU attributes read from attributes after a 16-byte header.
    public static func attributes(_ payload: ArraySlice<UInt8>) -> (name: String?, mtu: UInt32?) {
        let attributes = NetlinkAttributes(payload.count >= 16 ? payload.dropFirst(16) : payload)
        return (attributes.string(Netlink.linkName), attributes.uint32(Netlink.linkMTU))
    }
}
