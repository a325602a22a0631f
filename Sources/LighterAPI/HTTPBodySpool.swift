import LighterSystem

/// A request body the server did not read for its handler (a build context, an image archive: larger
/// than JSON bodies may be): the handler spools it to a file, each read waiting at most
/// `readMilliseconds` for the client's next bytes. Its connection carries no further request.
public final class HTTPBodySpool: @unchecked Sendable {
    // @unchecked: used by the connection's thread only, like the connection itself.
    let connection: HTTPConnection
    let framing: HTTPRequestHead.BodyFraming
    let readMilliseconds: Int64
    let limit: Int64

    init(connection: HTTPConnection, framing: HTTPRequestHead.BodyFraming, readMilliseconds: Int64, limit: Int64) {
        self.connection = connection
        self.framing = framing
        self.readMilliseconds = readMilliseconds
        self.limit = limit
    }

    /// Write the whole body to `output`; returns its length.
    @discardableResult
    public func write(to output: FileDescriptor) throws(LighterError) -> Int64 {
        var written: Int64 = 0
        func more() throws(LighterError) {
            let filled: Bool
            do { filled = try connection.fill(deadline: Monotonic.milliseconds() + readMilliseconds) } catch {
                throw .invalidArgument(error == .timeout ? "the request body stopped arriving (no data for \(readMilliseconds / 1000)s)" : "the connection closed mid-body")
            }
            guard filled else { throw .invalidArgument("the connection closed mid-body") }
        }
        func put(_ bytes: [UInt8]) throws(LighterError) {
            written += Int64(bytes.count)
            guard written <= limit else { throw .invalidArgument("the request body is larger than \(limit) bytes") }
            try output.write(bytes)
        }
        switch framing {
        case .none:
            return 0
        case let .length(total):
            guard Int64(total) <= limit else { throw .invalidArgument("the request body is larger than \(limit) bytes") }
            var remaining = total
            while remaining > 0 {
                if connection.buffer.isEmpty { try more() }
                let take = min(remaining, connection.buffer.count)
                try put(Array(connection.buffer[0..<take]))
                connection.consume(take)
                remaining -= take
            }
        case .chunked:
            var decoder = ChunkedDecoder(limit: Int(clamping: limit))
            while true {
                var payload: [UInt8] = []
                let used: Int
                do { used = try decoder.feed(connection.buffer[...], into: &payload) } catch { throw .invalidArgument(error.message) }
                connection.consume(used)
                try put(payload)
                if decoder.isDone { break }
                try more()
            }
        }
        return written
    }
}
