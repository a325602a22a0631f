import LighterSystem

/// Host names to addresses without glibc's NSS (which a static binary cannot load): a numeric
/// address as is, then `/etc/hosts`, then the DNS stub with the servers of `/etc/resolv.conf`.
/// IPv4 addresses come before IPv6 ones.
public struct Resolver: Sendable {
    public var hostsPath: String
    public var resolvConfPath: String

    public init(hostsPath: String = "/etc/hosts", resolvConfPath: String = "/etc/resolv.conf") {
        self.hostsPath = hostsPath
        self.resolvConfPath = resolvConfPath
    }

    public func resolve(_ host: String) throws(LighterError) -> [IPAddress] {
        if let address = IPAddress(parsing: host) { return [address] }
        let fromHosts = HostsFile(path: hostsPath).addresses(of: host)
        if !fromHosts.isEmpty { return Self.ordered(fromHosts) }
        if host.lowercased() == "localhost" || host.lowercased().hasSuffix(".localhost") {
            return [IPAddress(parsing: "127.0.0.1"), IPAddress(parsing: "::1")].compactMap { $0 }
        }
        let conf = ResolvConf(path: resolvConfPath)
        let stub = DNSStub(servers: conf.nameservers.map { DNSStub.Server(address: $0) },
                           timeoutMilliseconds: conf.timeoutSeconds * 1000, attempts: conf.attempts)
        for candidate in conf.candidates(for: host) {
            if case let .addresses(addresses) = try stub.lookup(candidate) { return Self.ordered(addresses) }
        }
        throw .registry(host: host, message: "cannot resolve \(host): no such host (not in \(hostsPath); name servers \(conf.nameservers.map(\.description).joined(separator: ", ")) know no address for it)")
    }

    static func ordered(_ addresses: [IPAddress]) -> [IPAddress] {
        addresses.filter { if case .v4 = $0 { true } else { false } } + addresses.filter { if case .v6 = $0 { true } else { false } }
    }
}
