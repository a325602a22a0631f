#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CMbedTLS
import LighterSystem

/// TLS 1.2 over a connected socket, through mbedTLS. The registry client's side: SNI and host name
/// verification for names, IP SAN verification for numeric hosts, the socket's timeouts for every read
/// and write. The daemon's side (`accept`): a handshake and reads bounded by deadlines, client
/// certificates verified as the context says.
// Unchecked: the mbedTLS session and `closed` are mutable and unsynchronised; a stream belongs to one
// connection, used by one thread at a time (the pool's Mutex hands connections over between requests;
// a daemon connection is its thread's).
public final class TLSStream: Transport, @unchecked Sendable {
    private let socket: TCPSocket
    private let context: TLSContext
    private let ssl = UnsafeMutablePointer<mbedtls_ssl_context>.allocate(capacity: 1)
    private let authority: String
    /// For a numeric host: the address the certificate must name (mbedTLS 2.28 checks DNS names only).
    private let expectedAddress: IPAddress?
    private var closed = false

    init(socket: TCPSocket, context: TLSContext, host: String, authority: String) throws(LighterError) {
        self.socket = socket
        self.context = context
        self.authority = authority
        expectedAddress = IPAddress(parsing: host)
        mbedtls_ssl_init(ssl)
        do throws(LighterError) {
            try TLSContext.check(mbedtls_ssl_setup(ssl, context.config), "setting up TLS", authority)
            if expectedAddress == nil {
                try TLSContext.check(mbedtls_ssl_set_hostname(ssl, host), "setting the TLS server name", authority)
            } else if context.configuration.verify {
                mbedtls_ssl_set_verify(ssl, TLSStream.verifyAddress, Unmanaged.passUnretained(self).toOpaque())
            }
            mbedtls_ssl_set_bio(ssl, Unmanaged.passUnretained(socket).toOpaque(), TLSStream.sendCallback, TLSStream.receiveCallback, nil)
            try handshake()
        } catch {
            release()
            throw error
        }
    }

    /// The server's side of a connection the daemon accepted: the handshake must be over by `deadline`
    /// (monotonic milliseconds, a client that connects and sends nothing is cut off). Errors say why in
    /// the client's terms (no certificate, one from another CA, not TLS at all).
    public static func accept(fd: Int32, context: TLSContext, peer: String, deadline: Int64, writeTimeoutMilliseconds: Int) throws(LighterError) -> TLSStream {
        let socket = TCPSocket.accepted(fd: fd, peer: peer, writeTimeoutMilliseconds: writeTimeoutMilliseconds)
        socket.readDeadline = deadline
        let stream = TLSStream(socket: socket, context: context, authority: peer)
        do throws(LighterError) {
            try TLSContext.check(mbedtls_ssl_setup(stream.ssl, context.config), "setting up TLS", peer)
            mbedtls_ssl_set_bio(stream.ssl, Unmanaged.passUnretained(socket).toOpaque(), TLSStream.sendCallback, TLSStream.receiveCallback, nil)
            var rc: Int32
            repeat {
                rc = mbedtls_ssl_handshake(stream.ssl)
            } while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) && !socket.timedOut
            if socket.timedOut { throw .invalidArgument("TLS client \(peer): no TLS handshake within the request timeout") }
            if rc == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE || rc == MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED {
                throw .invalidArgument("TLS client \(peer): refused, it presented no client certificate (--tlsverify requires one signed by --tlscacert)")
            }
            if rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED {
                throw .invalidArgument("TLS client \(peer): refused, its certificate is not accepted: \(stream.verificationReasons()) (--tlsverify requires one signed by --tlscacert)")
            }
            if rc != 0 { throw .invalidArgument("TLS client \(peer): handshake failed: \(TLSContext.describe(rc))") }
        } catch {
            stream.release()
            throw error
        }
        return stream
    }

    private init(socket: TCPSocket, context: TLSContext, authority: String) {
        self.socket = socket
        self.context = context
        self.authority = authority
        expectedAddress = nil
        mbedtls_ssl_init(ssl)
    }

    deinit { release() }

    /// The socket (to poll it).
    public var descriptor: Int32 { socket.fd.rawValue }

    /// Decrypted bytes mbedTLS holds already: a poll of the socket would not see them.
    public var bufferedBytes: Int { closed ? 0 : mbedtls_ssl_get_bytes_avail(ssl) }

    /// Read some bytes, waiting until `deadline` (monotonic milliseconds) at most: nil when none came
    /// by then (a part of a record may have: it is kept for the next call), 0 at the end of the stream.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, deadline: Int64) throws(LighterError) -> Int? {
        socket.readDeadline = deadline
        socket.timedOut = false
        while true {
            let rc = mbedtls_ssl_read(ssl, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count)
            if rc > 0 { return Int(rc) }
            if rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF { return 0 }
            if rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE {
                if socket.timedOut { return nil }
                continue
            }
            throw failure(rc, "receiving")
        }
    }

    private func verificationReasons() -> String {
        let flags = mbedtls_ssl_get_verify_result(ssl)
        var text = [CChar](repeating: 0, count: 1024)
        mbedtls_x509_crt_verify_info(&text, text.count, "", flags)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    private func handshake() throws(LighterError) {
        var rc: Int32
        repeat {
            rc = mbedtls_ssl_handshake(ssl)
        } while rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE
        guard rc != 0 else { return }
        let hint = context.configuration.failureHint.map { " (\($0))" } ?? ""
        if rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED {
            let flags = mbedtls_ssl_get_verify_result(ssl)
            var text = [CChar](repeating: 0, count: 1024)
            mbedtls_x509_crt_verify_info(&text, text.count, "", flags)
            let reasons = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty }
            throw .registry(host: authority, message: "TLS certificate of \(authority) not accepted: \(reasons.joined(separator: "; "))\(hint)")
        }
        if let error = socket.lastError, case let .registry(_, message) = error {
            throw .registry(host: authority, message: "TLS handshake with \(authority) failed: \(message)")
        }
        throw .registry(host: authority, message: "TLS handshake with \(authority) failed: \(TLSContext.describe(rc))\(hint)")
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
        var offset = 0
        while offset < bytes.count {
            let rc = mbedtls_ssl_write(ssl, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, bytes.count - offset)
            if rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE { continue }
            if rc < 0 { throw failure(rc, "sending") }
            offset += Int(rc)
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int {
        while true {
            let rc = mbedtls_ssl_read(ssl, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), buffer.count)
            if rc > 0 { return Int(rc) }
            if rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF { return 0 }
            if rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE { continue }
            throw failure(rc, "receiving")
        }
    }

    /// End this side's writing as Docker's CLI does over TLS: a TCP half-close under the session (no
    /// close_notify, so the daemon's replies can still come back through it).
    func closeWrite() {
        guard !closed else { return }
        _ = shutdown(socket.fd.rawValue, Int32(SHUT_WR))
    }

    public func close() {
        if !closed { _ = mbedtls_ssl_close_notify(ssl) }
        release()
    }

    private func release() {
        guard !closed else { return }
        closed = true
        mbedtls_ssl_free(ssl)
        ssl.deallocate()
        socket.close()
    }

    private func failure(_ rc: Int32, _ doing: String) -> LighterError {
        if let error = socket.lastError { return error }
        return .registry(host: authority, message: "TLS error while \(doing): \(TLSContext.describe(rc))")
    }

    // MARK: mbedTLS callbacks (the context pointer is the socket, or this stream for verification)

    private static let sendCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<UInt8>?, Int) -> Int32 = { context, bytes, count in
        let socket = Unmanaged<TCPSocket>.fromOpaque(context!).takeUnretainedValue()
        do {
            return Int32(try socket.send(UnsafeRawBufferPointer(start: bytes, count: count)))
        } catch {
            return MBEDTLS_ERR_NET_SEND_FAILED
        }
    }

    private static let receiveCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32 = { context, bytes, count in
        let socket = Unmanaged<TCPSocket>.fromOpaque(context!).takeUnretainedValue()
        do {
            return Int32(try socket.receive(into: UnsafeMutableRawBufferPointer(start: bytes, count: count)))
        } catch {
            // A server's deadline: mbedTLS keeps what part of a record came and is asked again later.
            return socket.timedOut ? MBEDTLS_ERR_SSL_WANT_READ : MBEDTLS_ERR_NET_RECV_FAILED
        }
    }

    /// For a numeric host, the server certificate must carry the address as an IP SAN.
    private static let verifyAddress: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<mbedtls_x509_crt>?, Int32, UnsafeMutablePointer<UInt32>?) -> Int32 = { context, certificate, depth, flags in
        guard depth == 0, let certificate, let flags else { return 0 }
        let stream = Unmanaged<TLSStream>.fromOpaque(context!).takeUnretainedValue()
        guard let expected = stream.expectedAddress?.bytes else { return 0 }
        let offset = MemoryLayout<mbedtls_x509_crt>.offset(of: \.subject_alt_names)!
        var entry: UnsafeMutablePointer<mbedtls_x509_sequence>? = (UnsafeMutableRawPointer(certificate) + offset).assumingMemoryBound(to: mbedtls_x509_sequence.self)
        while let current = entry {
            let name = current.pointee.buf
            if name.tag == Int32(MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7), name.len == expected.count, let p = name.p,
               Array(UnsafeBufferPointer(start: p, count: name.len)) == expected {
                return 0
            }
            entry = current.pointee.next
        }
        flags.pointee |= UInt32(MBEDTLS_X509_BADCERT_CN_MISMATCH)
        return 0
    }
}
