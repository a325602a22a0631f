#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterHTTP
import LighterSystem

/// `-H tcp://IP:PORT` and Docker's TLS flags: TLS with client certificates (`--tlsverify`), TLS alone
/// (`--tls`), or plain TCP on a loopback address with `--plain-tcp-on-loopback`; nothing else.
extension DaemonCommand {
    /// `tcp://IP:PORT`, `tcp://[IPv6]:PORT`, `tcp://:PORT` (every address); the port defaults to Docker's
    /// (2376 with TLS, 2375 without). Addresses, not names: `localhost` is 127.0.0.1.
    static func tcpListener(_ host: String) throws(LighterError) -> Listener {
        let rest = host.dropFirst("tcp://".count)
        var name: Substring, port: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalidArgument("-H \(host): an IPv6 address is written [ADDRESS]:PORT") }
            name = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidArgument("-H \(host): expected :PORT after ]") }
                port = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            name = rest[..<colon]
            port = rest[rest.index(after: colon)...]
        } else {
            name = rest
        }
        let ip: IPAddress?
        switch name {
        case "": ip = IPAddress(parsing: "0.0.0.0")
        case "localhost": ip = IPAddress(parsing: "127.0.0.1")
        default: ip = IPAddress(parsing: String(name))
        }
        guard let ip else { throw .invalidArgument("-H \(host): \(name) is not a numeric IP address (the daemon listens on addresses, not names)") }
        var number: UInt16?
        if let port {
            guard let value = UInt16(port), value > 0 else { throw .invalidArgument("-H \(host): \(port) is not a port (1-65535)") }
            number = value
        }
        return .tcp(ip, number)
    }

    static func isLoopback(_ ip: IPAddress) -> Bool {
        switch ip {
        case let .v4(bytes): return bytes.first == 127
        case let .v6(bytes):
            return bytes == [UInt8](repeating: 0, count: 15) + [1] || (bytes[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] && bytes[12] == 127)
        }
    }

    /// The TLS context every tcp:// listener shares (nil: plain TCP, which only loopback addresses with
    /// `--plain-tcp-on-loopback` may have). Settings that would go unused are refused.
    func serverTLS(tcp: [(IPAddress, String)]) throws(LighterError) -> TLSContext? {
        let wantsTLS = tls || tlsVerify
        guard !tcp.isEmpty else {
            if wantsTLS || tlsCACert != nil || tlsCert != nil || tlsKey != nil {
                throw .invalidArgument("--tls, --tlsverify and the certificate files apply to tcp:// listeners, and no -H tcp://IP:PORT was given")
            }
            if plainTCPOnLoopback { throw .invalidArgument("--plain-tcp-on-loopback applies to tcp:// listeners, and no -H tcp://127.0.0.1:PORT was given") }
            return nil
        }
        guard wantsTLS else {
            let guide = "serve TLS with client certificates instead: --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem (docs/BOARDS.md shows how to make them with openssl)"
            for (ip, address) in tcp {
                guard Self.isLoopback(ip) else {
                    throw .invalidArgument("-H \(address): plain TCP is allowed on loopback addresses only (127.0.0.0/8, ::1), since whoever reaches the port is root on this machine; \(guide)")
                }
                guard plainTCPOnLoopback else {
                    throw .invalidArgument("-H \(address): plain TCP without TLS needs --plain-tcp-on-loopback (whoever can connect is root on this machine); or \(guide)")
                }
            }
            return nil
        }
        if tls && !tlsVerify && tlsCACert != nil {
            throw .invalidArgument("--tlscacert checks client certificates only with --tlsverify: add --tlsverify, or drop --tlscacert")
        }
        let directory = Self.environment("DOCKER_CERT_PATH") ?? "\(Self.environment("HOME") ?? "/root")/.docker"
        let certificate = tlsCert ?? "\(directory)/cert.pem", key = tlsKey ?? "\(directory)/key.pem"
        let authority = tlsVerify ? (tlsCACert ?? "\(directory)/ca.pem") : nil
        for (flag, file) in [("--tlscert", certificate), ("--tlskey", key), ("--tlscacert", authority ?? "")] where !file.isEmpty && !FileSystem.exists(file) {
            throw .invalidArgument("\(flag) \(file): no such file (make the CA, server and client certificates as docs/BOARDS.md shows)")
        }
        return try TLSContext(server: TLSServerConfiguration(certificateFile: certificate, keyFile: key, clientCAFile: authority))
    }

    static func environment(_ name: String) -> String? {
        guard let raw = getenv(name), raw.pointee != 0 else { return nil }
        return String(cString: raw)
    }
}
