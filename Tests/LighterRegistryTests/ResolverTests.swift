import LighterHTTP
import LighterSystem
import LighterTestSupport
import Testing

/// Name resolution without NSS: /etc/hosts, resolv.conf, and the DNS stub against a test server on 127.0.0.1.
@Suite struct ResolverTests {
    private let v4 = IPAddress(parsing: "10.1.2.3")!
    private let v6 = IPAddress(parsing: "fd00::1")!

    @Test func hostsFileLines() {
        let hosts = HostsFile(parsing: """
            # comment
            127.0.0.1\tlocalhost
            ::1     localhost ip6-localhost   # trailing comment
            192.0.2.7 Registry.LAN reg
            not-an-address bogus
            192.0.2.8
            """)
        #expect(hosts.addresses(of: "localhost") == [IPAddress(parsing: "127.0.0.1")!, IPAddress(parsing: "::1")!])
        #expect(hosts.addresses(of: "registry.lan") == [IPAddress(parsing: "192.0.2.7")!])
        #expect(hosts.addresses(of: "REG.") == [IPAddress(parsing: "192.0.2.7")!])
        #expect(hosts.addresses(of: "bogus").isEmpty && hosts.addresses(of: "comment").isEmpty)
    }

    @Test func resolvConfAndSearchOrder() {
        let conf = ResolvConf(parsing: """
            nameserver 192.0.2.53
            nameserver fe80::1%eth0
            nameserver 2001:db8::53
            search corp.example lan
            options ndots:2 timeout:1 attempts:3 rotate
            """)
        #expect(conf.nameservers == [IPAddress(parsing: "192.0.2.53")!, IPAddress(parsing: "2001:db8::53")!])
        #expect(conf.search == ["corp.example", "lan"] && conf.ndots == 2 && conf.timeoutSeconds == 1 && conf.attempts == 3)
        #expect(conf.candidates(for: "registry") == ["registry.corp.example", "registry.lan", "registry"])
        #expect(conf.candidates(for: "a.b.c") == ["a.b.c", "a.b.c.corp.example", "a.b.c.lan"])
        #expect(conf.candidates(for: "fqdn.") == ["fqdn"])
        #expect(ResolvConf(parsing: "").nameservers == [IPAddress(parsing: "127.0.0.1")!])
    }

    @Test func numericAndHostsBeforeDNS() throws {
        let dir = TestDirectory("lighter-resolver")
        try FileSystem.writeDurably(Array("192.0.2.7 registry.lan\n2001:db8::7 registry.lan\n".utf8), to: dir.sub("hosts"))
        // The name servers of this resolv.conf do not exist: only the hosts file can answer.
        try FileSystem.writeDurably(Array("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n".utf8), to: dir.sub("resolv.conf"))
        let resolver = Resolver(hostsPath: dir.sub("hosts"), resolvConfPath: dir.sub("resolv.conf"))
        #expect(try resolver.resolve("registry.lan") == [IPAddress(parsing: "192.0.2.7")!, IPAddress(parsing: "2001:db8::7")!])
        #expect(try resolver.resolve("198.51.100.1") == [IPAddress(parsing: "198.51.100.1")!])
        #expect(try resolver.resolve("::1") == [IPAddress(parsing: "::1")!])
        #expect(try resolver.resolve("localhost").first == IPAddress(parsing: "127.0.0.1")!)
    }

    @Test func dnsStubAgainstATestServer() throws {
        let server = try TestDNSServer()
        let stub = DNSStub(servers: [.init(address: IPAddress(parsing: "127.0.0.1")!, port: UInt16(server.port))],
                           timeoutMilliseconds: 500, attempts: 1)
        #expect(try stub.lookup("registry.test") == .addresses([v4, v6]))
        #expect(try stub.lookup("alias.test") == .addresses([v4, v6]))
        #expect(try stub.lookup("missing.test") == .noSuchName)
        do {
            _ = try stub.lookup("silent.test")
            Issue.record("a silent server gave an answer")
        } catch {
            #expect(error.description.contains("cannot resolve silent.test") && error.description.contains("did not answer"), "\(error)")
        }
        #expect(server.asked.contains("registry.test") && server.asked.contains("silent.test"))
        expectError(.registry) { try stub.lookup("bad..name") }
    }
}
