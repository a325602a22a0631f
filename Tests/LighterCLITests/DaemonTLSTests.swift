#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter daemon -H tcp://…` with TLS, driven from another network namespace: the daemon listens on
/// an address of a namespace the test makes, the docker CLIs run in a second one joined to it by a
/// veth pair (nothing on the host's links). Certificates are made here with the openssl CLI.
@Suite(.serialized) struct DaemonTLSTests {
    @Test(arguments: LighterDaemon.clients)
    func dockerCLIWithClientCertificateWorksFromAnotherNamespace(client: String) throws {
        let net = try TLSTestNetwork()
        let daemon = try TLSDaemon(net, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey])
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let verify = ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.clientCert, "--tlskey", net.certs.clientKey]

        let version = daemon.docker(client, verify, "version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}")
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout == "1.41 linux\n")
        let hi = daemon.docker(client, verify, "run", "--rm", "busybox", "echo", "hi")
        #expect(hi.status == 0, "\(hi.stderr)")
        #expect(hi.stdout == "hi\n")
        // Hijacked streams over TLS: stdin through attach (the CLI's CloseWrite ends it), exit codes.
        let piped = daemon.docker(client, verify, "run", "--rm", "-i", "busybox", "sh", "-c", "cat; echo done; exit 3", stdin: "through stdin\n")
        #expect(piped.stdout == "through stdin\ndone\n", "\(piped.stderr)")
        #expect(piped.status == 3)
        #expect(daemon.docker(client, verify, "run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)
        let ps = daemon.docker(client, verify, "ps", "--format", "{{.Names}} {{.Image}}")
        #expect(ps.stdout == "box busybox\n", "\(ps.stderr)")
        let exec = daemon.docker(client, verify, "exec", "-i", "box", "sh", "-c", "cat; echo err >&2; exit 6", stdin: "to exec\n")
        #expect(exec.stdout == "to exec\n", "\(exec.stderr)")
        #expect(exec.stderr == "err\n")
        #expect(exec.status == 6)
        // On a terminal (docker checks that its stdin is one for -t): raw TTY streams both ways.
        let interactive = daemon.onTerminal(client, verify, "run", "--rm", "-it", "busybox", "sh", "-c", "read x; echo got $x; exit 4", stdin: "typed\n")
        #expect(interactive.stdout.contains("got typed"), "\(interactive.stdout) \(interactive.stderr)")
        #expect(interactive.status == 4)
        let tty = daemon.onTerminal(client, verify, "exec", "-it", "box", "sh", "-c", "tty; exit 5")
        #expect(tty.stdout.contains("/dev/pts/"), "\(tty.stdout) \(tty.stderr)")
        #expect(tty.status == 5)
        // Bodies streamed until the connection closes (export, save) go through TLS too.
        let exported = daemon.lighter.root.sub("box.tar")
        #expect(daemon.docker(client, verify, "export", "-o", exported, "box").status == 0)
        #expect(Run.capture(["tar", "-tf", exported]).stdout.contains("bin/busybox"))
        let saved = daemon.lighter.root.sub("busybox.tar")
        #expect(daemon.docker(client, verify, "save", "-o", saved, "busybox").status == 0)
        #expect(Run.capture(["tar", "-tf", saved]).stdout.contains("manifest.json"))

        // Docker's environment variables instead of flags: DOCKER_CERT_PATH holds ca.pem, cert.pem, key.pem.
        let environment = ["DOCKER_HOST": "tcp://\(TLSTestNetwork.serverAddress):2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": net.certs.clientDirectory]
        let byEnvironment = daemon.dockerWithEnvironment(client, environment, "ps", "-a", "--format", "{{.Names}}")
        #expect(byEnvironment.status == 0, "\(byEnvironment.stderr)")
        #expect(byEnvironment.stdout == "box\n")
        #expect(daemon.dockerWithEnvironment(client, environment, "rm", "-f", "box").status == 0)
    }

    @Test(arguments: LighterDaemon.clients)
    func clientsWithoutAnAcceptedCertificateAreRefused(client: String) throws {
        let net = try TLSTestNetwork()
        let daemon = try TLSDaemon(net, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey])
        defer { daemon.stop() }
        // No client certificate (the server is still verified).
        let anonymous = daemon.docker(client, ["--tls", "--tlscacert", net.certs.ca], "version", "--format", "{{.Server.APIVersion}}")
        #expect(anonymous.status != 0)
        #expect(!anonymous.stdout.contains("1.41"))
        // A certificate from another CA.
        let rogue = daemon.docker(client, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.rogueCert, "--tlskey", net.certs.rogueKey],
                                  "version", "--format", "{{.Server.APIVersion}}")
        #expect(rogue.status != 0)
        #expect(!rogue.stdout.contains("1.41"))
        // Go's client keeps a certificate the server's CA list does not name to itself; openssl sends it anyway.
        let openssl = daemon.net.client.run(["timeout", "20", "openssl", "s_client", "-connect", "\(TLSTestNetwork.serverAddress):2376",
                                             "-cert", net.certs.rogueCert, "-key", net.certs.rogueKey, "-CAfile", net.certs.ca], stdin: "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
        #expect(!openssl.stdout.contains("HTTP/1.1 200"), "\(openssl.stdout)")
        // The daemon logs once its handshake thread is done, which may be after the client gave up.
        #expect(daemon.waitForLog("refused, it presented no client certificate"), "\(daemon.log())")
        #expect(daemon.waitForLog("refused, its certificate is not accepted: The certificate is not correctly signed by the trusted CA"), "\(daemon.log())")
        // Plain HTTP to the TLS port gets no API answer.
        let plain = daemon.docker(client, [], "version", "--format", "{{.Server.APIVersion}}")
        #expect(plain.status != 0)
        #expect(!plain.stdout.contains("1.41"))
        // The right certificate still works after all that.
        let good = daemon.docker(client, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.clientCert, "--tlskey", net.certs.clientKey],
                                 "version", "--format", "{{.Server.APIVersion}}")
        #expect(good.stdout == "1.41\n", "\(good.stderr)")
    }

    @Test func silentClientsAreCutOffAfterTheHandshakeTimeout() throws {
        let net = try TLSTestNetwork()
        let daemon = try TLSDaemon(net, ["--tlsverify", "--tlscacert", net.certs.ca, "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey])
        defer { daemon.stop() }
        // Connect, send nothing: the daemon (--request-timeout 2) closes the connection; cat then ends.
        let silent = net.client.run(["timeout", "20", "bash", "-c",
                                     "exec 3<>/dev/tcp/\(TLSTestNetwork.serverAddress)/2376; s=$(date +%s%N); cat <&3 >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 ))"])
        #expect(silent.status == 0, "\(silent.stderr)")
        let milliseconds = Int(silent.stdout.trimmed) ?? -1
        #expect(milliseconds >= 1_500 && milliseconds < 10_000, "\(silent.stdout)")
        #expect(daemon.waitForLog("no TLS handshake within the request timeout"), "\(daemon.log())")
    }

    @Test func tlsWithoutClientCertificatesAndPlainLoopback() throws {
        let net = try TLSTestNetwork()
        let client = LighterDaemon.clients[0]
        do {
            let daemon = try TLSDaemon(net, ["--tls", "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey])
            defer { daemon.stop() }
            // (docker CLIs want a CA file with --tls too, though they do not check the server with it)
            let version = daemon.docker(client, ["--tls", "--tlscacert", net.certs.ca], "version", "--format", "{{.Server.APIVersion}}")
            #expect(version.stdout == "1.41\n", "\(version.stderr)")
        }
        do {
            // Plain TCP on loopback with the explicit flag: served (to clients inside that namespace only).
            let daemon = try TLSDaemon(net, ["--plain-tcp-on-loopback"], tcp: "tcp://127.0.0.1:2375")
            defer { daemon.stop() }
            let version = net.server.run(["timeout", "-s", "KILL", "60", client, "-H", "tcp://127.0.0.1:2375", "version", "--format", "{{.Server.APIVersion}}"],
                                         environment: ["DOCKER_CONFIG": daemon.lighter.root.sub("docker-client"), "DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": ""])
            #expect(version.stdout == "1.41\n", "\(version.stderr)")
        }
    }

    @Test func plainTCPIsRefusedAtStartWithWhatToDo() throws {
        let net = try TLSTestNetwork()
        let lighter = Lighter()
        func start(_ arguments: String...) -> ProcessResult {
            net.server.run(["timeout", "-s", "KILL", "30", Repository.lighterBinary, "daemon", "-H", "unix://\(lighter.root.sub("d.sock"))"] + arguments,
                           environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        }
        let remote = start("-H", "tcp://\(TLSTestNetwork.serverAddress):2375")
        #expect(remote.status != 0)
        #expect(remote.stderr.contains("--tlsverify --tlscacert"), "\(remote.stderr)")
        let flagged = start("-H", "tcp://\(TLSTestNetwork.serverAddress):2375", "--plain-tcp-on-loopback")
        #expect(flagged.status != 0)
        #expect(flagged.stderr.contains("loopback addresses only"), "\(flagged.stderr)")
        let everywhere = start("-H", "tcp://:2375", "--plain-tcp-on-loopback")
        #expect(everywhere.status != 0)
        #expect(everywhere.stderr.contains("loopback addresses only"), "\(everywhere.stderr)")
        let unflagged = start("-H", "tcp://127.0.0.1:2375")
        #expect(unflagged.status != 0)
        #expect(unflagged.stderr.contains("--plain-tcp-on-loopback"), "\(unflagged.stderr)")
        let noFiles = start("-H", "tcp://\(TLSTestNetwork.serverAddress):2376", "--tlsverify", "--tlscacert", "/nonexistent/ca.pem",
                            "--tlscert", net.certs.serverCert, "--tlskey", net.certs.serverKey)
        #expect(noFiles.status != 0)
        #expect(noFiles.stderr.contains("--tlscacert /nonexistent/ca.pem: no such file"), "\(noFiles.stderr)")
        let wrongKey = start("-H", "tcp://\(TLSTestNetwork.serverAddress):2376", "--tlsverify", "--tlscacert", net.certs.ca,
                             "--tlscert", net.certs.serverCert, "--tlskey", net.certs.clientKey)
        #expect(wrongKey.status != 0)
        #expect(wrongKey.stderr.contains("is not the key of --tlscert"), "\(wrongKey.stderr)")
        let unused = start("--tlsverify")
        #expect(unused.status != 0)
        #expect(unused.stderr.contains("no -H tcp://"), "\(unused.stderr)")
        // Nothing was left listening or behind.
        #expect(!FileSystem.exists(lighter.root.sub("d.sock")))
    }
}

/// The CA, the daemon's certificate (the server address as an IP subjectAltName), a client
/// certificate, and a client certificate from a second, unrelated CA — all made with the openssl CLI.
struct TLSTestCertificates {
    let directory: TestDirectory
    var ca: String { directory.sub("ca.pem") }
    var serverCert: String { directory.sub("server-cert.pem") }
    var serverKey: String { directory.sub("server-key.pem") }
    var clientDirectory: String { directory.sub("client") }
    var clientCert: String { directory.sub("client/cert.pem") }
    var clientKey: String { directory.sub("client/key.pem") }
    var rogueCert: String { directory.sub("rogue-cert.pem") }
    var rogueKey: String { directory.sub("rogue-key.pem") }

    init(serverAddress: String) throws {
        directory = TestDirectory("lighter-tls")
        _ = try directory.directory("client")
        let d = directory.path
        let script = """
            set -e
            cd \(d)
            ca() { openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1-key.pem" -out "$1.pem" -days 2 \
                -subj "/CN=$1" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; }
            leaf() { # authority name usage san
                openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$2-key.pem" -out "$2.csr" -subj "/CN=$2"
                printf 'extendedKeyUsage=%s\\n%s' "$3" "$4" > "$2.ext"
                openssl x509 -req -in "$2.csr" -CA "$1.pem" -CAkey "$1-key.pem" -CAcreateserial -days 2 -extfile "$2.ext" -out "$2-cert.pem"
            }
            ca ca; ca other
            leaf ca server serverAuth 'subjectAltName=IP:\(serverAddress),IP:127.0.0.1'
            leaf ca client clientAuth ''
            leaf other rogue clientAuth ''
            cp ca.pem client/ca.pem; cp client-cert.pem client/cert.pem; cp client-key.pem client/key.pem
            """
        let made = Run.capture(["sh", "-c", script])
        try #require(made.status == 0, "openssl: \(made.stderr)")
    }
}

/// Two network namespaces joined by a veth pair: the daemon's (10.251.7.1) and the client's (10.251.7.2).
final class TLSTestNetwork: @unchecked Sendable {
    static let serverAddress = "10.251.7.1"
    let server = NetworkNamespace()
    let client = NetworkNamespace()
    let certs: TLSTestCertificates

    init() throws {
        certs = try TLSTestCertificates(serverAddress: Self.serverAddress)
        for command in [["ip", "-n", server.name, "link", "add", "lts0", "type", "veth", "peer", "name", "ltc0", "netns", client.name],
                        ["ip", "-n", server.name, "addr", "add", "\(Self.serverAddress)/24", "dev", "lts0"],
                        ["ip", "-n", server.name, "link", "set", "lts0", "up"],
                        ["ip", "-n", client.name, "addr", "add", "10.251.7.2/24", "dev", "ltc0"],
                        ["ip", "-n", client.name, "link", "set", "ltc0", "up"]] {
            let result = Run.capture(command)
            try #require(result.status == 0, "\(command.joined(separator: " ")): \(result.stderr)")
        }
    }
}

/// `lighter daemon` in the server namespace with a unix socket (for the test's own checks) and a TCP
/// listener with the given TLS flags; the docker CLIs run in the client namespace.
final class TLSDaemon: @unchecked Sendable {
    let net: TLSTestNetwork
    let lighter = Lighter()
    let tcp: String
    private var pid: pid_t = 0

    init(_ net: TLSTestNetwork, _ flags: [String], tcp: String = "tcp://\(TLSTestNetwork.serverAddress):2376") throws {
        self.net = net
        self.tcp = tcp
        _ = try lighter.root.directory("docker-client")
        pid = net.server.spawn([Repository.lighterBinary, "daemon", "-H", "unix://\(lighter.root.sub("d.sock"))", "-H", tcp, "--request-timeout", "2"] + flags,
                               log: lighter.root.sub("daemon.log"), environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        for _ in 0..<400 {
            if log().contains("listening on") { return }
            if waitpid(pid, nil, WNOHANG) == pid { pid = 0; break }
            usleep(25_000)
        }
        if pid != 0 { Run.stop(pid) }
        throw LighterError.invalidArgument("lighter daemon did not come up: \(log())")
    }

    func log() -> String { (try? FileSystem.readString(lighter.root.sub("daemon.log"))) ?? "" }

    /// Poll the daemon's log for `text` (at most 10 s).
    func waitForLog(_ text: String) -> Bool {
        for _ in 0..<200 {
            if log().contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

    var environment: [String: String] {
        // DOCKER_CERT_PATH: an empty directory, so no default ~/.docker certificate is ever sent.
        ["DOCKER_CONFIG": lighter.root.sub("docker-client"), "DOCKER_HOST": "", "DOCKER_TLS_VERIFY": "", "DOCKER_CERT_PATH": lighter.root.sub("docker-client")]
    }

    /// A docker CLI in the client namespace with `flags` (TLS) against the daemon's TCP address.
    @discardableResult
    func docker(_ client: String, _ flags: [String], _ arguments: String..., stdin: String? = nil) -> ProcessResult {
        net.client.run(["timeout", "-s", "KILL", "60", client] + flags + ["-H", tcp] + arguments, environment: environment, stdin: stdin)
    }

    /// The same with `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH` instead of flags.
    func dockerWithEnvironment(_ client: String, _ variables: [String: String], _ arguments: String...) -> ProcessResult {
        net.client.run(["timeout", "-s", "KILL", "60", client] + arguments, environment: environment.merging(variables) { $1 })
    }

    /// On a pseudo-terminal (for -t), in the client namespace.
    func onTerminal(_ client: String, _ flags: [String], _ arguments: String..., stdin: String? = nil) -> ProcessResult {
        Run.onPseudoTerminal(["nsenter", "--net=\(net.client.path)", client] + flags + ["-H", tcp] + arguments, input: stdin, environment: environment)
    }

    func stop() {
        if pid != 0 {
            kill(pid, SIGTERM)
            _ = Run.wait(pid)
            pid = 0
        }
        let ids = lighter.run("ps", "-aq").stdout.split(separator: "\n").map(String.init)
        if !ids.isEmpty { lighter.run(["rm", "-f"] + ids) }
    }
}
