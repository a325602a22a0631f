import LighterSystem
import NIOSSL

/// TLS settings for one registry: the system CA store, plus Docker-style per-registry files in
/// `<certsDirectory>/<host[:port]>/`: `*.crt` are extra CAs, `NAME.cert` + `NAME.key` a client certificate.
/// Insecure registries (flag, config, or loopback) skip verification.
enum RegistryTLS {
    static func configuration(for registry: String, options: RegistryOptions) throws(LighterError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if options.isInsecure(registry) { tls.certificateVerification = .none }
        let directory = "\(options.certsDirectory)/\(registry)"
        guard FileSystem.isDirectory(directory) else { return tls }
        let names = try FileSystem.list(directory)
        for name in names where name.hasSuffix(".crt") {
            tls.additionalTrustRoots.append(.file("\(directory)/\(name)"))
        }
        for name in names where name.hasSuffix(".cert") {
            let keyName = String(name.dropLast(".cert".count)) + ".key"
            guard names.contains(keyName) else {
                throw .invalidArgument("client certificate \(directory)/\(name) has no matching key \(keyName)")
            }
            do {
                let chain = try NIOSSLCertificate.fromPEMFile("\(directory)/\(name)")
                let key = try NIOSSLPrivateKey(file: "\(directory)/\(keyName)", format: .pem)
                tls.certificateChain = chain.map { .certificate($0) }
                tls.privateKey = .privateKey(key)
            } catch {
                throw .malformed(what: "client certificate \(directory)/\(name)", reason: "\(error)")
            }
        }
        return tls
    }
}
