/// Docker's stdcopy framing for streams without a terminal: an 8-byte header (stream 0 stdin,
/// 1 stdout, 2 stderr, three zero bytes, the big-endian payload length) before each payload.
public enum StdCopy {
    public enum Stream: UInt8, Sendable {
        case stdin = 0
        case stdout = 1
        case stderr = 2
    }

    public static func frame(_ stream: Stream, _ payload: some Collection<UInt8>) -> [UInt8] {
        let n = UInt32(payload.count)
        var bytes: [UInt8] = [stream.rawValue, 0, 0, 0, UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// Split framed bytes back into (stream, payload) pairs; the unframed rest is returned as is.
    public static func unframe(_ bytes: [UInt8]) -> (frames: [(UInt8, [UInt8])], rest: [UInt8]) {
        var frames: [(UInt8, [UInt8])] = []
        var i = 0
        while bytes.count - i >= 8 {
            let n = Int(bytes[i + 4]) << 24 | Int(bytes[i + 5]) << 16 | Int(bytes[i + 6]) << 8 | Int(bytes[i + 7])
            guard bytes.count - i - 8 >= n else { break }
            frames.append((bytes[i], Array(bytes[(i + 8)..<(i + 8 + n)])))
            i += 8 + n
        }
        return (frames, Array(bytes[i...]))
    }
}
