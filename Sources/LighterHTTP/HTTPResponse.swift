import LighterSystem

/// A response: status and headers at once, the body read by the caller in pieces (Content-Length,
/// chunked, or until the server closes). Once the body has been read to its end the connection goes
/// back to the client's pool; a response dropped before that closes its connection.
// Unchecked: the body's framing state and byte count change as it is read; a response is read by the
// one caller that made the request (it crosses threads only as a whole, from `onThread` to its caller).
public final class HTTPResponse: @unchecked Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    /// The URL that answered (after redirects).
    public let url: HTTPURL

    enum Framing {
        case length(Int64)
        case chunked(left: Int64, first: Bool)
        case untilClose
    }

    private var connection: HTTPConnection?
    private var framing: Framing
    private let keepAlive: Bool
    private let pool: ConnectionPool
    private var received: Int64 = 0
    private let expected: Int64?

    init(status: Int, headers: HTTPHeaders, url: HTTPURL, method: String, keepAlive: Bool, connection: HTTPConnection, pool: ConnectionPool) throws(LighterError) {
        self.status = status
        self.headers = headers
        self.url = url
        self.connection = connection
        self.keepAlive = keepAlive
        self.pool = pool
        if method == "HEAD" || status == 204 || status == 304 {
            framing = .length(0)
        } else if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
            framing = .chunked(left: 0, first: true)
        } else if let text = headers["Content-Length"] {
            guard let length = Int64(text), length >= 0 else {
                throw .registry(host: url.authority, message: "bad response: Content-Length \"\(text)\"")
            }
            framing = .length(length)
        } else {
            framing = .untilClose
        }
        if case let .length(length) = framing { expected = length } else { expected = nil }
        if case .length(0) = framing { finish(reusable: true) }
    }

    deinit { connection?.close() }

    /// The body's length when the server announced it.
    public var contentLength: Int64? { expected }

    /// Read some body bytes into `destination`; 0 at the end of the body.
    public func read(into destination: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int {
        guard let connection, destination.count > 0 else { return 0 }
        do throws(LighterError) {
            switch framing {
            case let .length(left):
                let n = try connection.readSome(into: UnsafeMutableRawBufferPointer(rebasing: destination[..<Int(min(Int64(destination.count), left))]))
                guard n > 0 else {
                    throw .registry(host: url.authority, message: "connection closed after \(received) of \(expected ?? 0) bytes of the response body")
                }
                received += Int64(n)
                framing = .length(left - Int64(n))
                if left - Int64(n) == 0 { finish(reusable: true) }
                return n
            case let .chunked(left, first):
                var chunkLeft = left
                if chunkLeft == 0 {
                    if !first {
                        guard try connection.readLine() == "" else { throw chunkError("no CRLF after a chunk") }
                    }
                    guard let line = try connection.readLine() else { throw chunkError("connection closed before the next chunk") }
                    let sizeText = line.prefix { $0 != ";" && $0 != " " && $0 != "\t" }
                    guard let size = Int64(sizeText, radix: 16), size >= 0 else { throw chunkError("bad chunk size \"\(line.prefix(40))\"") }
                    if size == 0 {
                        while let trailer = try connection.readLine(), !trailer.isEmpty {}
                        finish(reusable: true)
                        return 0
                    }
                    chunkLeft = size
                }
                let n = try connection.readSome(into: UnsafeMutableRawBufferPointer(rebasing: destination[..<Int(min(Int64(destination.count), chunkLeft))]))
                guard n > 0 else { throw chunkError("connection closed in the middle of a chunk") }
                received += Int64(n)
                framing = .chunked(left: chunkLeft - Int64(n), first: false)
                return n
            case .untilClose:
                let n = try connection.readSome(into: destination)
                if n == 0 { finish(reusable: false) }
                received += Int64(n)
                return n
            }
        } catch {
            finish(reusable: false)
            throw error
        }
    }

    /// The whole body in memory; more than `limit` bytes is an error.
    public func collect(upTo limit: Int) throws(LighterError) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try read(into: chunk)
            if n == 0 { return bytes }
            guard bytes.count + n <= limit else {
                finish(reusable: false)
                throw .limitExceeded("response body from \(url.authority) is larger than \(limit) bytes")
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<n]))
        }
    }

    /// Done with this response: read a small rest of the body so that the connection can serve
    /// again, or close it.
    public func discard() {
        guard connection != nil else { return }
        if let expected, expected - received > 256 * 1024 {
            finish(reusable: false)
            return
        }
        if (try? collect(upTo: 256 * 1024)) == nil { finish(reusable: false) }
    }

    private func chunkError(_ what: String) -> LighterError {
        .registry(host: url.authority, message: "bad chunked response body: \(what)")
    }

    private func finish(reusable: Bool) {
        guard let connection else { return }
        self.connection = nil
        if reusable && keepAlive {
            pool.put(connection)
        } else {
            connection.close()
        }
    }
}
