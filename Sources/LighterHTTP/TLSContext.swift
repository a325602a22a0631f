#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMbedTLS
import LighterSystem

/// mbedTLS state shared by the connections to one host (or, on the server's side, by every connection
/// a listener accepts): the random generator, the trusted CAs, our own certificate and the TLS 1.2
/// configuration. mbedTLS is built with MBEDTLS_THREADING_C, so the generator and key may be used
/// from several threads; the rest is read-only once made.
// Unchecked: mbedTLS's structures are C pointers Swift cannot check; the above is why sharing is safe.
public final class TLSContext: @unchecked Sendable {
    let configuration: TLSConfiguration
    /// The server's side: client certificates are required (Docker's `--tlsverify`).
    public let requiresClientCertificate: Bool
    let config = UnsafeMutablePointer<mbedtls_ssl_config>.allocate(capacity: 1)
    /// Raw memory: a typed allocation would make Swift emit value witnesses for the struct
    /// (HAVEGE's state inside it is a 1024-element tuple: ~56 KB of code).
    private let entropyMemory = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<mbedtls_entropy_context>.size,
                                                                 alignment: MemoryLayout<mbedtls_entropy_context>.alignment)
    var entropy: UnsafeMutablePointer<mbedtls_entropy_context> { entropyMemory.assumingMemoryBound(to: mbedtls_entropy_context.self) }
    let random = UnsafeMutablePointer<mbedtls_ctr_drbg_context>.allocate(capacity: 1)
    let trusted = UnsafeMutablePointer<mbedtls_x509_crt>.allocate(capacity: 1)
    let ownCertificate = UnsafeMutablePointer<mbedtls_x509_crt>.allocate(capacity: 1)
    let ownKey = UnsafeMutablePointer<mbedtls_pk_context>.allocate(capacity: 1)

    private init(configuration: TLSConfiguration, requiresClientCertificate: Bool) {
        self.configuration = configuration
        self.requiresClientCertificate = requiresClientCertificate
        mbedtls_ssl_config_init(config)
        mbedtls_entropy_init(entropy)
        mbedtls_ctr_drbg_init(random)
        mbedtls_x509_crt_init(trusted)
        mbedtls_x509_crt_init(ownCertificate)
        mbedtls_pk_init(ownKey)
    }

    /// The random generator and TLS 1.2 defaults for a client (`MBEDTLS_SSL_IS_CLIENT`) or a server.
    private func prepare(endpoint: Int32, authority: String) throws(LighterError) {
        let personal = Array("lighter".utf8)
        try Self.check(mbedtls_ctr_drbg_seed(random, mbedtls_entropy_func, entropy, personal, personal.count), "seeding the TLS random generator", authority)
        try Self.check(mbedtls_ssl_config_defaults(config, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT),
                       "setting up TLS", authority)
        mbedtls_ssl_conf_rng(config, mbedtls_ctr_drbg_random, random)
        mbedtls_ssl_conf_min_version(config, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3)
    }

    /// The server's side: our certificate and key, and the CA client certificates must come from.
    /// Errors name the file and the flag it came from (`--tlscert`, `--tlskey`, `--tlscacert`).
    public convenience init(server: TLSServerConfiguration) throws(LighterError) {
        self.init(configuration: TLSConfiguration(verify: false, systemCAPaths: []), requiresClientCertificate: server.clientCAFile != nil)
        func check(_ rc: Int32, _ what: String) throws(LighterError) {
            if rc != 0 { throw .invalidArgument("\(what): \(Self.describe(rc))") }
        }
        try check(mbedtls_x509_crt_parse_file(ownCertificate, server.certificateFile), "--tlscert \(server.certificateFile) is not a usable PEM certificate")
        try check(mbedtls_pk_parse_keyfile(ownKey, server.keyFile, nil), "--tlskey \(server.keyFile) is not a usable PEM private key (unencrypted)")
        try check(mbedtls_pk_check_pair(&ownCertificate.pointee.pk, ownKey), "--tlskey \(server.keyFile) is not the key of --tlscert \(server.certificateFile)")
        do throws(LighterError) { try prepare(endpoint: MBEDTLS_SSL_IS_SERVER, authority: "server") } catch { throw .invalidArgument("\(error)") }
        try check(mbedtls_ssl_conf_own_cert(config, ownCertificate, ownKey), "using --tlscert \(server.certificateFile)")
        if let ca = server.clientCAFile {
            let rc = mbedtls_x509_crt_parse_file(trusted, ca)
            if rc != 0 { throw .invalidArgument("--tlscacert \(ca) is not a usable PEM CA certificate: \(rc < 0 ? Self.describe(rc) : "\(rc) of its certificates do not parse")") }
            mbedtls_ssl_conf_ca_chain(config, trusted, nil)
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED)
        } else {
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_NONE)
        }
    }

    convenience init(_ configuration: TLSConfiguration, authority: String) throws(LighterError) {
        self.init(configuration: configuration, requiresClientCertificate: false)
        try prepare(endpoint: MBEDTLS_SSL_IS_CLIENT, authority: authority)
        if configuration.verify {
            try loadTrusted(authority: authority)
            mbedtls_ssl_conf_ca_chain(config, trusted, nil)
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_REQUIRED)
        } else {
            mbedtls_ssl_conf_authmode(config, MBEDTLS_SSL_VERIFY_NONE)
        }
        if let client = configuration.clientCertificate {
            let what = "client certificate \(client.certificateFile)"
            try Self.check(mbedtls_x509_crt_parse_file(ownCertificate, client.certificateFile), "reading \(what)", authority)
            try Self.check(mbedtls_pk_parse_keyfile(ownKey, client.keyFile, nil), "reading client key \(client.keyFile)", authority)
            try Self.check(mbedtls_ssl_conf_own_cert(config, ownCertificate, ownKey), "using \(what)", authority)
        }
    }

    deinit {
        mbedtls_ssl_config_free(config)
        mbedtls_ctr_drbg_free(random)
        mbedtls_entropy_free(entropy)
        mbedtls_x509_crt_free(trusted)
        mbedtls_x509_crt_free(ownCertificate)
        mbedtls_pk_free(ownKey)
        config.deallocate()
        random.deallocate()
        entropyMemory.deallocate()
        trusted.deallocate()
        ownCertificate.deallocate()
        ownKey.deallocate()
    }

    /// The system bundle (or directory) and the extra CA files. A bundle in which some
    /// certificates do not parse still counts (mbedTLS returns how many failed).
    private func loadTrusted(authority: String) throws(LighterError) {
        var loaded = false
        for path in configuration.systemCAPaths where FileSystem.exists(path) {
            let rc = FileSystem.isDirectory(path) ? mbedtls_x509_crt_parse_path(trusted, path) : mbedtls_x509_crt_parse_file(trusted, path)
            if rc >= 0 { loaded = true; break }
        }
        for file in configuration.extraCAFiles {
            let rc = mbedtls_x509_crt_parse_file(trusted, file)
            if rc < 0 {
                throw .registry(host: authority, message: "cannot use CA certificate \(file): \(Self.describe(rc))")
            }
            loaded = true
        }
        if !loaded {
            throw .registry(host: authority, message: "no trusted CA certificates: none of \(configuration.systemCAPaths.joined(separator: ", ")) could be read (install ca-certificates)")
        }
    }

    static func check(_ rc: Int32, _ doing: String, _ authority: String) throws(LighterError) {
        if rc != 0 { throw .registry(host: authority, message: "\(doing) failed: \(describe(rc))") }
    }

    /// mbedTLS's own words for an error code.
    static func describe(_ rc: Int32) -> String {
        var text = [CChar](repeating: 0, count: 256)
        mbedtls_strerror(rc, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
