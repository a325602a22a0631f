/// The request head parser: pure, over bytes already read (unit-tested and fuzzed).
public enum HTTPRequestParser {
    /// Request line plus header fields, CRLFs included.
    public static let maxHeadBytes = 64 * 1024

    /// The head at the start of `buffer` and how many bytes it took; nil while incomplete.
    /// Throws once the buffer holds more than `maxHeadBytes` without a complete head.
    public static func parseHead(_ buffer: ArraySlice<UInt8>) throws(HTTPParseError) -> (HTTPRequestHead, Int)? {
        // Robustness (RFC 9112 §2.2): empty lines before a request line are skipped.
        var start = buffer.startIndex
        while start + 1 < buffer.endIndex, buffer[start] == 0x0d, buffer[start + 1] == 0x0a { start += 2 }
        guard let end = headEnd(buffer, from: start) else {
            if buffer.count > maxHeadBytes { throw .headTooLarge }
            return nil
        }
        if end - buffer.startIndex > maxHeadBytes { throw .headTooLarge }
        let lines = splitLines(buffer[start..<(end - 4)])
        guard let requestLine = lines.first else { throw .badRequest("empty request") }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .badRequest("malformed request line")
        }
        guard parts[0].allSatisfy(isTokenByte) else { throw .badRequest("malformed method") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { throw .badRequest("malformed request target") }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.hasPrefix("HTTP/") else { throw .badRequest("malformed request line") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .unsupportedVersion(version) }
        var fields: [HTTPField] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .badRequest("header line without a colon") }
            let name = line[line.startIndex..<colon]
            // No whitespace between name and colon (RFC 9112 §5.1), no obsolete line folding.
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw .badRequest("malformed header name") }
            var value = line[(colon + 1)...]
            while let c = value.first, c == 0x20 || c == 0x09 { value.removeFirst() }
            while let c = value.last, c == 0x20 || c == 0x09 { value.removeLast() }
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7f) }) else {
                throw .badRequest("control character in header \(String(decoding: name, as: UTF8.self))")
            }
            fields.append(HTTPField(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
        }
        let head = HTTPRequestHead(method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
                                   version: version, fields: fields)
        return (head, end - buffer.startIndex)
    }

    /// The index just past the blank line ending the head (`\r\n\r\n`), if present.
    static func headEnd(_ buffer: ArraySlice<UInt8>, from start: Int) -> Int? {
        var i = start
        let limit = buffer.endIndex - 3
        while i < limit {
            if buffer[i] == 0x0d && buffer[i + 1] == 0x0a && buffer[i + 2] == 0x0d && buffer[i + 3] == 0x0a { return i + 4 }
            i += 1
        }
        return nil
    }

    /// Lines split on CRLF; a bare LF or CR inside a line is refused (request smuggling).
    static func splitLines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0d, i + 1 < bytes.endIndex, bytes[i + 1] == 0x0a {
                lines.append(bytes[lineStart..<i])
                i += 2
                lineStart = i
            } else {
                i += 1
            }
        }
        lines.append(bytes[lineStart..<bytes.endIndex])
        return lines
    }

    /// RFC 9110 token characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}

/// Decodes a chunked body as it arrives (RFC 9112 §7.1): feed it bytes, it appends the payload.
public struct ChunkedDecoder: Sendable {
    enum State: Sendable, Equatable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
        case done
    }

    var state = State.size
    var line: [UInt8] = []
    public let limit: Int
    public private(set) var decodedCount = 0

    public init(limit: Int) { self.limit = limit }

    public var isDone: Bool { state == .done }

    /// Consume what it can of `input`, appending payload to `output`; returns the bytes consumed
    /// (less than all only once the body is done: the rest belongs to the next request).
    public mutating func feed(_ input: ArraySlice<UInt8>, into output: inout [UInt8]) throws(HTTPParseError) -> Int {
        var i = input.startIndex
        while i < input.endIndex, state != .done {
            switch state {
            case .size, .dataEnd, .trailer:
                let byte = input[i]
                i += 1
                if byte != 0x0a {
                    line.append(byte)
                    if line.count > 4096 { throw .badRequest("chunk line too long") }
                    continue
                }
                guard line.last == 0x0d else { throw .badRequest("chunk line not ended by CRLF") }
                line.removeLast()
                try endLine()
                line = []
            case let .data(remaining):
                let n = min(remaining, input.endIndex - i)
                decodedCount += n
                if decodedCount > limit { throw .bodyTooLarge(limit: limit) }
                output.append(contentsOf: input[i..<(i + n)])
                i += n
                state = remaining - n == 0 ? .dataEnd : .data(remaining: remaining - n)
            case .done:
                break
            }
        }
        return i - input.startIndex
    }

    private mutating func endLine() throws(HTTPParseError) {
        switch state {
        case .size:
            let sizeText = line.prefix { $0 != UInt8(ascii: ";") }
            var size = 0
            guard !sizeText.isEmpty, sizeText.count <= 15 else { throw .badRequest("malformed chunk size") }
            for byte in sizeText {
                let digit: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
                default: throw .badRequest("malformed chunk size")
                }
                size = size * 16 + digit
            }
            if decodedCount + size > limit { throw .bodyTooLarge(limit: limit) }
            state = size == 0 ? .trailer : .data(remaining: size)
        case .dataEnd:
            guard line.isEmpty else { throw .badRequest("chunk data longer than its size") }
            state = .size
        case .trailer:
            if line.isEmpty { state = .done }
        case .data, .done:
            break
        }
    }
}
