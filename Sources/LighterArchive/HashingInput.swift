#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import LighterOCI
import LighterSystem

/// The raw bytes of a stream as libarchive reads them: every byte read from the descriptor is hashed
/// and counted exactly once, whether libarchive consumes it or it is drained afterwards.
final class HashingInput {
    let fd: FileDescriptor
    private var hasher = SHA256Hasher()
    private(set) var count: Int64 = 0
    /// Bytes read ahead to recognise the compression, handed out by the first `next()`.
    private var pending: Int
    private let buffer: UnsafeMutableRawBufferPointer
    /// A read error, kept so the caller can throw it instead of libarchive's generic message.
    var failure: LighterError?
    /// Compression recognised from the first bytes.
    let compression: Compression

    init(fd: FileDescriptor, bufferSize: Int = 256 * 1024) throws(LighterError) {
        self.fd = fd
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
        // Read until the longest magic (6 bytes) is in or the stream ends: pipes give short reads.
        var filled = 0
        do {
            while filled < 6 {
                let n = try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if n == 0 { break }
                filled += n
            }
        } catch {
            buffer.deallocate()
            throw error
        }
        pending = filled
        compression = Compression.detect(Array(buffer[0..<min(filled, 6)]))
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
        count = Int64(filled)
    }

    deinit { buffer.deallocate() }

    /// The next chunk of the stream (empty at end of file). Valid until the next call.
    func next() throws(LighterError) -> UnsafeRawBufferPointer {
        if pending > 0 {
            let n = pending
            pending = 0
            return UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        }
        let n = try fd.read(into: buffer)
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        hasher.update(chunk)
        count += Int64(n)
        return chunk
    }

    /// Read (and hash) whatever follows the point where the decoder stopped, so the digest covers the whole stream.
    func drain() throws(LighterError) {
        while try !next().isEmpty {}
    }

    var digest: Digest { hasher.finalize() }

    /// Hook this input up as the read callback of `archive`.
    func open(_ archive: OpaquePointer, what: String) throws(LighterError) {
        let status = archive_read_open(archive, Unmanaged.passUnretained(self).toOpaque(), nil, hashingInputRead, nil)
        if status != ARCHIVE_OK { throw failure ?? ArchiveError.from(archive, what: what) }
    }
}

private func hashingInputRead(_ archive: OpaquePointer?, _ context: UnsafeMutableRawPointer?,
                              _ out: UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t {
    let input = Unmanaged<HashingInput>.fromOpaque(context!).takeUnretainedValue()
    do {
        let chunk = try input.next()
        out?.pointee = chunk.baseAddress
        return chunk.count
    } catch {
        input.failure = error
        return -1
    }
}
