#if canImport(Glibc)
import Glibc
#endif
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// Gzip blobs member by member: split finds each member and its bytes, inflate reads a range of whole
/// members, and bad input (cut short, not gzip, a range off a member's edge, too large) is an error.
@Suite struct GzipMembersTests {
    static func member(_ bytes: [UInt8], level: Int = 1) throws -> [UInt8] {
        var out: [UInt8] = []
        try bytes.withUnsafeBytes { (raw) throws in
            try GzipMemberEncoder(level: level).encode(raw) { (chunk) throws(LighterError) in out.append(contentsOf: chunk) }
        }
        return out
    }

    @Test func splitAndInflateMembers() throws {
        let dir = TestDirectory("lighter-gzip-members")
        let parts: [[UInt8]] = [Array("first\n".utf8), [UInt8](repeating: 7, count: 300_000), [], Array("last\n".utf8)]
        let members = try parts.map { try Self.member($0) }
        let blob = members.flatMap { $0 }
        let mapped = try MappedFile(path: try dir.write("blob.gz", blob), what: "blob")
        let out = try FileDescriptor(path: dir.sub("out"), flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        let split = try GzipMembers.split(mapped.bytes, to: out, limits: LayerLimits(), what: "blob")
        #expect(split.members.map(\.size) == members.map(\.count))
        #expect(split.members.map(\.uncompressedSize) == parts.map { Int64($0.count) })
        #expect(split.digest == Digest.of(parts.flatMap { $0 }) && split.size == Int64(parts.map(\.count).reduce(0, +)))
        #expect(try FileSystem.readFile(dir.sub("out")) == parts.flatMap { $0 })
        // gzip(1) reads the members as one stream.
        let gunzip = Run.capture(["sh", "-c", "gzip -dc < '\(dir.sub("blob.gz"))' | sha256sum"])
        #expect(gunzip.stdout.hasPrefix(Digest.of(parts.flatMap { $0 }).hex))

        // The middle two members, by range.
        let range = members[0].count..<(members[0].count + members[1].count + members[2].count)
        let middle = try FileDescriptor(path: dir.sub("middle"), flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600)
        #expect(try GzipMembers.inflate(mapped.bytes, range: range, to: middle, limit: 1 << 30, what: "blob") == 300_000)
        // A range that ends inside a member, one past the blob, and a limit too small: errors.
        #expect(throws: LighterError.self) {
            try GzipMembers.inflate(mapped.bytes, range: 0..<(members[0].count + 5), to: middle, limit: 1 << 30, what: "blob")
        }
        #expect(throws: LighterError.self) { try GzipMembers.inflate(mapped.bytes, range: 0..<(blob.count + 1), to: middle, limit: 1 << 30, what: "blob") }
        #expect(throws: LighterError.self) { try GzipMembers.inflate(mapped.bytes, range: range, to: middle, limit: 1000, what: "blob") }
    }

    @Test func badBlobsFailWithTheirReason() throws {
        let dir = TestDirectory("lighter-gzip-bad")
        let good = try Self.member([UInt8](repeating: 1, count: 100_000)) + Self.member(Array("tail".utf8))
        for (name, bytes, reason) in [("cut", Array(good.dropLast(3)), "cut short"), ("plain", Array("not gzip at all".utf8), "not gzip"),
                                      ("trailing garbage", good + [0x1f, 0x8b, 0, 0], "")] {
            let mapped = try MappedFile(path: try dir.write(name, bytes), what: name)
            do {
                _ = try GzipMembers.split(mapped.bytes, to: nil, limits: LayerLimits(), what: name)
                Issue.record("\(name): split")
            } catch {
                #expect("\(error)".contains(name) && "\(error)".contains(reason), "\(name): \(error)")
            }
        }
        let mapped = try MappedFile(path: try dir.write("good", good), what: "good")
        #expect(throws: LighterError.self) { try GzipMembers.split(mapped.bytes, to: nil, limits: LayerLimits(maxUncompressedBytes: 50_000), what: "good") }
        // A member made at level 1 is not level 9's, and the other way round.
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 % 251 ^ $0 >> 7) }
        let one = try Self.member(data, level: 1)
        one.withUnsafeBytes { m in
            data.withUnsafeBytes { d in
                #expect(GzipMembers.reproduces(m, from: d, level: 1))
                #expect(!GzipMembers.reproduces(m, from: d, level: 9))
            }
        }
    }
}
