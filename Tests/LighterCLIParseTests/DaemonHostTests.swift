import LighterHTTP
import LighterSystem
import Testing
@testable import LighterCLI

/// `lighter daemon -H tcp://…` addresses and the plain-TCP rule, without starting anything.
@Suite struct DaemonHostTests {
    func tcp(_ host: String) throws -> (String, UInt16?) {
        guard case let .tcp(ip, port) = try DaemonCommand.listener(host) else {
            Issue.record("\(host) is not a TCP listener")
            throw CancellationError()
        }
        return (ip.description, port)
    }

    @Test func tcpAddresses() throws {
        #expect(try tcp("tcp://192.0.2.1:2376") == ("192.0.2.1", 2376))
        #expect(try tcp("tcp://[::1]:2375") == ("::1", 2375))
        #expect(try tcp("tcp://:2376") == ("0.0.0.0", 2376))
        #expect(try tcp("tcp://localhost") == ("127.0.0.1", nil))
        #expect(try tcp("tcp://[fe80::1]") == ("fe80::1", nil))
        for bad in ["tcp://board.local:2376", "tcp://192.0.2.1:0", "tcp://192.0.2.1:70000", "tcp://[::1", "tcp://1.2.3.4:2376/path"] {
            #expect(throws: LighterError.self, "\(bad)") { try DaemonCommand.listener(bad) }
        }
    }

    @Test func loopbackAddresses() {
        for text in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            #expect(DaemonCommand.isLoopback(IPAddress(parsing: text)!), "\(text)")
        }
        for text in ["0.0.0.0", "10.0.0.1", "::", "::2", "128.0.0.1", "::ffff:10.0.0.1"] {
            #expect(!DaemonCommand.isLoopback(IPAddress(parsing: text)!), "\(text)")
        }
    }

    @Test func plainTCPNeedsLoopbackAndTheFlag() throws {
        func refusal(_ arguments: [String]) -> String? {
            do {
                let command = try DaemonCommand.parse(arguments)
                let tcp = try command.host.compactMap { (host) throws -> (IPAddress, String)? in
                    if case let .tcp(ip, _) = try DaemonCommand.listener(host) { return (ip, host) } else { return nil }
                }
                _ = try command.serverTLS(tcp: tcp)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(["-H", "tcp://192.0.2.1:2375"])?.contains("--tlsverify --tlscacert ca.pem") == true)
        #expect(refusal(["-H", "tcp://192.0.2.1:2375", "--plain-tcp-on-loopback"])?.contains("loopback addresses only") == true)
        #expect(refusal(["-H", "tcp://127.0.0.1:2375"])?.contains("needs --plain-tcp-on-loopback") == true)
        #expect(refusal(["-H", "unix:///run/x.sock", "-H", "tcp://127.0.0.1:2375", "--plain-tcp-on-loopback"]) == nil)
        #expect(refusal(["-H", "tcp://[::1]:2375", "--plain-tcp-on-loopback"]) == nil)
        #expect(refusal(["--tlsverify"])?.contains("no -H tcp://") == true)
        #expect(refusal(["-H", "unix:///run/x.sock", "--plain-tcp-on-loopback"])?.contains("no -H tcp://") == true)
        #expect(refusal(["-H", "tcp://192.0.2.1:2376", "--tls", "--tlscacert", "/x/ca.pem", "--tlscert", "/x/c", "--tlskey", "/x/k"])?.contains("only with --tlsverify") == true)
        #expect(refusal(["-H", "tcp://192.0.2.1:2376", "--tlsverify", "--tlscacert", "/nonexistent/ca.pem"])?.contains("no such file") == true)
    }
}
