#if canImport(Glibc)
import Glibc
#endif
import LighterHTTP
import LighterSystem
import LighterTestSupport
import Testing

/// The blocking HTTP/1.1 client on its own: body framings, redirects, TLS name checks.
@Suite(.serialized) struct HTTPClientTests {
    private func get(_ client: HTTPClient, _ url: String, headers: [(String, String)] = []) throws(LighterError) -> (status: Int, body: [UInt8]) {
        let response = try client.execute(HTTPRequest(url: try HTTPURL(parsing: url), headers: HTTPHeaders(headers)))
        return (response.status, try response.collect(upTo: 1 << 20))
    }

    @Test func chunkedUntilCloseAndLengthBodies() throws {
        let server = try HTTPTestServer()
        let client = HTTPClient()
        defer { client.close() }
        let chunked = try get(client, "\(server.base)/chunked")
        #expect(chunked.status == 200 && chunked.body == HTTPTestServer.chunkedBody)
        let closing = try get(client, "\(server.base)/close")
        #expect(closing.status == 200 && String(decoding: closing.body, as: UTF8.self) == "until the end")
        // Keep-alive: the same connection serves several requests in a row.
        for _ in 0..<3 {
            let sized = try get(client, "\(server.base)/length")
            #expect(sized.status == 200 && String(decoding: sized.body, as: UTF8.self) == "twelve bytes")
        }
        // Read in small pieces, a chunked body arrives the same.
        let response = try client.execute(HTTPRequest(url: try HTTPURL(parsing: "\(server.base)/chunked")))
        var pieces: [UInt8] = []
        let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 7, alignment: 1)
        defer { small.deallocate() }
        while case let n = try response.read(into: small), n > 0 { pieces += small[..<n] }
        #expect(pieces == HTTPTestServer.chunkedBody)
    }

    @Test func redirectToAnotherHostDropsAuthorization() throws {
        let server = try HTTPTestServer()
        let client = HTTPClient()
        defer { client.close() }
        let auth = [("Authorization", "Bearer secret")]
        let other = try get(client, "\(server.base)/to-other", headers: auth)
        #expect(other.status == 200 && String(decoding: other.body, as: UTF8.self) == "auth=none host=localhost:\(server.port)")
        let same = try get(client, "\(server.base)/to-same", headers: auth)
        #expect(same.status == 200 && String(decoding: same.body, as: UTF8.self) == "auth=Bearer secret host=127.0.0.1:\(server.port)")
        expectError(.registry) { _ = try get(client, "\(server.base)/loop") }
        do {
            _ = try get(client, "\(server.base)/loop")
        } catch {
            #expect(error.description.contains("more than 5 redirects"), "\(error)")
        }
    }

    @Test func refusedConnectionIsNamed() throws {
        let port = freePort()
        do {
            _ = try get(HTTPClient(), "http://127.0.0.1:\(port)/")
            Issue.record("connected to a closed port")
        } catch {
            #expect(error == .registry(host: "127.0.0.1:\(port)", message: "cannot connect to 127.0.0.1:\(port): connection refused"), "\(error)")
        }
    }

    @Test func silentServerTimesOut() throws {
        // A listening socket that never answers: the connection is accepted by the kernel, no byte comes back.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length) } }
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) } }
        #expect(listen(fd, 4) == 0)
        let port = UInt16(bigEndian: address.sin_port)
        let client = HTTPClient(configuration: .init(readTimeoutMilliseconds: 300))
        do {
            _ = try get(client, "http://127.0.0.1:\(port)/")
            Issue.record("a silent server answered")
        } catch {
            #expect(error == .registry(host: "127.0.0.1:\(port)", message: "no data for 300 ms while receiving (read timeout)"), "\(error)")
        }
    }

    @Test func tlsChecksTheServerName() throws {
        let ca = TestCA()
        let trusting = HTTPClient(configuration: .init { _ in
            TLSConfiguration(extraCAFiles: [ca.caCertificate], failureHint: "add the test CA")
        })
        defer { trusting.close() }
        // A certificate for another name, from a trusted CA: refused, and the reason said.
        let wrong = TLSTestServer(ca: ca, subjectAltNames: "DNS:wrong.example")
        do {
            _ = try get(trusting, "https://localhost:\(wrong.port)/")
            Issue.record("a certificate for wrong.example was accepted for localhost")
        } catch {
            #expect(error.description.contains("TLS certificate of localhost:\(wrong.port) not accepted")
                    && error.description.contains("Common Name") && error.description.contains("add the test CA"), "\(error)")
        }
        // A numeric host must be an IP SAN of the certificate.
        do {
            _ = try get(trusting, "https://127.0.0.1:\(wrong.port)/")
            Issue.record("a certificate without IP SANs was accepted for 127.0.0.1")
        } catch {
            #expect(error.description.contains("not accepted"), "\(error)")
        }
        // The right names: accepted by name and by address.
        let right = TLSTestServer(ca: ca, subjectAltNames: "DNS:localhost,IP:127.0.0.1")
        #expect(try get(trusting, "https://localhost:\(right.port)/").status == 200)
        #expect(try get(trusting, "https://127.0.0.1:\(right.port)/").status == 200)
        // Without the CA, the chain is not trusted; with verification off it is accepted.
        do {
            _ = try get(HTTPClient(), "https://localhost:\(right.port)/")
            Issue.record("an unknown CA was trusted")
        } catch {
            #expect(error.description.contains("not correctly signed by the trusted CA"), "\(error)")
        }
        let insecure = HTTPClient(configuration: .init { _ in TLSConfiguration(verify: false) })
        #expect(try get(insecure, "https://localhost:\(wrong.port)/").status == 200)
    }

    @Test func urlsAndLocations() throws {
        let url = try HTTPURL(parsing: "https://[::1]:5000/v2/x/blobs/uploads/abc?state=1")
        #expect(url.host == "::1" && url.port == 5000 && url.authority == "[::1]:5000" && url.target == "/v2/x/blobs/uploads/abc?state=1")
        #expect(try HTTPURL(parsing: "http://registry.lan").target == "/")
        #expect(try HTTPURL(parsing: "http://registry.lan").port == 80)
        #expect(try url.resolving("/v2/y").description == "https://[::1]:5000/v2/y")
        #expect(try url.resolving("def").description == "https://[::1]:5000/v2/x/blobs/uploads/def")
        #expect(try url.resolving("//cdn.example/blob").description == "https://cdn.example/blob")
        #expect(try url.resolving("http://other:81/b").authority == "other:81")
        #expect(throws: LighterError.invalidArgument("URL \"ftp://x/\": only http and https are supported")) { try HTTPURL(parsing: "ftp://x/") }
        #expect(throws: LighterError.invalidArgument("URL \"http://x:99999/\": bad port \"99999\"")) { try HTTPURL(parsing: "http://x:99999/") }
    }
}
