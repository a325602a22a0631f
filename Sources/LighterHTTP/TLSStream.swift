import CMbedTLS
import LighterSystem

/// TLS 1.2 over a connected socket, through mbedTLS: SNI and host name verification for names,
/// IP SAN verification for numeric hosts, the socket's timeouts for every read and write.
// Unchecked: the mbedTLS session and `closed` are mutable and unsynchronised; a stream belongs to one
// connection, used by one request at a time (the pool's Mutex hands connections over between requests).
final class TLSStream: Transport, @unchecked Sendable {
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

    deinit { release() }

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

    func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
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

    func close() {
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
            return MBEDTLS_ERR_NET_RECV_FAILED
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
