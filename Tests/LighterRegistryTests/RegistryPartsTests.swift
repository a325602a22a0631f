#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterRegistry
import LighterSystem
import LighterTestSupport
import Testing

@Suite struct RegistryPartsTests {
    @Test func parsesBearerChallenge() {
        let challenges = AuthChallenge.parse(#"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:library/busybox:pull""#)
        #expect(challenges == [AuthChallenge(scheme: "bearer", parameters: [
            "realm": "https://auth.example.com/token", "service": "registry.example.com", "scope": "repository:library/busybox:pull"])])
    }

    @Test func parsesSeveralChallengesAndEscapes() {
        let challenges = AuthChallenge.parse(#"Basic realm="a \"quoted\" realm", Bearer realm=https://t/x,error="invalid_token""#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer"])
        #expect(challenges[0].parameters["realm"] == #"a "quoted" realm"#)
        #expect(challenges[1].parameters["realm"] == "https://t/x")
        #expect(challenges[1].parameters["error"] == "invalid_token")
    }

    @Test func loopbackRegistriesAreInsecureByDefault() {
        let options = RegistryOptions(insecureRegistries: ["registry.lan:5000"])
        #expect(options.isInsecure("127.0.0.1:5000"))
        #expect(options.isInsecure("127.3.2.1"))
        #expect(options.isInsecure("[::1]:5000"))
        #expect(options.isInsecure("registry.lan:5000"))
        #expect(!options.isInsecure("registry.lan"))
        #expect(!options.isInsecure("localhost:5000"))
        #expect(!options.isInsecure("128.0.0.1:5000"))
        #expect(!options.isInsecure("docker.io"))
    }

    @Test func credentialsFileIsPrivateAndDockerCompatible() throws {
        let dir = TestDirectory("lighter-creds")
        let options = RegistryOptions(authFile: dir.sub("lighter/config.json"), dockerConfigFile: dir.sub("docker.json"))
        let store = CredentialStore(options: options)
        #expect(try store.credentials(for: "127.0.0.1:5000") == nil)
        try store.save(Credentials(username: "alice", password: "s3:cr:et"), for: "127.0.0.1:5000")
        #expect(try store.credentials(for: "127.0.0.1:5000") == Credentials(username: "alice", password: "s3:cr:et"))
        #expect((FileSystem.lstatOrNil(options.authFile)?.st_mode ?? 0) & 0o777 == 0o600)
        let text = try FileSystem.readString(options.authFile)
        #expect(text.contains(#""127.0.0.1:5000""#) && text.contains(#""auth""#))
        // Docker's file is read for registries Lighter's lacks; docker.io under its legacy key.
        let dockerAuth = Credentials(username: "bob", password: "pw").encoded
        try FileSystem.writeDurably(Array(#"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(dockerAuth)"}}}"#.utf8), to: dir.sub("docker.json"))
        #expect(try store.credentials(for: "docker.io") == Credentials(username: "bob", password: "pw"))
        #expect(try store.remove(for: "127.0.0.1:5000"))
        #expect(try store.credentials(for: "127.0.0.1:5000") == nil)
        #expect(try !store.remove(for: "127.0.0.1:5000"))
    }

    @Test func malformedCredentialsAreNamed() throws {
        let dir = TestDirectory("lighter-creds")
        let options = RegistryOptions(authFile: dir.sub("config.json"), dockerConfigFile: nil)
        try FileSystem.writeDurably(Array(#"{"auths":{"r.example":{"auth":"!!notbase64"}}}"#.utf8), to: options.authFile)
        expectError(.malformed) { try CredentialStore(options: options).credentials(for: "r.example") }
    }
}
