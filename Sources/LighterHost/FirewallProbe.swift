#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem
import CLighter

/// The packet-filter back ends on the running system.
public struct FirewallFacts: Sendable, Codable, Equatable {
    /// The kernel answered an nf_tables request over netlink.
    public let nftablesKernel: Bool
    /// False when the request was refused for lack of privilege (CAP_NET_ADMIN): nothing is known then.
    public var nftablesTested: Bool = true
    /// Why the nf_tables request failed, when it did.
    public let nftablesDetail: String?
    /// Tables of the legacy ip_tables back end that exist (/proc/net/ip_tables_names); nil when
    /// the legacy back end is not in the kernel (or not loaded).
    public let legacyTables: [String]?
    /// The `nft` command, if installed.
    public let nftCommand: String?
    /// The `iptables` command resolved through its symlinks (iptables-nft, iptables-legacy, ...).
    public let iptablesCommand: String?

    /// "nft" or "legacy" from the iptables command's real name.
    public var iptablesBackend: String? {
        guard let command = iptablesCommand else { return nil }
        let name = FileSystem.basename(of: command)
        if name.contains("legacy") { return "legacy" }
        if name.contains("nft") { return "nft" }
        return nil
    }

    /// The back end Lighter programs: nftables when the kernel has it, else iptables-legacy.
    public var backend: String? {
        if nftablesKernel { return "nftables" }
        if legacyTables != nil { return "iptables-legacy" }
        return nil
    }

    static let searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    public static func probe() -> FirewallFacts {
        let (nftables, detail, tested) = probeNftables()
        var legacy: [String]?
        if let text = try? FileSystem.readString("/proc/net/ip_tables_names") {
            legacy = text.split(separator: "\n").map(String.init).sorted()
        }
        return FirewallFacts(nftablesKernel: nftables, nftablesTested: tested, nftablesDetail: detail, legacyTables: legacy,
                             nftCommand: findCommand("nft"), iptablesCommand: findCommand("iptables").map(resolveAlternative))
    }

    static func findCommand(_ name: String) -> String? {
        searchPath.map { "\($0)/\(name)" }.first { path in (try? syscall("access", path) { access(path, X_OK) }) != nil }
    }

    /// Follows symlinks (iptables → /etc/alternatives/iptables → iptables-nft → xtables-nft-multi) and
    /// returns the last link whose name still starts with the command's name, which says the back end.
    static func resolveAlternative(_ path: String) -> String {
        let name = FileSystem.basename(of: path)
        var current = path, best = path
        for _ in 0..<16 {
            var buffer = [CChar](repeating: 0, count: 4096)
            let link = current
            guard let n = try? syscall("readlink", link, { readlink(link, &buffer, buffer.count - 1) }), n > 0 else { break }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : "\(FileSystem.dirname(of: current))/\(target)"
            if FileSystem.basename(of: current).hasPrefix(name) { best = current }
        }
        return best == path ? resolve(path) : best
    }

    static func resolve(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Sends NFT_MSG_GETGEN on a NETLINK_NETFILTER socket: a NEWGEN answer means nf_tables is there.
    static func probeNftables() -> (found: Bool, detail: String?, tested: Bool) {
        let netlinkNetfilter: Int32 = 12
        let fd: FileDescriptor
        do throws(LighterError) {
            fd = FileDescriptor(adopting: try syscall("socket") {
                socket(AF_NETLINK, POSIX.rawSocket | POSIX.closeOnExecSocket, netlinkNetfilter)
            })
        } catch {
            return (false, "no nfnetlink socket: \(error)", true)
        }
        let subsystemNftables: UInt16 = 10, getGeneration: UInt16 = 16, newGeneration: UInt16 = 15
        let request: UInt16 = 1, ack: UInt16 = 4
        var message: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value) { message.append(contentsOf: $0) } }
        append(UInt32(20))                                   // nlmsg_len: header 16 + nfgenmsg 4
        append(subsystemNftables << 8 | getGeneration)       // nlmsg_type
        append(request | ack)                                // nlmsg_flags
        append(UInt32(1))                                    // nlmsg_seq
        append(UInt32(0))                                    // nlmsg_pid
        message.append(contentsOf: [UInt8(AF_UNSPEC), 0, 0, 0]) // nfgenmsg: family, version, res_id
        do throws(LighterError) {
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            try syscall("setsockopt") {
                setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            }
            try syscall("send") { message.withUnsafeBytes { send(fd.rawValue, $0.baseAddress, $0.count, 0) } }
            var reply = [UInt8](repeating: 0, count: 8192)
            let n = try syscall("recv") { reply.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) } }
            guard n >= 16 else { return (false, "short netlink reply", true) }
            let type = UInt16(reply[4]) | UInt16(reply[5]) << 8
            if type == subsystemNftables << 8 | newGeneration { return (true, nil, true) }
            if type == 2, n >= 20 { // NLMSG_ERROR: int32 error follows the header
                let error = Int32(bitPattern: UInt32(reply[16]) | UInt32(reply[17]) << 8 | UInt32(reply[18]) << 16 | UInt32(reply[19]) << 24)
                if error == 0 { return (true, nil, true) }
                if -error == EPERM { return (false, "not tested: nf_tables requests need CAP_NET_ADMIN (run as root)", false) }
                return (false, "the kernel refused nf_tables requests: \(String(cString: strerror(-error)))", true)
            }
            return (false, "unexpected netlink reply type \(type)", true)
        } catch {
            return (false, "\(error)", true)
        }
    }
}
