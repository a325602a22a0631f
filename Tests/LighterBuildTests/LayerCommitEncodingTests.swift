#if canImport(Glibc)
import Glibc
#endif
import LighterArchive
import LighterBuild
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// Delta updates copy the gzip members of a built layer that a change left alone and re-make the others
/// with `GzipMemberEncoder`: the builder's `LayerCommit` must write members that are cut at tar headers,
/// each made again byte for byte from its tar, and a change to one file must leave the other members'
/// bytes as they were.
@Suite struct LayerCommitEncodingTests {
    /// A tree of `count` small files (their names decide the cuts) and a 3 MiB compressible "app".
    static func tree(_ dir: TestDirectory, count: Int, appSeed: UInt64) throws -> String {
        let tree = try dir.directory("tree-\(appSeed)")
        try FileSystem.makeDirectories("\(tree)/usr/bin")
        try FileSystem.makeDirectories("\(tree)/etc")
        var state = appSeed
        let big = (0..<(3 << 20)).map { (_: Int) -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 40) & 0x3f   // compressible, not trivially
        }
        try FileSystem.writeDurably(big, to: "\(tree)/usr/bin/app")
        for i in 0..<count {
            try FileSystem.writeDurably(Array("file \(i)\n".utf8) + [UInt8](repeating: UInt8(i & 0x7f), count: 3000), to: "\(tree)/etc/f\(i)")
        }
        return tree
    }

    static func commit(_ tree: String, _ dir: TestDirectory, _ name: String) throws -> (result: LayerCommit.Result, blob: MappedFile) {
        let path = dir.sub(name)
        let written = try LayerCommit.write(directory: tree, to: try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600),
                                            sourceDateEpoch: 0)
        return (written, try MappedFile(path: path, what: name))
    }

    @Test func theBuildersGzipBlobIsMembersMadeAgainFromTheirTar() throws {
        let dir = TestDirectory("lighter-commit-encoding")
        let (written, blob) = try Self.commit(try Self.tree(dir, count: 300, appSeed: 5), dir, "layer.tar.gz")
        #expect(Digest.of(buffer: blob.bytes) == written.digest)
        // Any gzip reader reads the members as one stream: libarchive's gives the diff ID.
        let tarPath = dir.sub("layer.tar")
        let stream = try LayerStream.decompress(from: try FileDescriptor(path: dir.sub("layer.tar.gz"), flags: O_RDONLY),
                                                to: try FileDescriptor(path: tarPath, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600), limits: LayerLimits())
        #expect(stream.output == written.diffID)
        let tar = try MappedFile(path: tarPath, what: "tar")
        let split = try GzipMembers.split(blob.bytes, to: nil, limits: LayerLimits(), what: "blob")
        #expect(split.digest == written.diffID && split.members.count > 5, "\(split.members.count) members")
        let headers = Set(TarHeaders.entries(of: tar.bytes).map(\.offset))
        #expect(headers.count >= 303)
        for member in split.members {
            let memberBytes = UnsafeRawBufferPointer(rebasing: blob.bytes[member.offset..<member.offset + member.size])
            let start = Int(member.uncompressedOffset)
            let memberTar = UnsafeRawBufferPointer(rebasing: tar.bytes[start..<start + Int(member.uncompressedSize)])
            #expect(GzipMembers.reproduces(memberBytes, from: memberTar, level: 1), "member at \(member.offset)")
            #expect(!GzipMembers.reproduces(memberBytes, from: memberTar, level: 9) || member.uncompressedSize < 1024)
            // Every cut is at a tar header (or at the end-of-archive blocks, after the last entry).
            #expect(member.uncompressedOffset == 0 || headers.contains(member.uncompressedOffset)
                    || member.uncompressedOffset >= headers.max()!, "cut at \(member.uncompressedOffset)")
        }
        // The layer writer fed the same tar makes the same blob (how a board holding a plain-tar base
        // makes the base's blob again).
        var hasher = SHA256Hasher()
        let writer = try GzipLayerWriter(level: 1) { (bytes) throws(LighterError) in hasher.update(bytes) }
        try writer.write(tar.bytes)
        try writer.finish()
        #expect(hasher.finalize() == written.digest)
    }

    @Test func oneChangedFileChangesOnlyTheMembersThatHoldIt() throws {
        let dir = TestDirectory("lighter-commit-locality")
        let (_, v1) = try Self.commit(try Self.tree(dir, count: 300, appSeed: 5), dir, "v1.gz")
        let (_, v2) = try Self.commit(try Self.tree(dir, count: 300, appSeed: 6), dir, "v2.gz")
        func members(_ blob: MappedFile) throws -> [Digest] {
            try GzipMembers.split(blob.bytes, to: nil, limits: LayerLimits(), what: "blob").members.map {
                Digest.of(buffer: UnsafeRawBufferPointer(rebasing: blob.bytes[$0.offset..<$0.offset + $0.size]))
            }
        }
        let old = Set(try members(v1))
        let new = try members(v2)
        let changed = new.filter { !old.contains($0) }
        #expect(!changed.isEmpty && changed.count <= 2 && new.count > 5, "\(changed.count) of \(new.count) members changed")
    }

    /// One member is what libarchive's gzip filter writes for the whole stream (LayerEncoding, and the
    /// builder before members): an older Lighter's single-stream layers are one member re-made the same.
    @Test func oneMemberIsLibarchivesGzip() throws {
        let dir = TestDirectory("lighter-member-libarchive")
        let tar = try MappedFile(path: try dir.write("tar", (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }), what: "tar")
        for level in [1, 6] {
            let whole = try LayerEncoding.gzip(level: level).encode(tar.bytes, to: try FileDescriptor(path: dir.sub("whole"), flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o600))
            let wholeBytes = try MappedFile(path: dir.sub("whole"), what: "whole")
            #expect(GzipMembers.reproduces(wholeBytes.bytes, from: tar.bytes, level: level))
            var hasher = SHA256Hasher()
            try GzipMemberEncoder(level: level).encode(tar.bytes) { (bytes) throws(LighterError) in hasher.update(bytes) }
            #expect(hasher.finalize() == whole.digest)
        }
    }
}
