#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// A byte stream to a server: a plain TCP socket or TLS over one. One thread at a time uses it.
protocol Transport: AnyObject, Sendable {
    /// Write all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError)
    /// Read some bytes; 0 means the server closed the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int
    func close()
    /// The socket, to poll it.
    var descriptor: Int32 { get }
    /// Bytes the transport holds already that a poll of the socket would not see (TLS records).
    var bufferedBytes: Int { get }
    /// End this side's writing (shutdown SHUT_WR); reading goes on.
    func closeWrite()
}

extension TCPSocket: Transport {
    func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) { try sendAll(bytes) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int { try receive(into: buffer) }
    var descriptor: Int32 { fd.rawValue }
    var bufferedBytes: Int { 0 }
    func closeWrite() { _ = shutdown(fd.rawValue, Int32(SHUT_WR)) }
}
