import LighterHTTP
import LighterOCI
import LighterSystem
import Synchronization

/// A client for one registry (OCI distribution spec v1.1): finds whether it speaks HTTPS or (when
/// allowed) plain HTTP, answers its authentication challenges (anonymous, Basic, Bearer tokens
/// scoped per repository) and maps its errors to `LighterError.registry`.
///
/// The network work is blocking (LighterHTTP); the public async methods run it on threads of
/// their own, and the `…Sync` methods run it on the caller's thread.
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
        let apiHost = RegistryHost.apiHost(for: registry)
        // Fail early on a broken certs.d entry for the registry itself.
        _ = try RegistryTLS.configuration(for: registry, options: options)
        http = HTTPClient(configuration: .init(connectTimeoutMilliseconds: 15_000, readTimeoutMilliseconds: 60_000, maxRedirects: 5) {
            (url) throws(LighterError) -> TLSConfiguration in
            // The registry's own settings for its API host; a token server or blob storage host
            // that it redirects to gets its own certs.d entry and insecure setting.
            try RegistryTLS.configuration(for: url.authority == apiHost ? registry : url.authority, options: options)
        })
    }

    /// Release connections; call once when done.
    public func shutdown() async {
        http.close()
    }

    var host: String { RegistryHost.apiHost(for: registry) }

    /// Has the registry answered once (so that later failures are trouble on the way, worth a retry)?
    var hasAnswered: Bool { base.withLock { $0 } != nil }

    /// The base URL: HTTPS; for an insecure registry plain HTTP is tried first (a TLS server answers
    /// it at once with 400, whereas a TLS handshake with a plain server only fails after the connect
    /// timeout), then HTTPS without verification. Only a 200 or 401 on `/v2/` counts as an answer.
    func baseURL() throws(LighterError) -> String {
        if let known = base.withLock({ $0 }) { return known }
        let schemes = options.isInsecure(registry) ? ["http", "https"] : ["https"]
        var lastError: LighterError?
        for scheme in schemes {
            let url = "\(scheme)://\(host)"
            let response: HTTPResponse
            do throws(LighterError) {
                response = try http.execute(HTTPRequest(url: try HTTPURL(parsing: "\(url)/v2/")))
            } catch {
                if case let .registry(_, message) = error, message.hasPrefix("bad response") {
                    // Something that is not plain HTTP (a TLS port): try the next scheme.
                    lastError = .registry(host: registry, message: "\(url)/v2/: \(message)")
                    continue
                }
                // Nothing answers on that port at all: HTTPS would not fare better.
                throw mapTransport(error)
            }
            response.discard()
            guard response.status == 200 || response.status == 401 else {
                lastError = .registry(host: registry, message: "\(url)/v2/ answered HTTP \(response.status): not a registry API endpoint")
                continue
            }
            base.withLock { $0 = url }
            return url
        }
        throw lastError ?? .registry(host: registry, message: "cannot be reached")
    }

    /// Send a request for `scope`, answering one authentication challenge; the response body is left to the caller.
    func send(_ method: String, _ pathOrURL: String, scope: String, headers: [(String, String)] = [],
              body: HTTPRequest.Body = .none, contentType: String? = nil) throws(LighterError) -> HTTPResponse {
        let url = try HTTPURL(parsing: pathOrURL.hasPrefix("http://") || pathOrURL.hasPrefix("https://") ? pathOrURL : try baseURL() + pathOrURL)
        var answered = false
        while true {
            var request = HTTPRequest(method: method, url: url, headers: HTTPHeaders(headers), body: body)
            if let authorization = authorizations.withLock({ $0[scope] }) { request.headers.replace("Authorization", authorization) }
            if let contentType { request.headers.replace("Content-Type", contentType) }
            let response: HTTPResponse
            do throws(LighterError) {
                response = try http.execute(request)
            } catch {
                throw mapTransport(error)
            }
            guard response.status == 401, !answered else { return response }
            answered = true
            let challenges = response.headers.values("WWW-Authenticate").flatMap(AuthChallenge.parse)
            response.discard()
            try authenticate(challenges, scope: scope)
        }
    }

    /// Turn a challenge into an Authorization header for `scope`.
    private func authenticate(_ challenges: [AuthChallenge], scope: String) throws(LighterError) {
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            let token = try fetchToken(bearer, scope: scope)
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
    private func fetchToken(_ challenge: AuthChallenge, scope: String) throws(LighterError) -> String {
        guard let realm = challenge.parameters["realm"], realm.hasPrefix("http") else {
            throw .registry(host: registry, message: "bearer challenge without a usable realm")
        }
        var query: [String] = []
        if let service = challenge.parameters["service"] { query.append("service=\(Self.percentEncode(service))") }
        for part in scope.split(separator: " ") { query.append("scope=\(Self.percentEncode(String(part)))") }
        let url = realm + (realm.contains("?") ? "&" : "?") + query.joined(separator: "&")
        var request = HTTPRequest(url: try HTTPURL(parsing: url))
        if let credentials { request.headers.add("Authorization", "Basic \(credentials.encoded)") }
        let bytes: [UInt8]
        let status: Int
        do throws(LighterError) {
            let response = try http.execute(request)
            status = response.status
            bytes = try response.collect(upTo: 1 << 20)
        } catch {
            throw mapTransport(error)
        }
        guard status == 200 else {
            let hint = credentials == nil ? " (no credentials: run `lighter login \(registry)`)" : " (check the user name and password)"
            throw .registry(host: registry, message: "token server \(realm) refused access to \(scope): HTTP \(status)\(hint)")
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String? }
        let decoded = try JSON.decode(TokenResponse.self, from: bytes, what: "token response from \(realm)")
        guard let token = decoded.token ?? decoded.access_token, !token.isEmpty else {
            throw .registry(host: registry, message: "token server \(realm) answered without a token")
        }
        return token
    }

    /// An error response as a `LighterError`, with the registry's own error codes and messages.
    func failure(_ response: HTTPResponse, _ what: String) -> LighterError {
        let bytes = (try? response.collect(upTo: 1 << 16)) ?? []
        response.discard()
        struct Errors: Decodable {
            struct Item: Decodable { var code: String?; var message: String? }
            var errors: [Item]?
        }
        let items = (try? JSON.decode(Errors.self, from: bytes, what: "error"))?.errors ?? []
        let detail = items.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
        if response.status == 401 || response.status == 403 {
            return .registry(host: registry, message: "access to \(what) denied (HTTP \(response.status))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return .registry(host: registry, message: "\(what): HTTP \(response.status)\(detail.isEmpty ? "" : " (\(detail))")")
    }

    /// Transport errors name the host that failed; when that is the registry, say it once.
    func mapTransport(_ error: LighterError) -> LighterError {
        if case let .registry(failing, message) = error, failing == host || failing == registry {
            return .registry(host: registry, message: message)
        }
        if case let .registry(failing, message) = error {
            return .registry(host: registry, message: "\(failing): \(message)")
        }
        return error
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
