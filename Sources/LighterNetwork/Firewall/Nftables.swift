#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Loads Lighter's table with nf_tables netlink messages (what `nft -f` sends), in one atomic batch.
///
/// Why not the nft command or libnftables: no process to start (~35 ms each), no nftables package
/// to install, and Debian ships libnftables only as a shared library while the release binary is
/// static. The table is loaded only when networks change or a container with published ports
/// starts or stops, never for a plain `run` on the bridge.
public enum Nftables {
    /// Replace Lighter's table with `ruleset`, atomically: on any error the previous table stays.
    /// `namespace` (an nsfs file) loads it into another network namespace (tests).
    public static func load(_ ruleset: NftRuleset, namespace: FileDescriptor? = nil) throws(LighterError) {
        try commit(try ruleset.batch(), namespace: namespace)
    }

    /// Remove Lighter's table; nothing happens when it is absent.
    public static func deleteTable(namespace: FileDescriptor? = nil) throws(LighterError) {
        try commit(NftRuleset.deletion, namespace: namespace)
    }

    static func commit(_ batch: NftBatch, namespace: FileDescriptor?) throws(LighterError) {
        let socket: NetlinkSocket
        do throws(LighterError) {
            if let namespace {
                socket = try NetlinkSocket(namespace: namespace, protocol: Netlink.netfilter)
            } else {
                socket = try NetlinkSocket(protocol: Netlink.netfilter)
            }
        } catch let .system(_, _, code) where NftablesSupport.meansMissing(code) {
            throw NftablesSupport.missing(what: "open a netfilter netlink socket", errno: code, kernelOptions: ["CONFIG_NETFILTER_NETLINK"],
                                          iptablesLegacy: NftablesSupport.iptablesLegacyPresent())
        }
        guard let failure = try batch.commit(on: socket) else { return }
        throw NftablesSupport.error(for: failure, iptablesLegacy: NftablesSupport.iptablesLegacyPresent())
    }
}
