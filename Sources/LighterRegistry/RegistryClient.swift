#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AsyncHTTPClient
import LighterOCI
import LighterSystem
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A client for one registry (OCI distribution spec v1.1): finds whether it speaks HTTPS or (when
/// allowed) plain HTTP, answers its authentication challenges (anonymous, Basic, Bearer tokens
/// scoped per repository) and maps its errors to `LighterError.registry`.
public final class RegistryClient: Sendable {
    /// The registry as written in references (`docker.io`, `127.0.0.1:5000`).
    public let registry: String
    public let options: RegistryOptions
    let credentials: Credentials?
    let http: HTTPClient
    /// `https://host` or `http://host`, once known.
    private let base = Mutex<String?>(nil)
    /// Authorization header values by scope (`repository:NAME:pull`).
    private let authorizations = Mutex<[String: String]>([:])

    public init(registry: String, options: RegistryOptions, credentials: Credentials?) throws(LighterError) {
        self.registry = registry
        self.options = options
        self.credentials = credentials
        let tls = try RegistryTLS.configuration(for: registry, options: options)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .follow(max: 5, allowCycles: false),
                                                     timeout: .init(connect: .seconds(15), read: .seconds(60)))
        configuration.decompression = .disabled
        configuration.httpVersion = .http1Only
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Release connections; call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    var host: String { RegistryHost.apiHost(for: registry) }

    /// Has the registry answered once (so that later failures are trouble on the way, worth a retry)?
    var hasAnswered: Bool { base.withLock { $0 } != nil }

    /// The base URL: HTTPS; for an insecure registry plain HTTP is tried first (a TLS server answers
    /// it at once with 400, whereas a TLS handshake with a plain server only fails after the connect
    /// timeout), then HTTPS without verification. Only a 200 or 401 on `/v2/` counts as an answer.
    func baseURL() async throws(LighterError) -> String {
        if let known = base.withLock({ $0 }) { return known }
        let schemes = options.isInsecure(registry) ? ["http", "https"] : ["https"]
        var lastError: LighterError?
        for scheme in schemes {
            let url = "\(scheme)://\(host)"
            var request = HTTPClientRequest(url: "\(url)/v2/")
            request.method = .GET
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                _ = try? await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok || response.status == .unauthorized else {
                    lastError = .registry(host: registry, message: "\(url)/v2/ answered HTTP \(response.status.code): not a registry API endpoint")
                    continue
                }
                base.withLock { $0 = url }
                return url
            } catch {
                // Nothing answers on that port at all: HTTPS would not fare better.
                throw mapTransport(error, url: url)
            }
        }
        throw lastError ?? .registry(host: registry, message: "cannot be reached")
    }

    /// A request's body, made anew for each attempt (an authentication challenge makes us resend).
    enum Body {
        case none
        case bytes([UInt8], contentType: String)
        case file(path: String, size: Int64)
    }

    /// Send a request for `scope`, answering one authentication challenge; the response body is left to the caller.
    func send(_ method: HTTPMethod, _ pathOrURL: String, scope: String, headers: [(String, String)] = [], body: Body = .none,
              timeout: TimeAmount = .seconds(60)) async throws(LighterError) -> HTTPClientResponse {
        let url = pathOrURL.hasPrefix("http://") || pathOrURL.hasPrefix("https://") ? pathOrURL : try await baseURL() + pathOrURL
        var answered = false
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization = authorizations.withLock({ $0[scope] }) { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
            switch body {
            case .none:
                if method == .PUT || method == .POST { request.headers.replaceOrAdd(name: "Content-Length", value: "0") }
            case let .bytes(bytes, contentType):
                request.headers.replaceOrAdd(name: "Content-Type", value: contentType)
                request.body = .bytes(ByteBuffer(bytes: bytes))
            case let .file(path, size):
                request.headers.replaceOrAdd(name: "Content-Type", value: "application/octet-stream")
                request.body = .stream(FileChunks(path: path), length: .known(size))
            }
            let response: HTTPClientResponse
            do {
                response = try await http.execute(request, timeout: timeout)
            } catch {
                throw mapTransport(error, url: url)
            }
            guard response.status == .unauthorized, !answered else { return response }
            answered = true
            let challenges = response.headers["WWW-Authenticate"].flatMap(AuthChallenge.parse)
            _ = try? await response.body.collect(upTo: 1 << 20)
            try await authenticate(challenges, scope: scope)
        }
    }

    /// Turn a challenge into an Authorization header for `scope`.
    private func authenticate(_ challenges: [AuthChallenge], scope: String) async throws(LighterError) {
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            let token = try await fetchToken(bearer, scope: scope)
            authorizations.withLock { $0[scope] = "Bearer \(token)" }
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            guard let credentials else {
                throw .registry(host: registry, message: "authentication required: run `lighter login \(registry)` first")
            }
            authorizations.withLock { $0[scope] = "Basic \(credentials.encoded)" }
        } else {
            throw .registry(host: registry, message: "unauthorized, and no usable WWW-Authenticate challenge (Basic or Bearer) was offered")
        }
    }

    /// Docker's token protocol: GET realm?service=…&scope=…, with Basic credentials when we have them.
    private func fetchToken(_ challenge: AuthChallenge, scope: String) async throws(LighterError) -> String {
        guard let realm = challenge.parameters["realm"], realm.hasPrefix("http") else {
            throw .registry(host: registry, message: "bearer challenge without a usable realm")
        }
        var query: [String] = []
        if let service = challenge.parameters["service"] { query.append("service=\(Self.percentEncode(service))") }
        for part in scope.split(separator: " ") { query.append("scope=\(Self.percentEncode(String(part)))") }
        let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
        var request = HTTPClientRequest(url: url)
        if let credentials { request.headers.add(name: "Authorization", value: "Basic \(credentials.encoded)") }
        let bytes: [UInt8]
        let status: HTTPResponseStatus
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            status = response.status
            bytes = Array(buffer: try await response.body.collect(upTo: 1 << 20))
        } catch {
            throw mapTransport(error, url: realm)
        }
        guard status == .ok else {
            let hint = credentials == nil ? " (no credentials: run `lighter login \(registry)`)" : " (check the user name and password)"
            throw .registry(host: registry, message: "token server \(realm) refused access to \(scope): HTTP \(status.code)\(hint)")
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String? }
        let decoded = try JSON.decode(TokenResponse.self, from: bytes, what: "token response from \(realm)")
        guard let token = decoded.token ?? decoded.access_token, !token.isEmpty else {
            throw .registry(host: registry, message: "token server \(realm) answered without a token")
        }
        return token
    }

    /// An error response as a `LighterError`, with the registry's own error codes and messages.
    func failure(_ response: HTTPClientResponse, _ what: String) async -> LighterError {
        let bytes = (try? await response.body.collect(upTo: 1 << 16)).map { Array(buffer: $0) } ?? []
        struct Errors: Decodable {
            struct Item: Decodable { var code: String?; var message: String? }
            var errors: [Item]?
        }
        let items = (try? JSON.decode(Errors.self, from: bytes, what: "error"))?.errors ?? []
        let detail = items.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
        if response.status == .unauthorized || response.status == .forbidden {
            return .registry(host: registry, message: "access to \(what) denied (HTTP \(response.status.code))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return .registry(host: registry, message: "\(what): HTTP \(response.status.code)\(detail.isEmpty ? "" : " (\(detail))")")
    }

    func mapTransport(_ error: any Error, url: String) -> LighterError {
        if let lighter = error as? LighterError { return lighter }
        if let tls = error as? NIOSSLError {
            return .registry(host: registry, message: "TLS with \(url) failed: \(tls) (add its CA to \(options.certsDirectory)/\(registry)/ca.crt, or allow it with --insecure-registry)")
        }
        if let tls = error as? BoringSSLError {
            return .registry(host: registry, message: "TLS with \(url) failed: \(tls) (add its CA to \(options.certsDirectory)/\(registry)/ca.crt, or allow it with --insecure-registry)")
        }
        return .registry(host: registry, message: "cannot talk to \(url): \(error)")
    }

    static func percentEncode(_ string: String) -> String {
        var result = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// The pull (or pull and push) scope of a repository.
    static func scope(_ repository: String, push: Bool = false) -> String {
        "repository:\(repository):\(push ? "pull,push" : "pull")"
    }
}
