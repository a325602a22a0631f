#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem

/// The one relay of container output: every byte arrives, in order, through a destination that takes
/// only a few KiB at a time and would block (EAGAIN), and the source's states are told apart.
@Suite struct StreamRelayTests {
    static func pipe() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        precondition(Glibc.pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    @Test func copiesEveryByteThroughANonBlockingSmallPipe() async throws {
        let pattern = (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 251) }
        let source = Self.pipe()
        #expect(pattern.withUnsafeBytes { Glibc.write(source.write, $0.baseAddress, $0.count) } == pattern.count)
        close(source.write)
        let destination = Self.pipe()
        _ = fcntl(destination.write, 1031, 4096)   // F_SETPIPE_SZ (Glibc does not export it to Swift): one page
        _ = fcntl(destination.write, F_SETFL, fcntl(destination.write, F_GETFL) | O_NONBLOCK)
        // A single write(2) takes at most 4 KiB here, and fails with EAGAIN while the pipe is full.
        let reader = Task.detached { () -> [UInt8] in
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1000)
            while true {
                usleep(200)   // a slow reader: the writer meets a full pipe again and again
                let n = buffer.withUnsafeMutableBytes { Glibc.read(destination.read, $0.baseAddress, $0.count) }
                if n <= 0 { return received }
                received.append(contentsOf: buffer[0..<n])
            }
        }
        var relay = StreamRelay()
        var chunks = 0
        loop: while true {
            switch relay.copy(from: source.read, to: destination.write) {
            case .data: chunks += 1
            case .none: continue
            case .end: break loop
            }
        }
        close(destination.write)
        let received = await reader.value
        close(destination.read)
        close(source.read)
        #expect(chunks >= 1)
        #expect(received.count == pattern.count)
        #expect(received == pattern)
    }

    @Test func tellsNothingYetFromEndOfStream() throws {
        let source = Self.pipe()
        _ = fcntl(source.read, F_SETFL, fcntl(source.read, F_GETFL) | O_NONBLOCK)
        var relay = StreamRelay(bufferSize: 16)
        var seen: [UInt8] = []
        #expect(!relay.read(from: source.read) { seen += $0 }.isData)   // empty, writer open: EAGAIN
        #expect(relay.read(from: source.read) { _ in }.isOpen)
        #expect(Glibc.write(source.write, "abc", 3) == 3)
        #expect(relay.read(from: source.read) { seen += $0 }.isData)
        close(source.write)
        #expect(!relay.read(from: source.read) { seen += $0 }.isOpen)   // end of stream
        #expect(seen == Array("abc".utf8))
        close(source.read)
    }
}

extension StreamRelay.Chunk {
    var isData: Bool { if case .data = self { return true } else { return false } }
}
