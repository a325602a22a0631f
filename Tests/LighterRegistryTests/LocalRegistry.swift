#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport


/// A background process that is stopped (SIGTERM, then SIGKILL) and reaped when released.
final class Background: @unchecked Sendable {
    let pid: pid_t
    let log: String

    init(_ arguments: [String], log: String, environment: [String: String] = [:]) {
        self.log = log
        pid = Run.spawn(arguments, stdout: log, stderr: log + ".err", environment: environment)
    }

    func stop() {
        kill(pid, SIGTERM)
        for _ in 0..<50 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(100_000)
        }
        kill(pid, SIGKILL)
        _ = Run.wait(pid)
    }

    deinit { stop() }
}

/// Debian's `docker-registry` (distribution v2) on 127.0.0.1, configured by the test: plain, or
/// with TLS from a test CA and htpasswd Basic auth, or with Bearer tokens from a test token server.
final class LocalRegistry: @unchecked Sendable {
    enum Auth {
        case none
        case htpasswd(user: String, password: String)
        case token(realm: String, certificate: String)
    }

    let dir = TestDirectory("lighter-registry")
    let port = freePort()
    let process: Background
    /// `127.0.0.1:PORT` (or `localhost:PORT` with TLS, so that the certificate is really checked).
    let host: String
    var storage: String { dir.sub("data") }

    init(auth: Auth = .none, tls: TestCA? = nil) throws {
        var config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(dir.sub("data"))
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)

            """
        if let tls {
            config += "  tls:\n    certificate: \(tls.serverCertificate)\n    key: \(tls.serverKey)\n"
        }
        switch auth {
        case .none: break
        case let .htpasswd(user, password):
            let result = Run.capture(["htpasswd", "-Bbn", user, password])
            precondition(result.status == 0, "htpasswd failed: \(result.stderr)")
            try FileSystem.writeDurably(Array(result.stdout.utf8), to: dir.sub("htpasswd"))
            config += "auth:\n  htpasswd:\n    realm: lighter-test\n    path: \(dir.sub("htpasswd"))\n"
        case let .token(realm, certificate):
            config += "auth:\n  token:\n    realm: \(realm)\n    service: lighter-test\n    issuer: lighter-test-issuer\n    rootcertbundle: \(certificate)\n"
        }
        try FileSystem.writeDurably(Array(config.utf8), to: dir.sub("config.yml"))
        process = Background(["docker-registry", "serve", dir.sub("config.yml")], log: dir.sub("registry.log"))
        host = tls == nil ? "127.0.0.1:\(port)" : "localhost:\(port)"
        precondition(waitForPort(port), "docker-registry did not start: \((try? FileSystem.readString(dir.sub("registry.log.err"))) ?? "")")
    }

    /// The registry's file for blob `hex` (filesystem driver layout).
    func blobDataPath(_ hex: String) -> String {
        "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }
}

/// A test CA and a server certificate for localhost / 127.0.0.1, made with openssl.
final class TestCA: @unchecked Sendable {
    let dir = TestDirectory("lighter-ca")
    var caCertificate: String { dir.sub("ca.crt") }
    var serverCertificate: String { dir.sub("server.crt") }
    var serverKey: String { dir.sub("server.key") }

    init() {
        let d = dir.path
        let script = """
            set -e
            cd \(d)
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=lighter-test-ca 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext.cnf 2>/dev/null
            """
        let result = Run.sh(script)
        precondition(result.status == 0, "openssl failed: \(result.stderr)")
    }

    /// A certs directory holding this CA for `host` (`<dir>/<host>/ca.crt`).
    func certsDirectory(for host: String, in parent: TestDirectory) throws -> String {
        let dir = parent.sub("certs.d")
        try FileSystem.makeDirectories("\(dir)/\(host)")
        try FileSystem.writeDurably(try FileSystem.readFile(caCertificate), to: "\(dir)/\(host)/ca.crt")
        return dir
    }
}
