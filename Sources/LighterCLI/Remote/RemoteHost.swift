#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterHTTP
import LighterSystem

/// The Engine API a command drives instead of the local store: `-H`/`--host`, else `LIGHTER_HOST`,
/// else `DOCKER_HOST` (a value naming this machine's default socket keeps the daemonless path), with
/// Docker's TLS settings (`--tlsverify --tlscacert --tlscert --tlskey`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`).
struct RemoteHost: Sendable, Equatable {
    enum Endpoint: Sendable, Equatable {
        case unix(path: String)
        case tcp(authority: String)
        /// `ssh://[USER@]HOST[:PORT]`: each connection is `ssh … -- HOST lighter system dial-stdio`.
        case ssh(command: [String])
    }

    /// As the user wrote it (`unix:///run/x.sock`, `tcp://10.0.0.2:2376`): errors name it.
    var text: String
    var endpoint: Endpoint
    var tls: TLSConfiguration?

    /// Docker's global client flags given before the subcommand.
    struct Flags: Equatable {
        var host: String?
        var tls = false
        var tlsVerify = false
        var caCert: String?
        var cert: String?
        var key: String?
    }

    /// The global flags taken from the front of `arguments` (any order, `--flag value` or `--flag=value`).
    static func takeFlags(_ arguments: [String], into given: Flags = Flags()) -> (flags: Flags, rest: [String]) {
        var flags = given
        var rest = arguments[...]
        func value(_ name: String) -> String? {
            guard let first = rest.first else { return nil }
            if first == name, rest.count >= 2 {
                let value = rest.dropFirst().first
                rest = rest.dropFirst(2)
                return value
            }
            if name.hasPrefix("--"), first.hasPrefix(name + "=") {
                rest = rest.dropFirst()
                return String(first.dropFirst(name.count + 1))
            }
            return nil
        }
        while let first = rest.first, first.hasPrefix("-") {
            if let v = value("-H") ?? value("--host") {
                flags.host = v
            } else if first == "--tls" || first == "--tlsverify" || first == "--tlsverify=true" || first == "--tls=true" {
                if first.hasPrefix("--tlsverify") { flags.tlsVerify = true } else { flags.tls = true }
                rest = rest.dropFirst()
            } else if let v = value("--tlscacert") {
                flags.caCert = v
            } else if let v = value("--tlscert") {
                flags.cert = v
            } else if let v = value("--tlskey") {
                flags.key = v
            } else if first.hasPrefix("-H"), first.count > 2 {
                flags.host = String(first.dropFirst(first.hasPrefix("-H=") ? 3 : 2))
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return (flags, Array(rest))
    }

    /// The host to drive, or nil for the local store. `environment` looks a variable up.
    static func resolve(_ flags: Flags, environment: (String) -> String?) throws(LighterError) -> RemoteHost? {
        var text = flags.host
        if text == nil {
            for name in ["LIGHTER_HOST", "DOCKER_HOST"] {
                guard let value = environment(name), !value.isEmpty else { continue }
                if LighterCommand.localHosts.contains(value) { return nil }
                text = value
                break
            }
        }
        guard let text else { return nil }
        let certPath = environment("DOCKER_CERT_PATH").flatMap { $0.isEmpty ? nil : $0 }
        let verifyFromEnvironment = environment("DOCKER_TLS_VERIFY").map { !$0.isEmpty && $0 != "0" && $0 != "false" } ?? false
        let verify = flags.tlsVerify || verifyFromEnvironment
        let useTLS = verify || flags.tls || flags.caCert != nil || flags.cert != nil || flags.key != nil
        var tls: TLSConfiguration?
        if useTLS {
            func file(_ given: String?, _ name: String) -> String? {
                if let given { return given }
                let base = certPath ?? (environment("HOME").map { "\($0)/.docker" } ?? "")
                let path = "\(base)/\(name)"
                return FileSystem.exists(path) ? path : nil
            }
            let ca = file(flags.caCert, "ca.pem"), cert = file(flags.cert, "cert.pem"), key = file(flags.key, "key.pem")
            if verify && ca == nil {
                throw .invalidArgument("--tlsverify needs the daemon's CA certificate: give --tlscacert FILE or put ca.pem in DOCKER_CERT_PATH")
            }
            if (cert == nil) != (key == nil) {
                throw .invalidArgument("a client certificate needs both --tlscert and --tlskey")
            }
            tls = TLSConfiguration(verify: verify, extraCAFiles: ca.map { [$0] } ?? [],
                                   clientCertificate: cert.flatMap { c in key.map { TLSConfiguration.ClientCertificate(certificateFile: c, keyFile: $0) } },
                                   systemCAPaths: [])
        }
        // LIGHTER_SSH_COMMAND: the ssh program and options of your own (`ssh -F ~/.ssh/boards`), as git's GIT_SSH_COMMAND.
        let ssh = environment("LIGHTER_SSH_COMMAND").map { $0.split(separator: " ").map(String.init) }.flatMap { $0.isEmpty ? nil : $0 } ?? ["ssh"]
        return try RemoteHost(parsing: text, tls: tls, sshCommand: ssh)
    }

    init(parsing text: String, tls: TLSConfiguration?, sshCommand: [String] = ["ssh"]) throws(LighterError) {
        self.text = text
        self.tls = tls
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst(7))
            guard path.hasPrefix("/") else { throw .invalidArgument("-H \(text): a unix socket needs an absolute path (unix:///run/lighter/lighter.sock)") }
            guard tls == nil else { throw .invalidArgument("-H \(text): TLS is for tcp:// hosts, not unix sockets") }
            endpoint = .unix(path: path)
        } else if text.hasPrefix("tcp://") || text.hasPrefix("https://") || text.hasPrefix("http://") {
            var authority = String(text.drop { $0 != "/" }.dropFirst(2))
            if let slash = authority.firstIndex(of: "/") { authority = String(authority[..<slash]) }
            guard !authority.isEmpty else { throw .invalidArgument("-H \(text): no host address") }
            if !authority.contains(":") || authority.hasSuffix("]") { authority += tls == nil ? ":2375" : ":2376" }
            endpoint = .tcp(authority: authority)
        } else if text.hasPrefix("ssh://") {
            guard tls == nil else { throw .invalidArgument("-H \(text): TLS is for tcp:// hosts; ssh carries its own encryption") }
            var rest = String(text.dropFirst(6))
            if let slash = rest.firstIndex(of: "/") {
                guard rest[slash...] == "/" else { throw .invalidArgument("-H \(text): an ssh host takes no path") }
                rest = String(rest[..<slash])
            }
            var options = ["-o", "ConnectTimeout=30", "-T"]
            var target = rest
            if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
                guard let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else { throw .invalidArgument("-H \(text): bad port") }
                options += ["-p", String(port)]
                target = String(rest[..<colon])
            }
            if let at = target.lastIndex(of: "@") {
                options += ["-l", String(target[..<at])]
                target = String(target[target.index(after: at)...])
            }
            target = target.trimmingPrefix("[").description
            if target.hasSuffix("]") { target.removeLast() }
            guard !target.isEmpty, !target.hasPrefix("-") else { throw .invalidArgument("-H \(text): no host name") }
            endpoint = .ssh(command: sshCommand + options + ["--", target, "lighter", "system", "dial-stdio"])
        } else if text.hasPrefix("fd://") || text.hasPrefix("npipe://") {
            throw .unsupported(feature: "-H \(text)", fix: "use unix:// or tcp:// hosts")
        } else {
            throw .invalidArgument("-H \(text): use unix:///PATH, tcp://HOST:PORT (with --tlsverify) or ssh://USER@HOST")
        }
    }

    /// The base URL requests are made against (the Host header of a unix socket is Docker's `api.moby.localhost`).
    var baseURL: String {
        switch endpoint {
        case .unix, .ssh: return "http://api.moby.localhost"
        case let .tcp(authority): return (tls == nil ? "http://" : "https://") + authority
        }
    }
}
