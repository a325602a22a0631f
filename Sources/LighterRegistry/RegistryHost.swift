/// Where a registry named in a reference is reached.
public enum RegistryHost {
    /// The API host for a reference's registry (`docker.io` is served at `registry-1.docker.io`).
    public static func apiHost(for registry: String) -> String {
        registry == "docker.io" ? "registry-1.docker.io" : registry
    }

    /// The name credentials are stored under (Docker keeps docker.io's under its old index URL).
    public static func credentialKey(for registry: String) -> String {
        registry == "docker.io" ? "https://index.docker.io/v1/" : registry
    }

    /// `host[:port]` split; IPv6 literals come bracketed (`[::1]:5000`).
    static func hostname(of registry: String) -> String {
        if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") {
            return String(registry[registry.index(after: registry.startIndex)..<close])
        }
        if let colon = registry.lastIndex(of: ":"), registry.firstIndex(of: ":") == colon {
            return String(registry[..<colon])
        }
        return registry
    }

    /// An IP literal in 127.0.0.0/8 or ::1 (Docker allows these without TLS by default).
    public static func isLoopback(_ registry: String) -> Bool {
        let host = hostname(of: registry)
        if host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}
