#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Asks nf_tables over netlink whether a table exists (NFT_MSG_GETTABLE): a few microseconds,
/// no process started. The engine uses it to notice lost rules (a flush, a reboot) and reload.
public enum NftablesProbe {
    public static func tableExists(_ name: String = NftRuleset.table) throws(LighterError) -> Bool {
        let socket = try NetlinkSocket(protocol: Netlink.netfilter)
        var message = NetlinkMessage(type: Netlink.getTable, flags: Netlink.request | Netlink.ack, header: [2, 0, 0, 0])   // NFPROTO_IPV4
        message.attribute(1, string: name)   // NFTA_TABLE_NAME
        do {
            return try !socket.get(message, what: "nftables table \(name)").isEmpty
        } catch .system(_, _, ENOENT) {
            return false
        }
    }
}
