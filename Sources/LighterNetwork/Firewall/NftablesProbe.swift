#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Asks nf_tables over netlink whether a table exists (NFT_MSG_GETTABLE): a few microseconds,
/// no process started. The engine uses it to notice lost rules (a flush, a reboot) and reload.
public enum NftablesProbe {
    /// False also when the kernel has no nf_tables (no netfilter netlink, no nf_tables subsystem):
    /// the reload that follows then fails with the error that names the missing kernel options.
    public static func tableExists(_ name: String = NftRuleset.table) throws(LighterError) -> Bool {
        do {
            let socket = try NetlinkSocket(protocol: Netlink.netfilter)
            var message = NetlinkMessage(type: Netlink.getTable, flags: Netlink.request | Netlink.ack, header: [Nft.ipv4, 0, 0, 0])
            message.attribute(Nft.tableName, string: name)
            return try !socket.get(message, what: "nftables table \(name)").isEmpty
        } catch let .system(_, _, code) where code == EINVAL || NftablesSupport.meansMissing(code) {
            return false   // ENOENT: no such table; EINVAL: nfnetlink without the nf_tables subsystem
        }
    }
}
