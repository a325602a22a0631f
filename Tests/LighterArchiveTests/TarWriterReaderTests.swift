#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

@Suite struct TarWriterReaderTests {
    /// Too long for ustar's name and prefix fields: needs a pax header.
    static let longName = "blobs/sha256/" + String(repeating: "0123456789abcdef", count: 8) + "/with-a-name-longer-than-ustar-allows-"
        + String(repeating: "x", count: 80)

    func write(_ path: String, source: String) throws {
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        let writer = try TarWriter(writingTo: fd)
        try writer.addDirectory("blobs")
        try writer.addDirectory("blobs/sha256/")
        try writer.addFile("manifest.json", bytes: Array(#"[{"Config":"c.json"}]"#.utf8))
        try writer.addFile("blobs/sha256/layer", contentsOf: source)
        try writer.addFile(Self.longName, bytes: Array("long".utf8), mtime: 1700000000)
        try writer.addFile("empty", bytes: [])
        try writer.addSymlink("layer.tar", target: "blobs/sha256/layer")
        try writer.finish()
        try fd.close()
    }

    @Test func outputIsDeterministicAndReadableByTar() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let source = "\(temp.path)/source"
        try FileSystem.writeDurably((0..<100_000).map { UInt8($0 % 251) }, to: source)
        try write("\(temp.path)/a.tar", source: source)
        try write("\(temp.path)/b.tar", source: source)
        let a = try FileSystem.readFile("\(temp.path)/a.tar")
        #expect(a == (try FileSystem.readFile("\(temp.path)/b.tar")))
        #expect(a.count % 512 == 0)
        // A pax header was needed, and no process id or time leaks into its name.
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.contains("PaxHeader/") && !text.contains("PaxHeader."))

        #expect(try Run.shell("tar -tvf '\(temp.path)/a.tar' > '\(temp.path)/list'") == 0)
        let listing = try FileSystem.readString("\(temp.path)/list").split(separator: "\n").map(String.init)
        #expect(listing.count == 7)
        #expect(listing.first { $0.hasSuffix(" manifest.json") }?.hasPrefix("-rw-r--r-- 0/0") == true)
        #expect(listing.first { $0.hasSuffix(" blobs/") }?.hasPrefix("drwxr-xr-x 0/0") == true)
        #expect(listing.contains { $0.hasSuffix(Self.longName) && $0.contains("2023-11-14") })
        #expect(listing.contains { $0.hasSuffix(" 1970-01-01 00:00 manifest.json") })
        #expect(listing.contains { $0.hasSuffix("layer.tar -> blobs/sha256/layer") })
        // GNU tar extracts the same bytes.
        let out = try temp.directory("x")
        #expect(try Run.shell("tar -xf '\(temp.path)/a.tar' -C '\(out)' && cmp '\(source)' '\(out)/blobs/sha256/layer'") == 0)
    }

    @Test func readerReadsBackNamesTypesAndBytes() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let source = "\(temp.path)/source"
        let sourceBytes = (0..<300_000).map { UInt8($0 % 253) }
        try FileSystem.writeDurably(sourceBytes, to: source)
        try write("\(temp.path)/a.tar", source: source)
        #expect(try Run.shell("cd '\(temp.path)' && gzip -c a.tar > a.tar.gz && zstd -q -c a.tar > a.tar.zst") == 0)
        for file in ["a.tar", "a.tar.gz", "a.tar.zst"] {
            let reader = try TarReader(readingFrom: FileDescriptor(path: "\(temp.path)/\(file)", flags: O_RDONLY))
            var seen: [TarEntry] = []
            while let entry = try reader.next() {
                seen.append(entry)
                switch entry.name {
                case "manifest.json": #expect(try reader.readData() == Array(#"[{"Config":"c.json"}]"#.utf8))
                case "blobs/sha256/layer":
                    let copy = try FileDescriptor(path: "\(temp.path)/copy", flags: O_WRONLY | O_CREAT | O_TRUNC)
                    #expect(try reader.copyData(to: copy) == Int64(sourceBytes.count))
                    #expect(try FileSystem.readFile("\(temp.path)/copy") == sourceBytes)
                case Self.longName: #expect(try reader.readData() == Array("long".utf8))
                default: break  // data not read: next() skips it
                }
            }
            #expect(seen.map(\.name) == ["blobs", "blobs/sha256", "manifest.json", "blobs/sha256/layer", Self.longName,
                                         "empty", "layer.tar"])
            #expect(seen.map(\.type) == [.directory, .directory, .file, .file, .file, .file, .symlink])
            #expect(seen[3].size == Int64(sourceBytes.count))
            #expect(seen[6].linkTarget == "blobs/sha256/layer")
        }
    }

    @Test func readerNormalizesNamesAndRefusesEscapes() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        try makeTar("\(temp.path)/ok.tar", #"d("./"); f("./a/./b", b"1"); f("/abs", b"2"); hl("./h", "/a/b")"#)
        let reader = try TarReader(readingFrom: FileDescriptor(path: "\(temp.path)/ok.tar", flags: O_RDONLY))
        var names: [String] = []
        var last: TarEntry?
        while let entry = try reader.next() { names.append(entry.name); last = entry }
        #expect(names == [".", "a/b", "abs", "h"])
        #expect(last?.type == .hardlink && last?.linkTarget == "a/b")

        try makeTar("\(temp.path)/bad.tar", #"f("ok", b"1"); f("../evil", b"2")"#)
        let bad = try TarReader(readingFrom: FileDescriptor(path: "\(temp.path)/bad.tar", flags: O_RDONLY))
        #expect(try bad.next()?.name == "ok")
        #expect(throws: LighterError.unsafeArchive(entry: "../evil", reason: "path climbs above the layer root")) {
            _ = try bad.next()
        }
    }

    @Test func readDataRefusesOversizedMembers() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        try makeTar("\(temp.path)/big.tar", #"f("big", bytes(5000))"#)
        let reader = try TarReader(readingFrom: FileDescriptor(path: "\(temp.path)/big.tar", flags: O_RDONLY))
        _ = try reader.next()
        expectError(.limitExceeded) { _ = try reader.readData(maxBytes: 4096) }
    }

    @Test func writerRefusesUnsafeNames() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let writer = try TarWriter(writingTo: FileDescriptor(path: "\(temp.path)/w.tar", flags: O_WRONLY | O_CREAT))
        for name in ["", "/abs", "../up", "a/../b", "a//b", "./a"] {
            #expect(throws: LighterError.invalidArgument("tar member name \"\(name)\" must be a relative path without empty, \".\" or \"..\" components")) { try writer.addFile(name, bytes: [1]) }
        }
    }
}
