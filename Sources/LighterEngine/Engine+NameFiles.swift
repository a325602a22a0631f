#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterEmulation
import LighterNetwork
import LighterOCI
import LighterRuntime
import LighterStore
import LighterSystem

/// The files that name things for the container: /etc/hosts (its own name, peers on user networks,
/// --add-host) and resolv.conf.
extension Engine {
    /// Write the container's /etc/hosts in place (it may be bind-mounted into a running container):
    /// localhost lines, its own address and name, its user networks' other containers by name and
    /// alias, and `--add-host` entries.
    func writeHosts(_ record: ContainerRecord) throws(LighterError) {
        let hostname = record.spec.hostname ?? String(record.id.prefix(12))
        var text = Engine.hostsFile(hostname: hostname, network: record.spec.network, ownAddress: nil)
        if record.spec.usesBridge {
            let mine = try networks.store.endpoints(container: record.id)
            text = Engine.hostsFile(hostname: hostname, network: record.spec.network, ownAddress: mine.first.map { "\($0.address)" })
            for endpoint in mine where endpoint.network != NetworkRecord.defaultName {
                for peer in try networks.store.endpoints(network: endpoint.network) where peer.containerID != record.id {
                    text += "\(peer.address)\t\(([peer.containerName, String(peer.containerID.prefix(12))] + peer.aliases).joined(separator: " "))\n"
                }
            }
        }
        text += linkHostsLines(record)
        for entry in record.spec.extraHosts {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            var address = parts[1]
            if address == "host-gateway" {
                // Docker's special value: the host as the container sees it (its network's gateway).
                guard let first = try networks.store.endpoints(container: record.id).first,
                      let network = try networks.store.network(first.network) else { continue }
                address = "\(network.gateway)"
            }
            text += "\(address)\t\(parts[0])\n"
        }
        let fd = try FileDescriptor(path: "\(directory(record.id))/hosts", flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        try fd.write(text)
        try fd.close()
    }

    /// Rewrite the hosts files of every other container sharing a user network with `id`
    /// (after it joined or before it leaves).
    func refreshPeerHosts(of id: String, leaving: Bool = false) throws(LighterError) {
        var peers: Set<String> = []
        for endpoint in try networks.store.endpoints(container: id) where endpoint.network != NetworkRecord.defaultName {
            for peer in try networks.store.endpoints(network: endpoint.network) where peer.containerID != id { peers.insert(peer.containerID) }
        }
        if leaving { try networks.store.release(container: id) }
        for peer in peers {
            guard let record = try? record(peer) else { continue }
            try? writeHosts(record)
        }
    }

    static func hostsFile(hostname: String, network: String, ownAddress: String? = nil) -> String {
        if network == "host", let hosts = try? FileSystem.readString("/etc/hosts") { return hosts }
        return """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters
        \(ownAddress ?? "127.0.1.1")\t\(hostname)

        """
    }

    /// The host's resolv.conf without loopback resolvers (unreachable from the container), as Docker does.
    /// With `--dns`, its servers replace the host's; with `--dns-search`/`--dns-option`, the host's
    /// search/options lines are replaced too (`--dns-search .` means none, as Docker).
    static func resolvConf(dns: [String] = [], search: [String] = [], options: [String] = []) -> String {
        let host = (try? FileSystem.readString("/etc/resolv.conf")) ?? ""
        var lines: [String] = dns.map { "nameserver \($0)" }
        let domains = search.filter { $0 != "." }
        if !domains.isEmpty { lines.append("search " + domains.joined(separator: " ")) }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        var servers = dns.count
        for line in host.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmed
            if !search.isEmpty && (text.hasPrefix("search") || text.hasPrefix("domain")) { continue }
            if !options.isEmpty && text.hasPrefix("options") { continue }
            if text.hasPrefix("nameserver") {
                if !dns.isEmpty { continue }
                let address = text.dropFirst("nameserver".count).trimmed
                if address.hasPrefix("127.") || address == "::1" { continue }
                servers += 1
            }
            lines.append(String(line))
        }
        var result = lines.joined(separator: "\n")
        if servers == 0 { result += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n" }
        return result
    }
}
