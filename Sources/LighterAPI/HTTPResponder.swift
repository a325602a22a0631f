import LighterSystem

/// How a handler answers one request: a whole response, a chunked stream, or a hijacked socket.
public final class HTTPResponder: @unchecked Sendable {
    // @unchecked: used by the connection's thread only (handlers run on it).
    public let connection: HTTPConnection
    let head: HTTPRequestHead
    /// Set once a response has started; the server answers 500 for handlers that never did.
    public private(set) var started = false
    var chunked = false
    /// False once the connection may not carry another request (hijacked, streamed until close, error).
    var reusable: Bool

    init(connection: HTTPConnection, head: HTTPRequestHead) {
        self.connection = connection
        self.head = head
        reusable = head.keepAlive
    }

    /// A whole response with a Content-Length.
    public func respond(status: Int, headers: [HTTPField] = [], body: [UInt8] = []) {
        started = true
        var fields = headers
        fields.append(HTTPField("Content-Length", String(body.count)))
        if !reusable { fields.append(HTTPField("Connection", "close")) }
        connection.write(Self.headBytes(status: status, fields: fields) + (head.method == "HEAD" ? [] : body))
    }

    /// A JSON document (Docker's compact form, newline-terminated like Go's json.Encoder).
    public func json(_ node: JSONNode, status: Int = 200, headers: [HTTPField] = []) {
        respond(status: status, headers: [HTTPField("Content-Type", "application/json")] + headers, body: node.serialized() + [0x0a])
    }

    /// Docker's error body: `{"message": "…"}`.
    public func error(_ status: Int, _ message: String) {
        json(.object(["message": .string(message)]), status: status)
    }

    /// Start a chunked stream (events, logs -f, pull progress); send pieces with `send`, close with `finish`.
    public func startStream(status: Int = 200, contentType: String) {
        started = true
        chunked = head.version == "HTTP/1.1"
        var fields = [HTTPField("Content-Type", contentType)]
        if chunked { fields.append(HTTPField("Transfer-Encoding", "chunked")) } else { reusable = false; fields.append(HTTPField("Connection", "close")) }
        connection.write(Self.headBytes(status: status, fields: fields))
    }

    /// One piece of a stream; false once the client is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        if chunked {
            return connection.write(Array(String(bytes.count, radix: 16).utf8) + [0x0d, 0x0a] + bytes + [0x0d, 0x0a])
        }
        return connection.write(bytes)
    }

    public func finish() {
        if chunked { connection.write(Array("0\r\n\r\n".utf8)) } else { reusable = false }
    }

    /// A body of unknown length written straight to the socket (`export`'s tar): `Connection: close`,
    /// the body ends with the connection.
    public func streamUntilClose(contentType: String, headers: [HTTPField] = []) -> HTTPConnection {
        started = true
        reusable = false
        connection.write(Self.headBytes(status: 200, fields: [HTTPField("Content-Type", contentType), HTTPField("Connection", "close")] + headers))
        return connection
    }

    /// Take the raw socket (Docker's attach and exec start): `101 UPGRADED` when the client asked to
    /// upgrade (`Upgrade: tcp`), else `200 OK`; the connection then carries Docker's raw stream until
    /// closed and is never used for another request.
    public func hijack(multiplexed: Bool) -> HTTPConnection {
        started = true
        reusable = false
        connection.hijacked = true
        let contentType = multiplexed ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream"
        if let upgrade = head["Upgrade"], !upgrade.isEmpty {
            connection.write(Self.headBytes(status: 101, fields: [
                HTTPField("Content-Type", contentType), HTTPField("Connection", "Upgrade"), HTTPField("Upgrade", upgrade),
            ]))
        } else {
            connection.write(Self.headBytes(status: 200, fields: [HTTPField("Content-Type", contentType)]))
        }
        return connection
    }

    static func headBytes(status: Int, fields: [HTTPField]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason(status))\r\n"
        var all = fields
        all.append(HTTPField("Server", "Lighter"))
        for field in all { text += "\(field.name): \(field.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 101: return "UPGRADED"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Payload Too Large"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}
