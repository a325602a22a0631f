import LighterSystem
import Synchronization

/// A small blocking HTTP/1.1 client: keep-alive per endpoint, redirects (Authorization is dropped
/// when one leads to another host), connect and read timeouts, TLS through mbedTLS, names resolved
/// without NSS. Each call blocks its thread: run it on a thread of its own, not on Swift's
/// cooperative pool.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeoutMilliseconds: Int
        public var readTimeoutMilliseconds: Int
        public var maxRedirects: Int
        public var resolver: Resolver
        /// TLS settings for an https URL's host.
        public var tls: @Sendable (HTTPURL) throws(LighterError) -> TLSConfiguration
        /// Every request goes to this unix socket instead of the URL's host (an Engine API at `unix://PATH`).
        public var unixSocketPath: String?
        /// Every connection is this command's standard input and output instead (`ssh -- HOST lighter system dial-stdio`).
        public var connectCommand: [String]?

        public init(connectTimeoutMilliseconds: Int = 15_000, readTimeoutMilliseconds: Int = 60_000, maxRedirects: Int = 5,
                    resolver: Resolver = Resolver(), unixSocketPath: String? = nil,
                    tls: @escaping @Sendable (HTTPURL) throws(LighterError) -> TLSConfiguration = { _ in TLSConfiguration() }) {
            self.unixSocketPath = unixSocketPath
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.readTimeoutMilliseconds = readTimeoutMilliseconds
            self.maxRedirects = maxRedirects
            self.resolver = resolver
            self.tls = tls
        }
    }

    public let configuration: Configuration
    let pool = ConnectionPool()
    private let tlsContexts = Mutex<[TLSConfiguration: TLSContext]>([:])

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Close idle connections (the client stays usable).
    public func close() { pool.closeAll() }

    /// Send `request`, following up to `maxRedirects` redirects; the body is left to the caller.
    public func execute(_ request: HTTPRequest) throws(LighterError) -> HTTPResponse {
        var request = request
        var hops = 0
        while true {
            let response = try perform(request)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["Location"] else { return response }
            response.discard()
            hops += 1
            guard hops <= configuration.maxRedirects else {
                throw .registry(host: request.url.authority, message: "more than \(configuration.maxRedirects) redirects (last to \(location))")
            }
            let next = try request.url.resolving(location)
            if next.scheme != request.url.scheme || next.host.lowercased() != request.url.host.lowercased() || next.port != request.url.port {
                request.headers.remove("Authorization")
            }
            if response.status == 303 || (response.status != 307 && response.status != 308 && request.method == "POST") {
                if request.method != "HEAD" { request.method = "GET" }
                request.body = .none
            }
            request.headers.remove("Host")
            request.url = next
        }
    }

    /// One exchange, on an idle connection when there is one (a stale one is replaced once).
    private func perform(_ request: HTTPRequest) throws(LighterError) -> HTTPResponse {
        if let idle = pool.take(request.url.endpoint) {
            do throws(LighterError) {
                return try exchange(request, on: idle)
            } catch {
                if idle.receivedAny { throw error }
            }
        }
        return try exchange(request, on: try connect(request.url))
    }

    private func exchange(_ request: HTTPRequest, on connection: HTTPConnection) throws(LighterError) -> HTTPResponse {
        do throws(LighterError) {
            try connection.send(request)
            let head = try connection.readHead()
            return try HTTPResponse(status: head.status, headers: head.headers, url: request.url, method: request.method,
                                    keepAlive: head.keepAlive, connection: connection, pool: pool)
        } catch {
            connection.close()
            throw error
        }
    }

    func connect(_ url: HTTPURL) throws(LighterError) -> HTTPConnection {
        if let command = configuration.connectCommand {
            let transport = try CommandTransport(command, authority: url.authority, readTimeoutMilliseconds: configuration.readTimeoutMilliseconds)
            return HTTPConnection(endpoint: url.endpoint, authority: url.authority, transport: transport)
        }
        if let path = configuration.unixSocketPath {
            let socket = try TCPSocket.connectUnix(path: path, authority: url.authority, readTimeoutMilliseconds: configuration.readTimeoutMilliseconds)
            return HTTPConnection(endpoint: url.endpoint, authority: url.authority, transport: socket)
        }
        let addresses: [IPAddress]
        do throws(LighterError) {
            addresses = try configuration.resolver.resolve(url.host)
        } catch {
            if case let .registry(_, message) = error { throw .registry(host: url.authority, message: message) }
            throw error
        }
        let socket = try TCPSocket.connect(to: addresses, port: url.port, authority: url.authority,
                                           connectTimeoutMilliseconds: configuration.connectTimeoutMilliseconds,
                                           readTimeoutMilliseconds: configuration.readTimeoutMilliseconds)
        guard url.isTLS else { return HTTPConnection(endpoint: url.endpoint, authority: url.authority, transport: socket) }
        do throws(LighterError) {
            let stream = try TLSStream(socket: socket, context: try tlsContext(for: url), host: url.host, authority: url.authority)
            return HTTPConnection(endpoint: url.endpoint, authority: url.authority, transport: stream)
        } catch {
            socket.close()
            throw error
        }
    }

    /// One mbedTLS context per distinct TLS configuration (the CA bundle is parsed once).
    private func tlsContext(for url: HTTPURL) throws(LighterError) -> TLSContext {
        let settings = try configuration.tls(url)
        if let known = tlsContexts.withLock({ $0[settings] }) { return known }
        let made = try TLSContext(settings, authority: url.authority)
        return tlsContexts.withLock { contexts in
            if let known = contexts[settings] { return known }
            contexts[settings] = made
            return made
        }
    }
}
