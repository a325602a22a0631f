#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// A small compressed (or plain) file read whole into memory, through the same path as layer
/// streams (`UncompressedStream`: compression recognised from the magic bytes — gzip, zstd, bzip2, xz
/// — and the output held to a limit while decompressing). `check-config` reads `/proc/config.gz` so.
public enum Decompression {
    public static func readFile(_ path: String, limit: Int64, what: String) throws(LighterError) -> [UInt8] {
        let fd = try FileDescriptor(path: path, flags: O_RDONLY | O_CLOEXEC)
        let stream = try UncompressedStream(input: try HashingInput(fd: fd, bufferSize: 64 * 1024),
                                            limits: LayerLimits(maxUncompressedBytes: limit), what: what)
        var output: [UInt8] = []
        while true {
            let chunk = try stream.next()
            if chunk.isEmpty { return output }
            output.append(contentsOf: chunk)
        }
    }
}
