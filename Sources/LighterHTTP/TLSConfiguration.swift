/// How to speak TLS with one host: whom to trust (the system CAs plus extra CA files), which
/// client certificate to present, and whether to verify at all.
public struct TLSConfiguration: Sendable, Hashable {
    /// Verify the server's certificate chain and name. False only for registries the user marked insecure.
    public var verify: Bool
    /// Extra trusted CA certificates (PEM files), on top of the system's.
    public var extraCAFiles: [String]
    /// A client certificate (PEM chain) and its private key (PEM).
    public var clientCertificate: ClientCertificate?
    /// The system trust store: the first of these that exists (a PEM bundle or a directory of PEM files).
    public var systemCAPaths: [String]
    /// Appended to a failed certificate check (where to put a CA, which flag allows it).
    public var failureHint: String?

    public struct ClientCertificate: Sendable, Hashable {
        public var certificateFile: String
        public var keyFile: String
        public init(certificateFile: String, keyFile: String) {
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public static let defaultSystemCAPaths = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/certs"]

    public init(verify: Bool = true, extraCAFiles: [String] = [], clientCertificate: ClientCertificate? = nil,
                systemCAPaths: [String] = TLSConfiguration.defaultSystemCAPaths, failureHint: String? = nil) {
        self.verify = verify
        self.extraCAFiles = extraCAFiles
        self.clientCertificate = clientCertificate
        self.systemCAPaths = systemCAPaths
        self.failureHint = failureHint
    }
}

/// The server's side (the daemon's TCP listener, Docker's `--tls`/`--tlsverify`): its certificate chain
/// and key (PEM), and with `clientCAFile` the CA every client must present a certificate from.
public struct TLSServerConfiguration: Sendable, Hashable {
    public var certificateFile: String
    public var keyFile: String
    /// Client certificates required and verified against this CA (PEM); nil: none asked for.
    public var clientCAFile: String?

    public init(certificateFile: String, keyFile: String, clientCAFile: String? = nil) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.clientCAFile = clientCAFile
    }
}
