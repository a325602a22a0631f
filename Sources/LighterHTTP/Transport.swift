import LighterSystem

/// A byte stream to a server: a plain TCP socket or TLS over one. One thread at a time uses it.
protocol Transport: AnyObject, Sendable {
    /// Write all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError)
    /// Read some bytes; 0 means the server closed the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int
    func close()
}

extension TCPSocket: Transport {
    func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) { try sendAll(bytes) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int { try receive(into: buffer) }
}
