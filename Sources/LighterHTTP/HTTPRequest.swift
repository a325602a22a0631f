/// One HTTP/1.1 request. Bodies are replayable (bytes, or a file read again), so a request can be
/// resent after an authentication challenge, a redirect or a stale keep-alive connection.
public struct HTTPRequest: Sendable {
    public enum Body: Sendable {
        case none
        case bytes([UInt8])
        /// `size` bytes of the file at `path`, streamed with that Content-Length.
        case file(path: String, size: Int64)
    }

    public var method: String
    public var url: HTTPURL
    public var headers: HTTPHeaders
    public var body: Body

    public init(method: String = "GET", url: HTTPURL, headers: HTTPHeaders = HTTPHeaders(), body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    var contentLength: Int64? {
        switch body {
        case .none: return ["POST", "PUT", "PATCH"].contains(method) ? 0 : nil
        case let .bytes(bytes): return Int64(bytes.count)
        case let .file(_, size): return size
        }
    }

    /// The request line and header section.
    func head() -> [UInt8] {
        var text = "\(method) \(url.target) HTTP/1.1\r\n"
        if headers["Host"] == nil { text += "Host: \(url.authority)\r\n" }
        if headers["User-Agent"] == nil { text += "User-Agent: lighter\r\n" }
        for (name, value) in headers where !HTTPHeaders.same(name, "Content-Length") {
            text += "\(name): \(value)\r\n"
        }
        if let length = contentLength { text += "Content-Length: \(length)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}
