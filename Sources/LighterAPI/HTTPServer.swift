#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterHTTP
import LighterSystem
import Synchronization

/// A request as handlers see it: the head, the whole body (bounded), and the route's parameters.
public struct APIRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// `{name}` segments of the matched route, percent-decoded.
    public var parameters: [String: String] = [:]
    /// The body, unread, of requests `HTTPServerLimits.spooledBody` picks (then `body` is empty).
    public var spool: HTTPBodySpool?
    /// The API version from the `/v1.NN` prefix, if any.
    public var apiVersion: String?

    public init(head: HTTPRequestHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var method: String { head.method }
    public var query: [String: [String]] { head.query }

    /// A query value (the last one, as Go's `r.Form.Get` reads the first; Docker's clients send one).
    public func query(_ name: String) -> String? { head.query[name]?.first }

    /// Docker's boolean query values: `1`, `true`, `True` … are true; absent or `0`/`false` false.
    public func flag(_ name: String) -> Bool {
        guard let value = query(name)?.lowercased() else { return false }
        return !(value.isEmpty || value == "0" || value == "false" || value == "no")
    }

    public func parameter(_ name: String) -> String { parameters[name] ?? "" }
}

/// What the server accepts and how long it waits (the daemon's limits against bad clients).
public struct HTTPServerLimits: Sendable {
    /// A whole request head must arrive within this many milliseconds of its first byte, and a body
    /// within as many again (slow clients are cut off, whatever pace they trickle at).
    public var requestMilliseconds: Int64 = 30_000
    /// An idle keep-alive connection is closed after this long.
    public var idleMilliseconds: Int64 = 120_000
    /// JSON bodies beyond this get 413.
    public var maxBodyBytes = 4 * 1024 * 1024
    /// Connections served at once; more wait in the listen backlog.
    public var maxConnections = 256
    /// Requests whose body the handler spools to a file (build contexts, image archives) instead of
    /// the server reading it whole; such bodies may be up to `maxSpooledBytes`.
    public var spooledBody: @Sendable (HTTPRequestHead) -> Bool = { _ in false }
    public var maxSpooledBytes: Int64 = 16 * 1024 * 1024 * 1024

    public init() {}
}

/// A small HTTP/1.1 server over unix sockets and TCP (plain or TLS): an accept loop on the calling
/// thread, one thread per connection (keep-alive, Content-Length or chunked bodies, hijack), no
/// event-loop library.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (APIRequest, HTTPResponder) -> Void

    let listeners: [HTTPListener]
    let limits: HTTPServerLimits
    let handler: Handler
    /// Lines for the daemon's log (TLS clients refused, handshakes that timed out).
    let log: @Sendable (String) -> Void
    let active = Atomic<Int>(0)

    public init(listeners: [HTTPListener], limits: HTTPServerLimits = HTTPServerLimits(), log: @escaping @Sendable (String) -> Void = { _ in },
                handler: @escaping Handler) {
        self.listeners = listeners
        self.limits = limits
        self.log = log
        self.handler = handler
    }

    /// Accept connections until `stop` becomes readable (the daemon's signalfd); then close the
    /// listeners and remove their socket files. Connections in progress finish on their own threads.
    /// A TLS handshake runs on the connection's thread and must finish within the request timeout.
    public func run(stop: Int32) {
        var fds = listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        fds.append(pollfd(fd: stop, events: Int16(POLLIN), revents: 0))
        accepting: while true {
            for i in fds.indices { fds[i].revents = 0 }
            let n = poll(&fds, nfds_t(fds.count), -1)
            if n < 0 { if lighter_errno() == EINTR { continue } else { break } }
            if fds[listeners.count].revents != 0 { break }
            for (index, listener) in listeners.enumerated() where fds[index].revents & Int16(POLLIN) != 0 {
                guard let (client, peer) = listener.accept() else { continue }
                if active.load(ordering: .relaxed) >= limits.maxConnections {
                    // A TLS client would not understand a plain 503: it is only disconnected.
                    if listener.tls == nil {
                        let connection = HTTPConnection(fd: client, isTCP: listener.isTCP)
                        let responder = HTTPResponder(connection: connection, head: HTTPRequestHead(method: "GET", target: "/", version: "HTTP/1.1", fields: [HTTPField("Connection", "close")]))
                        responder.error(503, "too many connections (\(limits.maxConnections)); try again")
                    } else {
                        _ = POSIX.close(client)
                    }
                    continue
                }
                active.add(1, ordering: .relaxed)
                Thread.detached { [self] in
                    if let connection = open(client, peer: peer, on: listener) { serve(connection) }
                    // The last connection gone: give what the burst allocated back to the kernel.
                    if active.subtract(1, ordering: .relaxed).newValue == 0 { lighter_malloc_trim() }
                }
                continue accepting
            }
        }
        close()
    }

    /// The connection over an accepted socket: with TLS once the handshake is done, nil when it failed.
    func open(_ client: Int32, peer: String, on listener: HTTPListener) -> HTTPConnection? {
        guard let context = listener.tls else { return HTTPConnection(fd: client, isTCP: listener.isTCP) }
        do {
            let stream = try TLSStream.accept(fd: client, context: context, peer: peer, deadline: Monotonic.milliseconds() + limits.requestMilliseconds,
                                              writeTimeoutMilliseconds: Int(limits.idleMilliseconds))
            return HTTPConnection(fd: client, tls: stream, isTCP: true)
        } catch {
            if case let .invalidArgument(message) = error { log(message) } else { log("TLS client \(peer): \(error)") }
            return nil
        }
    }

    /// Stop listening and remove the socket files.
    public func close() {
        for listener in listeners { listener.close() }
    }

    /// Connections being served now.
    public var activeConnections: Int { active.load(ordering: .relaxed) }

    /// Requests on one connection until it closes, errs, times out or is hijacked.
    func serve(_ connection: HTTPConnection) {
        defer { connection.close() }
        var idle = true
        while true {
            let head: HTTPRequestHead
            let headLength: Int
            do {
                var deadline = Monotonic.milliseconds() + (idle && connection.buffer.isEmpty ? limits.idleMilliseconds : limits.requestMilliseconds)
                while true {
                    if let parsed = try HTTPRequestParser.parseHead(connection.buffer[...]) {
                        (head, headLength) = parsed
                        break
                    }
                    let wasEmpty = connection.buffer.isEmpty
                    guard try connection.fill(deadline: deadline) else {
                        if !connection.buffer.isEmpty { reject(connection, .badRequest("connection closed mid-request")) }
                        return
                    }
                    // The request clock starts at its first byte.
                    if wasEmpty && !connection.buffer.isEmpty && idle { deadline = Monotonic.milliseconds() + limits.requestMilliseconds }
                }
            } catch let error as HTTPParseError {
                reject(connection, error)
                return
            } catch {
                if !connection.buffer.isEmpty { timeout(connection) }
                return
            }
            idle = false
            connection.consume(headLength)
            if limits.spooledBody(head) {
                let framing: HTTPRequestHead.BodyFraming
                do { framing = try head.bodyFraming() } catch {
                    reject(connection, error)
                    return
                }
                let responder = HTTPResponder(connection: connection, head: head)
                responder.reusable = false
                var request = APIRequest(head: head, body: [])
                request.spool = HTTPBodySpool(connection: connection, framing: framing, readMilliseconds: limits.requestMilliseconds, limit: limits.maxSpooledBytes)
                handler(request, responder)
                if !responder.started { responder.error(500, "the handler of \(head.method) \(head.path) sent no response") }
                return
            }
            let body: [UInt8]
            do {
                body = try readBody(connection, head: head, deadline: Monotonic.milliseconds() + limits.requestMilliseconds)
            } catch let error as HTTPParseError {
                reject(connection, error)
                return
            } catch {
                timeout(connection)
                return
            }
            let responder = HTTPResponder(connection: connection, head: head)
            handler(APIRequest(head: head, body: body), responder)
            if !responder.started { responder.error(500, "the handler of \(head.method) \(head.path) sent no response") }
            if !responder.reusable { return }
            idle = true
        }
    }

    func readBody(_ connection: HTTPConnection, head: HTTPRequestHead, deadline: Int64) throws -> [UInt8] {
        switch try head.bodyFraming() {
        case .none:
            return []
        case let .length(n):
            if n > limits.maxBodyBytes { throw HTTPParseError.bodyTooLarge(limit: limits.maxBodyBytes) }
            while connection.buffer.count < n {
                guard try connection.fill(deadline: deadline) else { throw HTTPParseError.badRequest("connection closed mid-body") }
            }
            let body = Array(connection.buffer[0..<n])
            connection.consume(n)
            return body
        case .chunked:
            var decoder = ChunkedDecoder(limit: limits.maxBodyBytes)
            var body: [UInt8] = []
            while true {
                let used = try decoder.feed(connection.buffer[...], into: &body)
                connection.consume(used)
                if decoder.isDone { return body }
                guard try connection.fill(deadline: deadline) else { throw HTTPParseError.badRequest("connection closed mid-body") }
            }
        }
    }

    func reject(_ connection: HTTPConnection, _ error: HTTPParseError) {
        let responder = HTTPResponder(connection: connection, head: HTTPRequestHead(method: "GET", target: "/", version: "HTTP/1.1", fields: [HTTPField("Connection", "close")]))
        responder.error(error.status, error.message)
    }

    func timeout(_ connection: HTTPConnection) {
        let responder = HTTPResponder(connection: connection, head: HTTPRequestHead(method: "GET", target: "/", version: "HTTP/1.1", fields: [HTTPField("Connection", "close")]))
        responder.error(408, "the request did not arrive within \(limits.requestMilliseconds / 1000)s")
    }
}

/// Detached pthreads with a small stack: one per connection, gone when it ends.
public enum Thread {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    public static func detached(stackBytes: Int = 512 * 1024, _ body: @escaping @Sendable () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackBytes)
        let context = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, context)
        if rc != 0 {
            // No thread: run it here rather than drop the connection.
            Unmanaged<Box>.fromOpaque(context).takeRetainedValue().body()
        }
    }
}
