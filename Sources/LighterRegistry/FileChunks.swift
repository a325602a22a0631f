#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import NIOCore

/// A file read as an async sequence of 1 MiB buffers (upload bodies).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let fd: LighterSystem.FileDescriptor?
        let error: LighterError?
        var failed = false

        mutating func next() async throws -> ByteBuffer? {
            if let error, !failed { failed = true; throw error }
            guard let fd else { return nil }
            let bytes = try fd.read(upTo: 1 << 20)
            return bytes.isEmpty ? nil : ByteBuffer(bytes: bytes)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(fd: try LighterSystem.FileDescriptor(path: path, flags: O_RDONLY), error: nil)
        } catch {
            return AsyncIterator(fd: nil, error: error)
        }
    }
}
