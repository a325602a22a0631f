import LighterSystem

/// A connection taken over after its response head (the Engine API's attach and exec start answer
/// 101 UPGRADED, or 200 from older daemons, then carry raw streams both ways). One thread drives it:
/// poll `descriptor` (and read at once while `hasBufferedInput`), so reads and writes never overlap,
/// which is what lets one mbedTLS session carry both directions.
// Unchecked: the connection's buffer and the transport's session are mutable; a hijacked stream
// belongs to the one thread that made the request.
public final class HijackedStream: @unchecked Sendable {
    private let connection: HTTPConnection
    private var early: [UInt8]

    init(connection: HTTPConnection) {
        self.connection = connection
        early = connection.takeBuffered()
    }

    deinit { connection.close() }

    /// The socket, to poll it.
    public var descriptor: Int32 { connection.transport.descriptor }

    /// Bytes that arrived already and that a poll would not announce.
    public var hasBufferedInput: Bool { !early.isEmpty || connection.transport.bufferedBytes > 0 }

    /// Some bytes of the stream; 0 when the daemon closed it.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int {
        if !early.isEmpty {
            let n = min(early.count, buffer.count)
            early.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            early.removeFirst(n)
            return n
        }
        return try connection.transport.read(into: buffer)
    }

    /// All of `bytes`.
    public func write(_ bytes: [UInt8]) throws(LighterError) { try connection.write(bytes) }

    /// No more input from this side (the daemon sees the container's stdin end); output goes on.
    public func closeWrite() { connection.transport.closeWrite() }

    public func close() { connection.close() }
}

extension HTTPClient {
    /// What a hijack request got: the stream, or an ordinary response (an error, as a rule).
    public enum Hijacked {
        case stream(HijackedStream)
        case response(HTTPResponse)
    }

    /// Send `request` on a connection of its own with `Connection: Upgrade` and `Upgrade: tcp`; a
    /// 101 (or 200) answer hands the connection over as a stream, any other comes back as a response.
    public func hijack(_ request: HTTPRequest) throws(LighterError) -> Hijacked {
        var request = request
        request.headers.add("Connection", "Upgrade")
        request.headers.add("Upgrade", "tcp")
        let connection = try connect(request.url)
        do throws(LighterError) {
            try connection.send(request)
            let head = try connection.readHead(upgrade: true)
            if head.status == 101 || head.status == 200 { return .stream(HijackedStream(connection: connection)) }
            return .response(try HTTPResponse(status: head.status, headers: head.headers, url: request.url, method: request.method,
                                              keepAlive: false, connection: connection, pool: pool))
        } catch {
            connection.close()
            throw error
        }
    }
}
