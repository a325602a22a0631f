#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Turns the kernel's refusal of an nf_tables batch into an error a user can act on: missing
/// kernel support becomes `.unsupported` naming the options (and saying so when the host only
/// has iptables-legacy); anything else names the table, chain or rule and the errno.
enum NftablesSupport {
    /// What Lighter's table needs from the kernel.
    static let kernelOptions = ["CONFIG_NF_TABLES", "CONFIG_NFT_NAT", "CONFIG_NFT_MASQ", "CONFIG_NFT_FIB_IPV4", "CONFIG_NFT_CT"]

    /// Errnos of a kernel without the feature: no netfilter netlink (EPROTONOSUPPORT), no
    /// nf_tables subsystem (EOPNOTSUPP), no IPv4 family (EAFNOSUPPORT), no module for a chain
    /// type or an expression (ENOENT).
    static func meansMissing(_ code: Int32) -> Bool {
        [EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT, ENOENT].contains(code)
    }

    /// The error for a refused batch, given what the host has.
    static func error(for failure: NftBatch.Failure, iptablesLegacy: Bool) -> LighterError {
        if meansMissing(failure.errno) {
            return missing(what: failure.what, errno: failure.errno, kernelOptions: failure.kernelOptions, iptablesLegacy: iptablesLegacy)
        }
        let said = failure.kernelMessage.map { " (kernel: \($0))" } ?? ""
        return .system(call: "nf_tables", path: failure.what + said, errno: failure.errno)
    }

    /// Missing kernel support for `what`: which options to enable, and whether only the legacy
    /// back end is there.
    static func missing(what: String, errno code: Int32, kernelOptions needed: [String], iptablesLegacy: Bool) -> LighterError {
        let refused = "the kernel refused to \(what): \(String(cString: strerror(code))) (errno \(code))"
        let first = needed.isEmpty ? "" : "\(needed.joined(separator: ", ")); all of "
        let options = "\(first)\(kernelOptions.joined(separator: ", "))"
        if iptablesLegacy {
            return .unsupported(feature: "NAT and port publishing (nftables)",
                                fix: "only iptables-legacy is available on this host; Lighter needs nftables in the kernel (\(options)); \(refused)")
        }
        return .unsupported(feature: "NAT and port publishing (nftables)",
                            fix: "enable nftables in the kernel (\(options)); \(refused)")
    }

    /// Does the host have the legacy back end: its command, or its tables in the kernel?
    static func iptablesLegacyPresent() -> Bool {
        ["/usr/sbin/iptables-legacy", "/sbin/iptables-legacy"].contains { (path: String) -> Bool in
            (try? syscall("access", path) { access(path, X_OK) }) != nil
        }
            || FileSystem.exists("/proc/net/ip_tables_names")
    }
}
