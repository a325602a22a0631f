import LighterOCI
import LighterSystem

/// Decompressing a layer blob into its plain tar stream.
public enum LayerStream {
    /// Copy `source` to `destination`, decompressing gzip/zstd (bzip2/xz too; recognised from the magic bytes,
    /// plain tar passes through unchanged). Returns the digest and size of the OUTPUT (the diffID when the input
    /// is a layer) and of the INPUT (every byte read from `source`, including anything after the compressed
    /// stream). Stops with `.limitExceeded` as soon as the output passes `limits.maxUncompressedBytes`, and with
    /// `.malformed` on a truncated or corrupt compressed stream; `destination` then holds a partial copy.
    public static func decompress(from source: FileDescriptor, to destination: FileDescriptor,
                                  limits: LayerLimits) throws(LighterError)
        -> (output: Digest, outputSize: Int64, input: Digest, inputSize: Int64) {
        let input = try HashingInput(fd: source)
        let stream = try UncompressedStream(input: input, limits: limits, what: "layer stream")
        while true {
            let chunk = try stream.next()
            if chunk.isEmpty { break }
            try destination.write(chunk)
        }
        try input.drain()
        return (stream.digest, stream.count, input.digest, input.count)
    }
}
