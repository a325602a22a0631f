import LighterSystem

/// Routes Docker Engine API requests: optional `/v1.NN` prefix, `{name}` segments, Docker's error body.
public struct APIRouter: Sendable {
    public typealias Handler = @Sendable (APIRequest, HTTPResponder) throws(LighterError) -> Void

    struct Route: Sendable {
        let method: String
        let segments: [String]
        let handler: Handler
    }

    var routes: [Route] = []
    /// Paths Docker serves that this daemon does not, answered 501 with their name.
    var unserved: [(method: String, segments: [String])] = []

    /// API versions below this (in the `/v1.NN` prefix) are refused, as Docker refuses too old clients.
    public var minimumVersion: (major: Int, minor: Int)?
    /// API versions above this are refused (Docker: "client version … is too new").
    public var maximumVersion: (major: Int, minor: Int)?

    public init() {}

    public static func parseVersion(_ text: String) -> (major: Int, minor: Int)? {
        let parts = text.split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: Self.split(pattern), handler: handler))
    }

    /// Declare an endpoint of Docker's API this daemon does not serve: 501 naming it, never a fake answer.
    public mutating func notServed(_ method: String, _ pattern: String) {
        unserved.append((method, Self.split(pattern)))
    }

    static func split(_ path: String) -> [String] {
        path.split(separator: "/" as Character, omittingEmptySubsequences: true).map(String.init)
    }

    /// The version prefix (`v1.41`) and the rest of the path's segments, percent-decoded.
    static func versioned(_ path: Substring) -> (String?, [String]) {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map { HTTPRequestHead.percentDecode($0, plusIsSpace: false) }
        if let first = segments.first, first.hasPrefix("v"), first.dropFirst().split(separator: ".").count == 2,
           first.dropFirst().allSatisfy({ $0.isNumber || $0 == "." }) {
            segments.removeFirst()
            return (String(first.dropFirst()), segments)
        }
        return (nil, segments)
    }

    static func match(_ pattern: [String], _ segments: [String]) -> [String: String]? {
        guard pattern.count == segments.count || (pattern.last == "{*}" && segments.count >= pattern.count) else { return nil }
        var parameters: [String: String] = [:]
        for (index, part) in pattern.enumerated() {
            if part == "{*}" {
                parameters["*"] = segments[index...].joined(separator: "/")
                return parameters
            }
            if part.hasPrefix("{") { parameters[String(part.dropFirst().dropLast())] = segments[index] } else if part != segments[index] { return nil }
        }
        return parameters
    }

    /// Serve one request: the matching route, or 404/405/501; errors become Docker's `{"message"}` bodies.
    public func handle(_ request: APIRequest, _ responder: HTTPResponder) {
        let (version, segments) = Self.versioned(request.head.path)
        let method = request.method == "HEAD" ? "GET" : request.method
        if let version, let asked = Self.parseVersion(version) {
            if let minimumVersion, asked < minimumVersion {
                responder.error(400, "client version \(version) is too old. Minimum supported API version is \(minimumVersion.major).\(minimumVersion.minor), please upgrade your client to a newer version")
                return
            }
            if let maximumVersion, asked > maximumVersion {
                responder.error(400, "client version \(version) is too new. Maximum supported API version is \(maximumVersion.major).\(maximumVersion.minor)")
                return
            }
        }
        var pathMatched = false
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            pathMatched = true
            guard route.method == method || (route.method == "HEAD" && request.method == "HEAD") else { continue }
            var routed = request
            routed.parameters = parameters
            routed.apiVersion = version
            do {
                try route.handler(routed, responder)
            } catch {
                if responder.started { return }
                responder.error(Self.status(for: error), Self.message(for: error))
            }
            return
        }
        for entry in unserved where Self.match(entry.segments, segments) != nil && entry.method == method {
            responder.error(501, "\(request.method) /\(entry.segments.joined(separator: "/")) is not served by Lighter's daemon (yet); use the lighter CLI on the board for it")
            return
        }
        if pathMatched {
            responder.error(405, "method \(request.method) not allowed for \(request.head.path)")
        } else {
            responder.error(404, "page not found")
        }
    }

    /// Docker's status codes: 404 no such object, 409 conflict, 400 bad parameter, 500 the rest.
    public static func status(for error: LighterError) -> Int {
        switch error {
        case .notFound: return 404
        case .conflict: return 409
        case .invalidArgument, .invalidReference, .invalidDigest, .malformed, .unsupported, .containerStart: return 400
        default: return 500
        }
    }

    /// The message as Docker's CLI prints it (`Error response from daemon: <message>`).
    public static func message(for error: LighterError) -> String {
        switch error {
        case let .notFound(kind, name): return "No such \(kind): \(name)"
        case let .conflict(message): return "Conflict. \(message)"
        case let .invalidArgument(message): return message
        case let .containerStart(message, _):
            // Go's errno texts are lower case, and docker's CLI picks its exit code (127, 126) by them.
            return message.replacing("No such file or directory", with: "no such file or directory")
                .replacing("Permission denied", with: "permission denied").replacing("Is a directory", with: "is a directory")
        default: return error.description
        }
    }
}
