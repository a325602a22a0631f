#if canImport(Glibc)
import Glibc
#endif
import LighterArchive
import LighterBuild
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// Delta updates rebuild a layer's tar and then its blob with `LayerEncoding.gzip(level: 1)`: that must
/// give the very bytes the builder's `LayerCommit` wrote, or no delta could ever rebuild a built layer.
@Suite struct LayerCommitEncodingTests {
    @Test func theBuildersGzipBlobIsMadeAgainFromItsTar() throws {
        let dir = TestDirectory("lighter-commit-encoding")
        let tree = try dir.directory("tree")
        try FileSystem.makeDirectories("\(tree)/usr/bin")
        var state: UInt64 = 5
        let big = (0..<(3 << 20)).map { (_: Int) -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 40) & 0x3f   // compressible, not trivially
        }
        try FileSystem.writeDurably(big, to: "\(tree)/usr/bin/app")
        try FileSystem.writeDurably(Array("hello\n".utf8), to: "\(tree)/greeting")
        let blobPath = dir.sub("layer.tar.gz")
        let written = try LayerCommit.write(directory: tree, to: try FileDescriptor(path: blobPath, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600),
                                            sourceDateEpoch: 0)
        let tarPath = dir.sub("layer.tar")
        let stream = try LayerStream.decompress(from: try FileDescriptor(path: blobPath, flags: O_RDONLY),
                                                to: try FileDescriptor(path: tarPath, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600), limits: LayerLimits())
        #expect(stream.output == written.diffID)
        let tar = try MappedFile(path: tarPath, what: "tar")
        let again = try LayerEncoding.gzip(level: 1).encode(tar.bytes, to: try FileDescriptor(path: "/dev/null", flags: O_WRONLY))
        #expect(again.digest == written.digest && again.size == written.size)
    }
}
