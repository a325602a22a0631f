#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// One HTTP/1.1 connection: writes requests, reads response heads and body bytes through a
/// buffer. Used by one request at a time; idle ones wait in the client's pool.
// Unchecked: the read buffer and its cursors are mutable; a connection is used by one request at a
// time — taken from and returned to the pool under its Mutex, or owned by the one `HTTPResponse` reading.
final class HTTPConnection: @unchecked Sendable {
    let endpoint: String
    let authority: String
    let transport: any Transport
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var start = 0
    private var end = 0
    private var closed = false
    /// Did any byte of a response arrive since the last request was sent? (A reused connection
    /// that fails before that was closed by the server while idle; the request is safe to resend.)
    private(set) var receivedAny = false

    init(endpoint: String, authority: String, transport: any Transport) {
        self.endpoint = endpoint
        self.authority = authority
        self.transport = transport
    }

    deinit {
        close()
        buffer.deallocate()
    }

    func close() {
        guard !closed else { return }
        closed = true
        transport.close()
    }

    /// Send the request line, headers and body.
    func send(_ request: HTTPRequest) throws(LighterError) {
        receivedAny = false
        var head = request.head()
        switch request.body {
        case .none:
            try write(head)
        case let .bytes(bytes):
            // Small bodies go out with the head in one write.
            if bytes.count <= 64 * 1024 {
                head += bytes
                try write(head)
            } else {
                try write(head)
                try write(bytes)
            }
        case let .file(path, size):
            try write(head)
            try sendFile(path, size: size)
        }
    }

    /// All of `bytes` (also a hijacked stream's writes).
    func write(_ bytes: [UInt8]) throws(LighterError) {
        let transport = self.transport
        let result: Result<Void, LighterError> = bytes.withUnsafeBytes { raw in
            do throws(LighterError) {
                try transport.write(raw)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    private func sendFile(_ path: String, size: Int64) throws(LighterError) {
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var left = size
        while left > 0 {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<Int(min(Int64(chunk.count), left))]))
            guard n > 0 else {
                throw .sizeMismatch(what: "request body \(path)", expected: size, actual: size - left)
            }
            try transport.write(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
            left -= Int64(n)
        }
    }

    /// Fill the buffer with more bytes; false when the server closed the connection.
    private func fill() throws(LighterError) -> Bool {
        if start == end {
            start = 0
            end = 0
        } else if end == buffer.count {
            guard start > 0 else { throw .registry(host: authority, message: "bad response: a header line longer than \(buffer.count) bytes") }
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
            end -= start
            start = 0
        }
        let n = try transport.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if n > 0 { receivedAny = true }
        end += n
        return n > 0
    }

    /// One line without its CRLF; nil when the connection closed before a complete line.
    func readLine() throws(LighterError) -> String? {
        var scanned = start
        while true {
            while scanned < end {
                if buffer[scanned] == UInt8(ascii: "\n") {
                    var stop = scanned
                    if stop > start, buffer[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
                    let line = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<stop]), as: UTF8.self)
                    start = scanned + 1
                    return line
                }
                scanned += 1
            }
            let consumed = start
            guard try fill() else { return nil }
            scanned -= consumed - start
        }
    }

    /// The bytes read past the response head (a hijacked stream's first bytes), handed over once.
    func takeBuffered() -> [UInt8] {
        defer { start = end }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
    }

    /// Body bytes: first what is buffered, then straight from the transport into `destination`.
    func readSome(into destination: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int {
        if start < end {
            let n = min(end - start, destination.count)
            destination.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
            start += n
            return n
        }
        let n = try transport.read(into: destination)
        if n > 0 { receivedAny = true }
        return n
    }

    /// The status line and headers of the next final (non-1xx) response; with `upgrade`, a 101
    /// (Switching Protocols) is final too.
    func readHead(upgrade: Bool = false) throws(LighterError) -> (status: Int, headers: HTTPHeaders, keepAlive: Bool) {
        while true {
            guard let statusLine = try readLine() else {
                throw .registry(host: authority, message: "connection closed before a response arrived")
            }
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...999).contains(status) else {
                throw .registry(host: authority, message: "bad response: status line \"\(statusLine.prefix(80))\" is not HTTP/1.x (is this an HTTPS port spoken to in plain HTTP?)")
            }
            var headers = HTTPHeaders()
            var size = 0
            while true {
                guard let line = try readLine() else {
                    throw .registry(host: authority, message: "connection closed in the middle of the response headers")
                }
                if line.isEmpty { break }
                size += line.utf8.count
                guard size < 256 * 1024, let colon = line.firstIndex(of: ":") else {
                    throw .registry(host: authority, message: "bad response: header line \"\(line.prefix(80))\"")
                }
                headers.add(String(line[..<colon]).trimmed, String(line[line.index(after: colon)...]).trimmed)
            }
            if (100...199).contains(status) && !(upgrade && status == 101) { continue }
            let connection = headers["Connection"]?.lowercased() ?? ""
            let keepAlive = parts[0] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
            return (status, headers, keepAlive)
        }
    }
}
