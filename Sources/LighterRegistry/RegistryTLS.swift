import LighterHTTP
import LighterSystem

/// TLS settings for one registry: the system CA store, plus Docker-style per-registry files in
/// `<certsDirectory>/<host[:port]>/`: `*.crt` are extra CAs, `NAME.cert` + `NAME.key` a client certificate.
/// Insecure registries (flag, config, or loopback) skip verification.
enum RegistryTLS {
    static func configuration(for registry: String, options: RegistryOptions) throws(LighterError) -> TLSConfiguration {
        var tls = TLSConfiguration(verify: !options.isInsecure(registry),
                                   failureHint: "add its CA to \(options.certsDirectory)/\(registry)/ca.crt, or allow it with --insecure-registry")
        let directory = "\(options.certsDirectory)/\(registry)"
        guard FileSystem.isDirectory(directory) else { return tls }
        let names = try FileSystem.list(directory).sorted()
        for name in names where name.hasSuffix(".crt") {
            tls.extraCAFiles.append("\(directory)/\(name)")
        }
        for name in names where name.hasSuffix(".cert") {
            let keyName = String(name.dropLast(".cert".count)) + ".key"
            guard names.contains(keyName) else {
                throw .invalidArgument("client certificate \(directory)/\(name) has no matching key \(keyName)")
            }
            tls.clientCertificate = .init(certificateFile: "\(directory)/\(name)", keyFile: "\(directory)/\(keyName)")
        }
        return tls
    }
}
