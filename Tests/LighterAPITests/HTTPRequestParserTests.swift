import LighterAPI
import Testing

@Suite struct HTTPRequestParserTests {
    func parse(_ text: String) throws(HTTPParseError) -> (HTTPRequestHead, Int)? {
        try HTTPRequestParser.parseHead(Array(text.utf8)[...])
    }

    @Test func completeHeadWithQuery() throws {
        let text = "GET /v1.41/containers/json?all=1&filters=%7B%22status%22%3A%5B%22exited%22%5D%7D HTTP/1.1\r\nHost: docker\r\nUser-Agent:  Docker-Client/20.10 \r\n\r\nrest"
        let (head, length) = try #require(try parse(text))
        #expect(head.method == "GET")
        #expect(head.path == "/v1.41/containers/json")
        #expect(head["user-agent"] == "Docker-Client/20.10")
        #expect(head.query["all"] == ["1"])
        #expect(head.query["filters"] == ["{\"status\":[\"exited\"]}"])
        #expect(length == text.utf8.count - 4)
        #expect(head.keepAlive)
        #expect(try head.bodyFraming() == .none)
    }

    @Test func incompleteHeadWaitsForMore() throws {
        #expect(try parse("GET /_ping HTTP/1.1\r\nHost: x\r\n") == nil)
        #expect(try parse("") == nil)
    }

    @Test func malformedHeadsAreRefused() {
        for text in ["GARBAGE\r\n\r\n", "GET /\r\n\r\n", "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
                     "GET / HTTP/1.1\r\n folded: x\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET / FTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nA: b\u{1}c\r\n\r\n"] {
            #expect(throws: HTTPParseError.self, "\(text.debugDescription)") { try parse(text) }
        }
        #expect(throws: HTTPParseError.unsupportedVersion("HTTP/2.0")) { try parse("GET / HTTP/2.0\r\n\r\n") }
    }

    @Test func oversizedHeadsAreRefusedWithoutWaitingForTheEnd() {
        let big = "GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: HTTPRequestParser.maxHeadBytes)
        #expect(throws: HTTPParseError.headTooLarge) { try parse(big) }
        #expect(throws: HTTPParseError.headTooLarge) { try parse(big + "\r\n\r\n") }
        #expect(HTTPParseError.headTooLarge.status == 431)
    }

    @Test func bodyFraming() throws {
        func framing(_ fields: String) throws -> HTTPRequestHead.BodyFraming {
            try #require(try parse("POST /x HTTP/1.1\r\n\(fields)\r\n")).0.bodyFraming()
        }
        #expect(try framing("Content-Length: 12\r\n") == .length(12))
        #expect(try framing("Content-Length: 0\r\n") == .none)
        #expect(try framing("Transfer-Encoding: chunked\r\n") == .chunked)
        #expect(throws: HTTPParseError.self) { try framing("Content-Length: -1\r\n") }
        #expect(throws: HTTPParseError.self) { try framing("Content-Length: 1\r\nContent-Length: 2\r\n") }
        #expect(throws: HTTPParseError.self) { try framing("Transfer-Encoding: gzip\r\n") }
        #expect(throws: HTTPParseError.self) { try framing("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n") }
    }

    @Test func connectionPersistence() throws {
        #expect(try #require(try parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(try parse("GET / HTTP/1.0\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(try parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).0.keepAlive)
    }

    @Test func chunkedBodiesDecodeInAnyPieces() throws {
        let wire = Array("4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT".utf8)
        for split in [1, 3, 7, wire.count] {
            var decoder = ChunkedDecoder(limit: 1024)
            var body: [UInt8] = []
            var offset = 0
            while offset < wire.count && !decoder.isDone {
                let end = min(offset + split, wire.count)
                offset += try decoder.feed(wire[offset..<end], into: &body)
                if offset < end { break }
            }
            #expect(decoder.isDone)
            #expect(String(decoding: body, as: UTF8.self) == "Wikipedia in \r\n\r\nchunks.")
            #expect(String(decoding: wire[offset...], as: UTF8.self) == "NEXT")
        }
    }

    @Test func chunkedBodiesAreBoundedAndChecked() {
        var decoder = ChunkedDecoder(limit: 8)
        var body: [UInt8] = []
        #expect(throws: HTTPParseError.bodyTooLarge(limit: 8)) { try decoder.feed(Array("10\r\n".utf8)[...], into: &body) }
        var bad = ChunkedDecoder(limit: 100)
        #expect(throws: HTTPParseError.self) { try bad.feed(Array("zz\r\n".utf8)[...], into: &body) }
        var long = ChunkedDecoder(limit: 100)
        #expect(throws: HTTPParseError.self) { try long.feed(Array("2\r\nabc\r\n".utf8)[...], into: &body) }
    }

    @Test func stdcopyFramesRoundTrip() {
        let framed = StdCopy.frame(.stdout, Array("hi\n".utf8)) + StdCopy.frame(.stderr, Array("oops".utf8)) + [1, 0]
        #expect(Array(framed.prefix(8)) == [1, 0, 0, 0, 0, 0, 0, 3])
        let (frames, rest) = StdCopy.unframe(framed)
        #expect(frames.map(\.0) == [1, 2])
        #expect(frames.map { String(decoding: $0.1, as: UTF8.self) } == ["hi\n", "oops"])
        #expect(rest == [1, 0])
    }
}
