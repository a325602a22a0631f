import LighterSystem

/// The parts of `/etc/resolv.conf` the DNS stub uses: `nameserver` (up to 3), `search` / `domain`,
/// and `options ndots:N timeout:N attempts:N`.
public struct ResolvConf: Sendable, Equatable {
    public var nameservers: [IPAddress] = []
    public var search: [String] = []
    public var ndots = 1
    public var timeoutSeconds = 5
    public var attempts = 2

    public init(parsing text: String) {
        for rawLine in text.split(separator: "\n") {
            let fields = rawLine.prefix { $0 != "#" && $0 != ";" }.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let keyword = fields.first else { continue }
            switch keyword {
            case "nameserver":
                // A link-local IPv6 server may carry a zone (`fe80::1%eth0`); those are skipped.
                if fields.count > 1, nameservers.count < 3, let address = IPAddress(parsing: fields[1]) { nameservers.append(address) }
            case "search": search = Array(fields.dropFirst())
            case "domain": search = fields.count > 1 ? [fields[1]] : []
            case "options":
                for option in fields.dropFirst() {
                    guard let colon = option.firstIndex(of: ":"), let value = Int(option[option.index(after: colon)...]) else { continue }
                    switch option[..<colon] {
                    case "ndots": ndots = min(max(value, 0), 15)
                    case "timeout": timeoutSeconds = min(max(value, 1), 30)
                    case "attempts": attempts = min(max(value, 1), 5)
                    default: break
                    }
                }
            default: break
            }
        }
        // As glibc: no nameserver line means the local one.
        if nameservers.isEmpty, let local = IPAddress(parsing: "127.0.0.1") { nameservers = [local] }
    }

    public init(path: String) {
        self.init(parsing: (try? FileSystem.readString(path)) ?? "")
    }

    /// The names to ask for, in order: with fewer than `ndots` dots the search domains come first.
    public func candidates(for name: String) -> [String] {
        if name.hasSuffix(".") { return [String(name.dropLast())] }
        let withDomains = search.map { "\(name).\($0)" }
        let dots = name.filter { $0 == "." }.count
        return dots >= ndots ? [name] + withDomains : withDomains + [name]
    }
}
