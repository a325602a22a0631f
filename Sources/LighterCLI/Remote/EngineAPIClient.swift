import LighterHTTP
import LighterSystem

/// A small Docker Engine API client over HTTP/1.1 (a unix socket, or TCP with TLS through mbedTLS):
/// `/_ping` negotiates the version (the lower of the daemon's `API-Version` and Lighter's), then every
/// request goes to `/vX.Y/...`. A daemon's error body (`{"message": …}`) becomes `daemonError`.
final class EngineAPIClient: Sendable {
    let host: RemoteHost
    let version: String
    private let http: HTTPClient

    /// The marker host of a `.registry` error that carries the daemon's own message.
    static let daemonHost = "Engine API daemon"

    init(host: RemoteHost, readTimeoutMilliseconds: Int = 0) throws(LighterError) {
        self.host = host
        var configuration = HTTPClient.Configuration(connectTimeoutMilliseconds: 15_000, readTimeoutMilliseconds: readTimeoutMilliseconds, maxRedirects: 0)
        if case let .unix(path) = host.endpoint { configuration.unixSocketPath = path }
        if case let .ssh(command) = host.endpoint { configuration.connectCommand = command }
        let tls = host.tls
        configuration.tls = { _ in tls ?? TLSConfiguration() }
        http = HTTPClient(configuration: configuration)
        let ping = try Self.send(http, host, HTTPRequest(method: "GET", url: try HTTPURL(parsing: host.baseURL + "/_ping")))
        let offered = ping.headers["API-Version"] ?? LighterVersion.apiVersion
        ping.discard()
        version = Self.lower(offered, LighterVersion.apiVersion)
    }

    /// "1.40" vs "1.41" by number.
    static func lower(_ a: String, _ b: String) -> String {
        func parts(_ v: String) -> [Int] { v.split(separator: ".").map { Int($0) ?? 0 } }
        return parts(a).lexicographicallyPrecedes(parts(b)) ? a : b
    }

    /// One request; a status ≥ 400 throws the daemon's message. The body is the caller's to read.
    func request(_ method: String, _ path: String, query: [(String, String)] = [], json body: [UInt8]? = nil,
                 headers: [(String, String)] = [], tolerating: Set<Int> = []) throws(LighterError) -> HTTPResponse {
        var target = "/v\(version)\(path)"
        if !query.isEmpty { target += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&") }
        var request = HTTPRequest(method: method, url: try HTTPURL(parsing: host.baseURL + target))
        for (name, value) in headers { request.headers.add(name, value) }
        if let body {
            request.headers.add("Content-Type", "application/json")
            request.body = .bytes(body)
        }
        return try Self.send(http, host, request, tolerating: tolerating)
    }

    /// A POST whose body is the file at `path` (a build context's tar); the streamed answer is the caller's.
    func upload(_ path: String, method: String = "POST", query: [(String, String)], file: String, size: Int64, contentType: String) throws(LighterError) -> HTTPResponse {
        var target = "/v\(version)\(path)"
        if !query.isEmpty { target += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&") }
        var request = HTTPRequest(method: method, url: try HTTPURL(parsing: host.baseURL + target))
        request.headers.add("Content-Type", contentType)
        request.body = .file(path: file, size: size)
        return try Self.send(http, host, request)
    }

    /// The whole body of a request that succeeded.
    func bytes(_ method: String, _ path: String, query: [(String, String)] = [], json body: [UInt8]? = nil) throws(LighterError) -> [UInt8] {
        try request(method, path, query: query, json: body).collect(upTo: 256 * 1024 * 1024)
    }

    /// A JSON document from the daemon.
    func document(_ path: String, query: [(String, String)] = []) throws(LighterError) -> JSONNode {
        try JSONNode.parse(try bytes("GET", path, query: query), what: "the daemon's answer to \(path)")
    }

    private static func send(_ http: HTTPClient, _ host: RemoteHost, _ request: HTTPRequest, tolerating: Set<Int> = []) throws(LighterError) -> HTTPResponse {
        let response: HTTPResponse
        do throws(LighterError) {
            response = try http.execute(request)
        } catch {
            throw unreachable(error, host)
        }
        guard response.status >= 400, !tolerating.contains(response.status) else { return response }
        throw failure(response)
    }

    /// Docker's "Cannot connect …" for a transport error.
    private static func unreachable(_ error: LighterError, _ host: RemoteHost) -> LighterError {
        if case .unix = host.endpoint, case let .registry(_, message) = error, message.hasPrefix("cannot connect") {
            return .registry(host: daemonHost, message: "Cannot connect to the Docker daemon at \(host.text). Is the docker daemon running?")
        }
        if case .ssh = host.endpoint, case let .registry(_, message) = error {
            return .registry(host: daemonHost, message: "Cannot connect to the Docker daemon at \(host.text). Is the docker daemon running? (through ssh: \(message))")
        }
        if case .tcp = host.endpoint, case let .registry(_, message) = error {
            return .registry(host: daemonHost, message: "Cannot connect to the Docker daemon at \(host.text). Is the docker daemon running? (\(message))")
        }
        return error
    }

    /// The daemon's message of an error response.
    private static func failure(_ response: HTTPResponse) -> LighterError {
        let body = (try? response.collect(upTo: 1024 * 1024)) ?? []
        var message = String(decoding: body, as: UTF8.self).trimmed
        if case let .object(fields)? = try? JSONNode.parse(body, what: "error"), case let .string(text)? = fields["message"] { message = text }
        if message.isEmpty { message = "status \(response.status)" }
        return .registry(host: daemonHost, message: "Error response from daemon: \(message)")
    }

    /// A hijacked stream (attach, exec start): the request's answer is 101 or 200, then raw streams.
    func hijack(_ path: String, query: [(String, String)] = [], json body: [UInt8]? = nil) throws(LighterError) -> HijackedStream {
        var target = "/v\(version)\(path)"
        if !query.isEmpty { target += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&") }
        var request = HTTPRequest(method: "POST", url: try HTTPURL(parsing: host.baseURL + target))
        if let body {
            request.headers.add("Content-Type", "application/json")
            request.body = .bytes(body)
        }
        let answer: HTTPClient.Hijacked
        do throws(LighterError) {
            answer = try http.hijack(request)
        } catch {
            throw Self.unreachable(error, host)
        }
        switch answer {
        case let .stream(stream): return stream
        case let .response(response): throw Self.failure(response)
        }
    }

    /// Percent-encoding for a query component.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return out
    }
}

/// Reading the daemon's JSON without a Codable type per answer.
extension JSONNode {
    subscript(field key: String) -> JSONNode? {
        guard case let .object(fields) = self else { return nil }
        return fields[key]
    }

    var text: String {
        switch self {
        case let .string(s): return s
        case let .number(n): return n
        case let .bool(b): return b ? "true" : "false"
        default: return ""
        }
    }

    var integer: Int64 {
        switch self {
        case let .number(n): return Int64(n) ?? Int64(Double(n) ?? 0)
        case let .string(s): return Int64(s) ?? 0
        default: return 0
        }
    }

    var elements: [JSONNode] {
        guard case let .array(items) = self else { return [] }
        return items
    }

    var members: [String: JSONNode] {
        guard case let .object(fields) = self else { return [:] }
        return fields
    }
}
