/// One header field as the client sent it.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A request line and its header fields, as `HTTPRequestParser` read them.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent (`/v1.41/containers/json?all=1`).
    public var target: String
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    public var fields: [HTTPField]

    public init(method: String, target: String, version: String, fields: [HTTPField]) {
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
    }

    /// The first value of a header (names compared case-insensitively).
    public subscript(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// How the body is framed (RFC 9112 §6.3): chunked, a length, or none.
    public enum BodyFraming: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
    }

    public func bodyFraming() throws(HTTPParseError) -> BodyFraming {
        if let encoding = self["Transfer-Encoding"] {
            guard encoding.lowercased().split(separator: ",").map({ $0.trimmingSpaces }) == ["chunked"] else {
                throw .badRequest("unsupported Transfer-Encoding \"\(encoding)\" (only chunked is)")
            }
            if self["Content-Length"] != nil { throw .badRequest("both Transfer-Encoding and Content-Length") }
            return .chunked
        }
        let lengths = fields.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        guard let first = lengths.first else { return .none }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first.utf8.count <= 18, let n = Int(first) else {
            throw .badRequest("bad Content-Length \"\(first)\"")
        }
        return n == 0 ? .none : .length(n)
    }

    /// Whether the connection stays open after this request (HTTP/1.1 unless `Connection: close`).
    public var keepAlive: Bool {
        let connection = self["Connection"]?.lowercased() ?? ""
        if version == "HTTP/1.0" { return connection.contains("keep-alive") }
        return !connection.contains("close")
    }

    /// The path without the query, percent-decoded per segment by the router.
    public var path: Substring { target.prefix { $0 != "?" } }

    /// The query parameters, percent-decoded (`+` is a space, as Go's url.ParseQuery reads it).
    public var query: [String: [String]] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var result: [String: [String]] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(parts[0], plusIsSpace: true)
            let value = parts.count > 1 ? Self.percentDecode(parts[1], plusIsSpace: true) : ""
            result[key, default: []].append(value)
        }
        return result
    }

    /// `%2F` → `/`; malformed escapes are kept as they are.
    public static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2, let high = hexValue(input[input.startIndex]), let low = hexValue(input[input.startIndex + 1]) {
                bytes.append(high << 4 | low)
                input = input.dropFirst(2)
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}

/// Why a request cannot be served; each maps to the status the client gets.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// 400: malformed request line, header or body framing.
    case badRequest(String)
    /// 431: the head is larger than `HTTPRequestParser.maxHeadBytes`.
    case headTooLarge
    /// 413: the body is larger than the server accepts.
    case bodyTooLarge(limit: Int)
    /// 505: not HTTP/1.0 or 1.1.
    case unsupportedVersion(String)

    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .headTooLarge: return 431
        case .bodyTooLarge: return 413
        case .unsupportedVersion: return 505
        }
    }

    public var message: String {
        switch self {
        case let .badRequest(reason): return "bad request: \(reason)"
        case .headTooLarge: return "request header fields larger than \(HTTPRequestParser.maxHeadBytes / 1024) KiB"
        case let .bodyTooLarge(limit): return "request body larger than \(limit / (1024 * 1024)) MiB"
        case let .unsupportedVersion(version): return "HTTP version \(version) not supported (HTTP/1.1 is)"
        }
    }
}
