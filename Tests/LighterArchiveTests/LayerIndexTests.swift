#if canImport(Glibc)
import Glibc
#endif
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// A gzip layer's index (where its files lie among its members), and the links a later layer takes
/// from it: only files whose whole entry lies in copied members, as the snapshot still holds them.
@Suite struct LayerIndexTests {
    /// A tar of `count` files of random bytes, then `f5` again with other bytes (the snapshot holds the
    /// later one), as a blob of gzip members from Lighter's layer writer.
    static func layer(in dir: TestDirectory, count: Int) throws -> (blob: [UInt8], tar: String) {
        let made = Run.capture(["sh", "-c", """
            cd "$1" && mkdir -p tree again && for i in $(seq 0 \(count - 1)); do head -c $((1000 + i * 37)) /dev/urandom > tree/f$i; done \
            && head -c 999 /dev/urandom > again/f5 && tar --sort=name -C tree -cf layer.tar . && tar -C again -rf layer.tar ./f5
            """, "sh", dir.path])
        #expect(made.status == 0, "\(made.stderr)")
        var blob: [UInt8] = []
        let writer = try GzipLayerWriter(level: 1) { (bytes) throws(LighterError) in blob.append(contentsOf: bytes) }
        let tar = try MappedFile(path: dir.sub("layer.tar"), what: "tar")
        try withExtendedLifetime(tar) { () throws(LighterError) in try writer.write(tar.bytes) }
        try writer.finish()
        return (blob, dir.sub("layer.tar"))
    }

    static func apply(_ blob: String, into directory: String, links: [LayerLinkSource] = []) throws -> AppliedLayer {
        try FileSystem.makeDirectories(directory)
        let fd = try FileDescriptor(path: blob, flags: O_RDONLY)
        return try LayerApplier.apply(from: fd, into: directory, expectedDigest: nil, limits: LayerLimits(), links: links)
    }

    static func inode(_ path: String) -> UInt64 { FileSystem.lstatOrNil(path).map { UInt64($0.st_ino) } ?? 0 }

    @Test func theIndexPlacesTheFilesTheSnapshotHolds() throws {
        let dir = TestDirectory("lighter-layer-index")
        let (blob, _) = try Self.layer(in: dir, count: 600)
        let base = try Self.apply(try dir.write("blob.gz", blob), into: dir.sub("base"))
        let index = try #require(base.index)
        #expect(index.blob == Digest.of(blob) && index.gzipEnd == Int64(blob.count) && index.tarSize == base.uncompressedSize)
        #expect(index.members.count > 1 && index.members.first?.offset == 0, "\(index.members.count) members")
        // 600 files, the first f5 not among them: the snapshot holds the second.
        #expect(index.files.count == 600, "\(index.files.count)")
        #expect(index.files.allSatisfy { file in index.members.contains { $0.offset == file.member } && file.through > file.member })
        #expect(try LayerIndex(decoding: index.encoded, what: "index") == index)
        var damaged = index.encoded
        damaged[damaged.count / 2] ^= 1
        #expect(throws: LighterError.self) { try LayerIndex(decoding: damaged, what: "index") }
        #expect(throws: LighterError.self) { try LayerIndex(decoding: Array(index.encoded.dropLast(5)), what: "index") }
        // A plain tar has no members: no index.
        #expect(try Self.apply(dir.sub("layer.tar"), into: dir.sub("plain")).index == nil)
    }

    /// A delta unpacks the tar with its blob's layout (the members it knows from the pieces): the index
    /// is the one the blob itself gives, so a later delta links from this snapshot too.
    @Test func theTarWithItsLayoutIndexesAsTheBlob() throws {
        let dir = TestDirectory("lighter-layer-index-layout")
        let (blob, tar) = try Self.layer(in: dir, count: 300)
        let index = try #require(try Self.apply(try dir.write("blob.gz", blob), into: dir.sub("blob")).index)
        try FileSystem.makeDirectories(dir.sub("tar"))
        let layout = GzipLayout(blob: index.blob, members: index.members, gzipEnd: index.gzipEnd)
        let applied = try LayerApplier.apply(from: try FileDescriptor(path: tar, flags: O_RDONLY), into: dir.sub("tar"), expectedDigest: nil,
                                             limits: LayerLimits(), layout: layout)
        #expect(applied.index == index)
    }

    @Test func copiedMembersLinkTheirFilesAndNothingElse() throws {
        let dir = TestDirectory("lighter-layer-links")
        let (blob, _) = try Self.layer(in: dir, count: 600)
        let path = try dir.write("blob.gz", blob)
        let index = try #require(try Self.apply(path, into: dir.sub("base")).index)
        let expected = Run.capture(["sh", "-c", "cd \"$1\"/base && sha256sum f* | sort", "sh", dir.path]).stdout
        func same(_ path: String) -> Bool {
            Self.inode(dir.sub("base/\(path.split(separator: "/").last!)")) == Self.inode(dir.sub(path))
        }

        // The whole blob copied: every file the index lists is linked, and reads the same.
        let whole = try Self.apply(path, into: dir.sub("whole"),
                                   links: [LayerLinkSource(directory: dir.sub("base"), index: index,
                                                           copies: [.init(offset: 0, baseOffset: 0, size: Int64(blob.count))])])
        let tarDigest = Digest.of(try FileSystem.readFile(dir.sub("layer.tar")))
        #expect(whole.linkedFiles == 600 && whole.diffID == tarDigest)
        #expect(Self.inode(dir.sub("whole/f17")) == Self.inode(dir.sub("base/f17")))
        #expect(Run.capture(["sh", "-c", "cd \"$1\"/whole && sha256sum f* | sort", "sh", dir.path]).stdout == expected)

        // Only the members from the middle one on copied: files before it are written, none of them linked.
        let middle = index.members[index.members.count / 2].offset
        let half = try Self.apply(path, into: dir.sub("half"),
                                  links: [LayerLinkSource(directory: dir.sub("base"), index: index,
                                                          copies: [.init(offset: middle, baseOffset: middle, size: Int64(blob.count) - middle)])])
        #expect(half.linkedFiles > 100 && half.linkedFiles < 600, "\(half.linkedFiles)")
        #expect(!same("half/f0") && same("half/f5"))
        #expect(Run.capture(["sh", "-c", "cd \"$1\"/half && sha256sum f* | sort", "sh", dir.path]).stdout == expected)

        // Copies said to lie elsewhere in the base (shifted by one member): nothing matches, nothing is linked.
        let shifted = try Self.apply(path, into: dir.sub("shifted"),
                                     links: [LayerLinkSource(directory: dir.sub("base"), index: index,
                                                             copies: [.init(offset: 0, baseOffset: index.members[1].offset, size: Int64(blob.count))])])
        #expect(shifted.linkedFiles == 0, "\(shifted.linkedFiles)")

        // A base file changed since (another size, another time): written, not linked.
        #expect(Run.capture(["sh", "-c", "echo more >> \"$1\"/base/f42 && touch -d @0 \"$1\"/base/f43", "sh", dir.path]).status == 0)
        let changed = try Self.apply(path, into: dir.sub("changed"),
                                     links: [LayerLinkSource(directory: dir.sub("base"), index: index,
                                                             copies: [.init(offset: 0, baseOffset: 0, size: Int64(blob.count))])])
        #expect(changed.linkedFiles == 598, "\(changed.linkedFiles)")
        #expect(!same("changed/f42") && !same("changed/f43") && same("changed/f44"))
        #expect(try FileSystem.readFile(dir.sub("changed/f42")).count == 1000 + 42 * 37)
    }

    /// A file whose entry starts in a copied member but ends in one that changed (its last bytes, same
    /// size and time) is written, not linked; the files wholly in copied members are linked.
    @Test func aFileReachingIntoAChangedMemberIsWritten() throws {
        let dir = TestDirectory("lighter-layer-links-through")
        let made = Run.capture(["sh", "-c", """
            cd "$1" && mkdir one && for i in $(seq 0 199); do head -c 3000 /dev/urandom > one/s$i; done \
            && head -c 1500000 /dev/urandom > one/big && touch -d @1000000000 one/* && cp -a one two \
            && printf 'changed!' | dd of=two/big bs=1 seek=1499000 conv=notrunc 2>/dev/null && touch -d @1000000000 two/big one two \
            && tar --sort=name -C one -cf one.tar . && tar --sort=name -C two -cf two.tar .
            """, "sh", dir.path])
        #expect(made.status == 0, "\(made.stderr)")
        // Members cut every 300,000 tar bytes, wherever that falls (Lighter's writer cuts only before
        // a header; another writer may not): the big file spans several.
        func gzip(_ name: String) throws -> [UInt8] {
            var blob: [UInt8] = []
            let tar = try FileSystem.readFile(dir.sub(name))
            for start in stride(from: 0, to: tar.count, by: 300_000) {
                try tar[start..<min(start + 300_000, tar.count)].withUnsafeBytes { (raw) throws in
                    try GzipMemberEncoder(level: 1).encode(raw) { (chunk) throws(LighterError) in blob.append(contentsOf: chunk) }
                }
            }
            return blob
        }
        let one = try gzip("one.tar"), two = try gzip("two.tar")
        let index = try #require(try Self.apply(try dir.write("one.gz", one), into: dir.sub("base")).index)
        // The members of two that one holds byte for byte are the copies, as a delta finds them.
        func members(_ name: String, _ blob: [UInt8]) throws -> [ArraySlice<UInt8>] {
            let mapped = try MappedFile(path: dir.sub(name), what: name)
            let split = try withExtendedLifetime(mapped) { () throws(LighterError) in
                try GzipMembers.split(mapped.bytes, to: nil, limits: LayerLimits(), what: name)
            }
            return split.members.map { blob[$0.offset..<$0.offset + $0.size] }
        }
        var inOne: [ArraySlice<UInt8>: Int] = [:]
        for member in try members("one.gz", one) { inOne[member] = member.startIndex }
        var copies: [LayerLinkSource.Copy] = []
        _ = try dir.write("two.gz", two)
        let twoMembers = try members("two.gz", two)
        for member in twoMembers {
            if let at = inOne[member] { copies.append(.init(offset: Int64(member.startIndex), baseOffset: Int64(at), size: Int64(member.count))) }
        }
        #expect(copies.count >= 2 && copies.count < twoMembers.count, "\(copies.count) copies")
        let applied = try Self.apply(dir.sub("two.gz"), into: dir.sub("new"),
                                     links: [LayerLinkSource(directory: dir.sub("base"), index: index, copies: copies)])
        #expect(applied.linkedFiles > 100 && applied.linkedFiles <= 200, "\(applied.linkedFiles)")
        #expect(Self.inode(dir.sub("new/big")) != Self.inode(dir.sub("base/big")))
        #expect(Run.capture(["cmp", dir.sub("new/big"), dir.sub("two/big")]).status == 0)
        #expect(Run.capture(["sh", "-c", "cd \"$1\"/new && sha256sum * | sort", "sh", dir.path]).stdout
                == Run.capture(["sh", "-c", "cd \"$1\"/two && sha256sum * | sort", "sh", dir.path]).stdout)
    }

    /// Files a later entry of another path removed (a whiteout in the same layer, a parent directory
    /// replaced by a file) are not linked: the base holds something else there. The snapshot made with
    /// links is the one made without.
    @Test func filesRemovedByLaterEntriesAreNotLinked() throws {
        let dir = TestDirectory("lighter-layer-links-removed")
        let made = Run.capture(["python3", "-c", """
            import tarfile, io, sys
            with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
                def add(name, data=None, kind=tarfile.REGTYPE):
                    info = tarfile.TarInfo(name); info.mtime = 1000; info.type = kind
                    if data is not None: info.size = len(data)
                    t.addfile(info, io.BytesIO(data) if data is not None else None)
                add("a", kind=tarfile.DIRTYPE); add("a/f", b"whited out"); add("a/g", b"kept")
                add("d", kind=tarfile.DIRTYPE); add("d/x", b"under a replaced directory")
                add("a/.wh.f", b""); add("d", b"now a file")
            """, dir.sub("layer.tar")])
        #expect(made.status == 0, "\(made.stderr)")
        var blob: [UInt8] = []
        let writer = try GzipLayerWriter(level: 1) { (bytes) throws(LighterError) in blob.append(contentsOf: bytes) }
        let tar = try MappedFile(path: dir.sub("layer.tar"), what: "tar")
        try withExtendedLifetime(tar) { () throws(LighterError) in try writer.write(tar.bytes) }
        try writer.finish()
        let path = try dir.write("blob.gz", blob)
        let index = try #require(try Self.apply(path, into: dir.sub("base")).index)
        let linked = try Self.apply(path, into: dir.sub("new"),
                                    links: [LayerLinkSource(directory: dir.sub("base"), index: index,
                                                            copies: [.init(offset: 0, baseOffset: 0, size: Int64(blob.count))])])
        // a/g and the file d: linked; a/f (a whiteout now) and d/x (gone with its directory): not.
        #expect(linked.linkedFiles == 2, "\(linked.linkedFiles)")
        func listing(_ root: String) -> String {
            Run.capture(["sh", "-c", "cd \"$1\" && find . -printf '%p %y %s\\n' | sort", "sh", root]).stdout
        }
        #expect(listing(dir.sub("new")) == listing(dir.sub("base")) && listing(dir.sub("base")).contains("./a/f c"), "\(listing(dir.sub("new")))")
    }

    @Test func gzipStreamsReadAsLibarchiveReadsThem() throws {
        let dir = TestDirectory("lighter-gzip-stream")
        let (blob, tar) = try Self.layer(in: dir, count: 50)
        let diffID = Digest.of(try FileSystem.readFile(tar))
        // Bytes after the last member that start no other one end the gzip data; the digest covers them.
        let trailing = blob + Array("not gzip".utf8)
        let applied = try Self.apply(try dir.write("trailing.gz", trailing), into: dir.sub("trailing"))
        #expect(applied.diffID == diffID && applied.digest == Digest.of(trailing) && applied.index?.gzipEnd == Int64(blob.count))
        // gzip(1)'s single member reads the same.
        #expect(Run.capture(["sh", "-c", "gzip -c \"$1\" > \"$1\".gz", "sh", tar]).status == 0)
        let single = try Self.apply("\(tar).gz", into: dir.sub("single"))
        #expect(single.diffID == diffID && single.index?.members.count == 1)
        // Cut short: an error that says so.
        do {
            _ = try Self.apply(try dir.write("cut.gz", Array(blob.prefix(blob.count / 2))), into: dir.sub("cut"))
            Issue.record("a cut blob unpacked")
        } catch {
            #expect("\(error)".contains("truncated gzip input") || "\(error)".contains("truncated"), "\(error)")
        }
    }
}
