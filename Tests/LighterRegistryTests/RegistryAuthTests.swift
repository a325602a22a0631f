import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem
import LighterTestSupport
import Testing

/// Basic auth behind TLS with a test CA, and Bearer tokens from a token server.
@Suite(.serialized) struct RegistryAuthTests {
    @Test func basicAuthOverTLSWithPerRegistryCA() async throws {
        let ca = TestCA()
        let registry = try LocalRegistry(auth: .htpasswd(user: "alice", password: "wonder land"), tls: ca)
        let certs = TestDirectory("lighter-certs")
        let source = try TestStore(certsDirectory: try ca.certsDirectory(for: registry.host, in: certs))
        let id = try source.importBusybox("busybox:test")
        let target = "\(registry.host)/secure/busybox:1"

        // No credentials: refused with a hint to log in.
        let anonymous = await lighterError { _ = try await source.push("busybox:test", as: target) }
        #expect(anonymous?.description.contains("lighter login \(registry.host)") == true, "\(String(describing: anonymous))")

        // Wrong password: login refuses it.
        let wrong = try RegistryClient(registry: registry.host, options: source.options, credentials: Credentials(username: "alice", password: "nope"))
        let refused = await lighterError { try await wrong.verifyLogin() }
        await wrong.shutdown()
        #expect(refused?.description.contains("login refused") == true, "\(String(describing: refused))")

        let right = try RegistryClient(registry: registry.host, options: source.options, credentials: Credentials(username: "alice", password: "wonder land"))
        try await right.verifyLogin()
        await right.shutdown()
        try CredentialStore(options: source.options).save(Credentials(username: "alice", password: "wonder land"), for: registry.host)
        let pushed = try await source.push("busybox:test", as: target)

        let empty = try TestStore(certsDirectory: source.options.certsDirectory)
        try CredentialStore(options: empty.options).save(Credentials(username: "alice", password: "wonder land"), for: registry.host)
        let pulled = try await empty.pull(target)
        #expect(pulled.id == id && pulled.manifestDigest == pushed)

        // Without the CA the certificate is not trusted, and the error says where to put it.
        let untrusting = try TestStore()
        try CredentialStore(options: untrusting.options).save(Credentials(username: "alice", password: "wonder land"), for: registry.host)
        let tls = await lighterError { _ = try await untrusting.pull(target) }
        #expect(tls?.description.contains("TLS") == true && tls?.description.contains("ca.crt") == true, "\(String(describing: tls))")

        // The CLI: login checks the password and stores it 0600; logout forgets it.
        let authFile = certs.sub("cli-auth/config.json")
        let environment = ["LIGHTER_AUTH_FILE": authFile]
        let bad = Run.capture([Repository.lighterBinary, "login", "--certs-dir", source.options.certsDirectory, "-u", "alice", "--password-stdin", registry.host],
                              stdin: "wrong\n", environment: environment)
        #expect(bad.status != 0 && bad.stderr.contains("login refused") && !FileSystem.exists(authFile), "\(bad.stderr)")
        let good = Run.capture([Repository.lighterBinary, "login", "--certs-dir", source.options.certsDirectory, "-u", "alice", "--password-stdin", "https://\(registry.host)/"],
                               stdin: "wonder land\n", environment: environment)
        #expect(good.status == 0 && good.stdout.contains("Login Succeeded"), "\(good.stderr)")
        #expect((FileSystem.lstatOrNil(authFile)?.st_mode ?? 0) & 0o777 == 0o600)
        #expect(try CredentialStore(options: RegistryOptions(authFile: authFile, dockerConfigFile: nil)).credentials(for: registry.host)
                == Credentials(username: "alice", password: "wonder land"))
        let logout = Run.capture([Repository.lighterBinary, "logout", registry.host], environment: environment)
        #expect(logout.status == 0 && logout.stdout.contains("Removing login credentials"))
        #expect(try CredentialStore(options: RegistryOptions(authFile: authFile, dockerConfigFile: nil)).credentials(for: registry.host) == nil)
    }

    @Test func bearerTokensScopedPerRepository() async throws {
        let tokens = try TokenServer(user: "bob", password: "builder")
        let registry = try LocalRegistry(auth: .token(realm: tokens.realm, certificate: tokens.certificate))
        let source = try TestStore()
        let id = try source.importBusybox("busybox:test")
        let target = "\(registry.host)/team/busybox:1"

        let anonymous = await lighterError { _ = try await source.push("busybox:test", as: target) }
        #expect(anonymous?.description.contains("token server") == true && anonymous?.description.contains("lighter login") == true,
                "\(String(describing: anonymous))")

        try CredentialStore(options: source.options).save(Credentials(username: "bob", password: "builder"), for: registry.host)
        let pushed = try await source.push("busybox:test", as: target)
        #expect(skopeoDigest(target, extra: ["--creds", "bob:builder"]) == pushed.description)

        let empty = try TestStore()
        try CredentialStore(options: empty.options).save(Credentials(username: "bob", password: "builder"), for: registry.host)
        #expect(try await empty.pull(target).id == id)

        let login = try RegistryClient(registry: registry.host, options: empty.options, credentials: Credentials(username: "bob", password: "builder"))
        try await login.verifyLogin()
        await login.shutdown()
        let bad = try RegistryClient(registry: registry.host, options: empty.options, credentials: Credentials(username: "bob", password: "x"))
        let refused = await lighterError { try await bad.verifyLogin() }
        await bad.shutdown()
        #expect(refused?.description.contains("check the user name and password") == true, "\(String(describing: refused))")
    }
}
