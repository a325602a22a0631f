#if canImport(Glibc)
import Glibc
#endif
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// `LayerDelta` (zstd frames against a reference) and `LayerEncoding` (blobs made again from tars).
@Suite struct LayerDeltaTests {
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// A 512 KiB reference and a target that is it with a few bytes changed and 100 inserted.
    static func files(_ dir: TestDirectory) throws -> (reference: MappedFile, target: MappedFile, targetBytes: [UInt8]) {
        let reference = noise(512 << 10, seed: 7)
        var target = reference
        for i in 0..<16 { target[1000 + i] ^= 0xff }
        target.insert(contentsOf: noise(100, seed: 8), at: 300_000)
        return (try MappedFile(path: try dir.write("reference", reference), what: "reference"),
                try MappedFile(path: try dir.write("target", target), what: "target"), target)
    }

    func delta(_ dir: TestDirectory, _ reference: MappedFile, _ target: MappedFile) throws -> MappedFile {
        let output = try FileDescriptor(path: dir.sub("delta"), flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        _ = try LayerDelta.create(target: target, reference: reference, to: output)
        return try MappedFile(path: dir.sub("delta"), what: "delta")
    }

    func apply(_ dir: TestDirectory, _ delta: MappedFile, _ reference: MappedFile, limits: LayerLimits = LayerLimits()) throws(LighterError) -> (digest: Digest, size: Int64) {
        let output = try FileDescriptor(path: dir.sub("out-\(UInt32.random(in: 0...UInt32.max))"), flags: O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        return try LayerDelta.apply(delta: delta, reference: reference, to: output, limits: limits)
    }

    @Test func aDeltaRebuildsTheTargetFromTheReferenceOnly() throws {
        let dir = TestDirectory("lighter-delta-unit")
        let (reference, target, targetBytes) = try Self.files(dir)
        let delta = try delta(dir, reference, target)
        #expect(delta.count > 0 && delta.count < targetBytes.count / 100, "delta of \(delta.count) bytes")
        let rebuilt = try apply(dir, delta, reference)
        #expect(rebuilt.digest == Digest.of(targetBytes) && rebuilt.size == Int64(targetBytes.count))
    }

    @Test func anotherReferenceATruncatedOrCorruptDeltaOrATooLargeTargetFail() throws {
        let dir = TestDirectory("lighter-delta-unit")
        let (reference, target, _) = try Self.files(dir)
        let delta = try delta(dir, reference, target)
        let other = try MappedFile(path: try dir.write("other", Self.noise(512 << 10, seed: 9)), what: "other")
        #expect(throws: LighterError.self) { try apply(dir, delta, other) }
        let bytes = Array(delta.bytes)
        let truncated = try MappedFile(path: try dir.write("truncated", Array(bytes.prefix(bytes.count / 2))), what: "truncated")
        #expect(throws: LighterError.self) { try apply(dir, truncated, reference) }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        let corrupt = try MappedFile(path: try dir.write("corrupt", flipped), what: "corrupt")
        #expect(throws: LighterError.self) { try apply(dir, corrupt, reference) }
        let empty = try MappedFile(path: try dir.write("empty", []), what: "empty")
        #expect(throws: LighterError.self) { try apply(dir, empty, reference) }
        do {
            _ = try apply(dir, delta, reference, limits: LayerLimits(maxUncompressedBytes: 1000))
            Issue.record("a target over the limit was rebuilt")
        } catch {
            guard case .limitExceeded = error else { Issue.record("\(error)"); return }
        }
    }

    @Test func encodingsMakeTheSameBlobAgain() throws {
        let dir = TestDirectory("lighter-delta-unit")
        let tar = Self.noise(100_000, seed: 1) + [UInt8](repeating: 0, count: 50_000)
        let mapped = try MappedFile(path: try dir.write("tar", tar), what: "tar")
        let identity = try LayerEncoding.identity.encode(mapped.bytes, to: try FileDescriptor(path: "/dev/null", flags: O_WRONLY))
        #expect(identity.digest == Digest.of(tar))
        // gzip-6 twice: the same bytes; decompressed: the tar.
        let first = try FileDescriptor(path: dir.sub("a.gz"), flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        let a = try LayerEncoding.gzip(level: 6).encode(mapped.bytes, to: first)
        let b = try LayerEncoding.gzip(level: 6).encode(mapped.bytes, to: try FileDescriptor(path: "/dev/null", flags: O_WRONLY))
        #expect(a.digest == b.digest)
        #expect(LayerEncoding.candidates(forHead: Array(try FileSystem.readFile(dir.sub("a.gz")).prefix(8))).contains(.gzip(level: 6)))
        let back = try LayerStream.decompress(from: try FileDescriptor(path: dir.sub("a.gz"), flags: O_RDONLY),
                                              to: try FileDescriptor(path: "/dev/null", flags: O_WRONLY), limits: LayerLimits())
        #expect(back.output == Digest.of(tar) && back.input == a.digest)
        #expect(try LayerEncoding(parsing: "gzip-9") == .gzip(level: 9))
        #expect(throws: LighterError.self) { try LayerEncoding(parsing: "gzip-0") }
        #expect(throws: LighterError.self) { try LayerEncoding(parsing: "zstd-3") }
    }
}
