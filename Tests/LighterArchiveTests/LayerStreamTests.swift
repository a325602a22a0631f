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

/// Compression, digests, limits and broken streams.
@Suite struct LayerStreamTests {
    /// A small layer as plain tar, tar+gzip and tar+zstd.
    func layerFiles(_ temp: TestDirectory) throws -> (tar: String, gz: String, zst: String) {
        let tar = "\(temp.path)/layer.tar"
        try makeTar(tar, """
        d("etc")
        f("etc/hostname", b"lighter\\n")
        f("bin/tool", bytes(range(256)) * 300, mode=0o755)
        """)
        #expect(try Run.shell("gzip -c '\(tar)' > '\(tar).gz' && zstd -q -c '\(tar)' > '\(tar).zst'") == 0)
        return (tar, tar + ".gz", tar + ".zst")
    }

    @Test func gzipAndZstdGiveTheSameDiffIDAsPlainTar() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let files = try layerFiles(temp)
        let plain = try FileSystem.readFile(files.tar)
        let diffID = Digest.of(plain)
        for (file, compression) in [(files.tar, Compression.none), (files.gz, .gzip), (files.zst, .zstd)] {
            let bytes = try FileSystem.readFile(file)
            let root = try temp.directory("root-\(compression.rawValue)")
            let applied = try applyLayer(file, into: root, expected: Digest.of(bytes))
            #expect(applied.compression == compression)
            #expect(applied.diffID == diffID)
            #expect(applied.uncompressedSize == Int64(plain.count))
            #expect(applied.digest == Digest.of(bytes))
            #expect(applied.size == Int64(bytes.count))
            #expect(try FileSystem.readString("\(root)/etc/hostname") == "lighter\n")
            #expect(try FileSystem.readFile("\(root)/bin/tool") == Array((0..<300).flatMap { _ in (0..<256).map { UInt8($0) } }))
        }
        // The digest really is what sha256sum says about the blob.
        #expect(try Run.shell("sha256sum '\(files.gz)' | cut -c1-64 > '\(temp.path)/sum'") == 0)
        let sum = try FileSystem.readString("\(temp.path)/sum").trimmingSuffix()
        #expect(sum == Digest.of(try FileSystem.readFile(files.gz)).hex)
    }

    @Test func bzip2AndXzLayersAreReadToo() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let files = try layerFiles(temp)
        #expect(try Run.shell("bzip2 -c '\(files.tar)' > '\(files.tar).bz2' && xz -c '\(files.tar)' > '\(files.tar).xz'") == 0)
        let diffID = Digest.of(try FileSystem.readFile(files.tar))
        for (suffix, compression) in [("bz2", Compression.bzip2), ("xz", .xz)] {
            let applied = try applyLayer("\(files.tar).\(suffix)", into: try temp.directory("root-\(suffix)"))
            #expect(applied.compression == compression)
            #expect(applied.diffID == diffID)
            #expect(applied.digest == Digest.of(try FileSystem.readFile("\(files.tar).\(suffix)")))
        }
    }

    @Test func decompressCopiesThePlainTarAndReportsBothDigests() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let files = try layerFiles(temp)
        let plain = try FileSystem.readFile(files.tar)
        for file in [files.tar, files.gz, files.zst] {
            let input = try FileSystem.readFile(file)
            let out = "\(file).out"
            let result = try LayerStream.decompress(from: FileDescriptor(path: file, flags: O_RDONLY),
                                                    to: FileDescriptor(path: out, flags: O_WRONLY | O_CREAT | O_TRUNC),
                                                    limits: LayerLimits())
            #expect(try FileSystem.readFile(out) == plain)
            #expect(result.output == Digest.of(plain))
            #expect(result.outputSize == Int64(plain.count))
            #expect(result.input == Digest.of(input))
            #expect(result.inputSize == Int64(input.count))
        }
    }

    @Test func layerReadFromAPipeHashesEveryByte() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let files = try layerFiles(temp)
        // Trailing bytes after the gzip stream still count for the blob digest.
        #expect(try Run.shell("cat '\(files.gz)' > '\(temp.path)/padded.gz' && head -c 4096 /dev/zero >> '\(temp.path)/padded.gz'") == 0)
        let bytes = try FileSystem.readFile("\(temp.path)/padded.gz")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let reader = FileDescriptor(adopting: fds[0])
        // The write end is the shell's stdout; the background cat keeps writing after the shell exits.
        let writerStatus = try Run.shell("cat '\(temp.path)/padded.gz' &", stdout: fds[1])
        #expect(writerStatus == 0)
        _ = close(fds[1])
        let root = try temp.directory("root")
        let applied = try LayerApplier.apply(from: reader, into: root, expectedDigest: nil, limits: LayerLimits())
        #expect(applied.digest == Digest.of(bytes))
        #expect(applied.size == Int64(bytes.count))
        #expect(applied.diffID == Digest.of(try FileSystem.readFile(files.tar)))
    }

    @Test func digestMismatchIsReported() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let files = try layerFiles(temp)
        let wrong = Digest.of(Array("something else".utf8))
        do {
            _ = try applyLayer(files.gz, into: try temp.directory("root"), expected: wrong)
            Issue.record("a wrong expected digest was accepted")
        } catch {
            guard case .digestMismatch(_, let expected, let actual) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(expected == wrong.description)
            #expect(actual == Digest.of(try FileSystem.readFile(files.gz)).description)
        }
    }

    @Test func decompressionBombStopsAtTheLimit() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let tar = "\(temp.path)/bomb.tar"
        try makeTar(tar, #"f("zeros", bytes(8 << 20))"#)
        #expect(try Run.shell("gzip -c '\(tar)' > '\(tar).gz' && zstd -q -c '\(tar)' > '\(tar).zst'") == 0)
        let limits = LayerLimits(maxUncompressedBytes: 1 << 20)
        for file in [tar, tar + ".gz", tar + ".zst"] {
            let root = try temp.directory("root-\(FileSystem.basename(of: file))")
            expectError(.limitExceeded) { _ = try applyLayer(file, into: root, limits: limits) }
            do { _ = try applyLayer(file, into: try temp.directory("again-\(FileSystem.basename(of: file))"), limits: limits) }
            catch { #expect(isLimit(error), "\(error)") }
            // Less than the limit reached the disk.
            #expect(FileSystem.diskUsage(root) <= 2 << 20)
            let devNull = try FileDescriptor(path: "/dev/null", flags: O_WRONLY)
            do {
                _ = try LayerStream.decompress(from: FileDescriptor(path: file, flags: O_RDONLY), to: devNull, limits: limits)
                Issue.record("decompress ignored the limit")
            } catch { #expect(isLimit(error), "\(error)") }
        }
    }

    @Test func limitIsInclusive() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let files = try layerFiles(temp)
        let size = Int64(try FileSystem.readFile(files.tar).count)
        let exact = try applyLayer(files.zst, into: try temp.directory("exact"), limits: LayerLimits(maxUncompressedBytes: size))
        #expect(exact.uncompressedSize == size)
        do {
            _ = try applyLayer(files.zst, into: try temp.directory("under"), limits: LayerLimits(maxUncompressedBytes: size - 1))
            Issue.record("one byte over the limit was accepted")
        } catch { #expect(isLimit(error), "\(error)") }
    }

    func isLimit(_ error: any Error) -> Bool {
        if case .limitExceeded? = error as? LighterError { return true }
        return false
    }

    func isMalformed(_ error: any Error) -> Bool {
        if case .malformed? = error as? LighterError { return true }
        return false
    }

    @Test func truncatedAndGarbageStreamsAreMalformed() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let tar = "\(temp.path)/big.tar"
        try makeTar(tar, #"f("a", bytes(range(256)) * 4000); f("b", b"tail")"#)
        let size = try FileSystem.readFile(tar).count
        #expect(try Run.shell("""
        cd '\(temp.path)' && gzip -c big.tar > big.tar.gz && zstd -q -c big.tar > big.tar.zst && \
        head -c \(size / 2) big.tar > cut.tar && \
        head -c $(( $(stat -c %s big.tar.gz) / 2 )) big.tar.gz > cut.tar.gz && \
        head -c $(( $(stat -c %s big.tar.zst) / 2 )) big.tar.zst > cut.tar.zst && \
        head -c 10 big.tar.gz > header-only.gz && \
        cp big.tar bad-checksum.tar && printf 'X' | dd of=bad-checksum.tar bs=1 seek=$(( 512 + 4000 * 256 + 20 )) conv=notrunc status=none && \
        head -c 100000 /dev/urandom > garbage && printf 'not a tar at all' > text
        """) == 0)
        for name in ["cut.tar", "cut.tar.gz", "cut.tar.zst", "header-only.gz", "bad-checksum.tar", "garbage", "text"] {
            do {
                _ = try applyLayer("\(temp.path)/\(name)", into: try temp.directory("root-\(name)"))
                Issue.record("\(name) was accepted")
            } catch { #expect(isMalformed(error), "\(name): \(error)") }
        }
        for name in ["cut.tar.gz", "cut.tar.zst"] {
            let devNull = try FileDescriptor(path: "/dev/null", flags: O_WRONLY)
            do {
                _ = try LayerStream.decompress(from: FileDescriptor(path: "\(temp.path)/\(name)", flags: O_RDONLY),
                                               to: devNull, limits: LayerLimits())
                Issue.record("decompress accepted \(name)")
            } catch { #expect(isMalformed(error), "\(name): \(error)") }
        }
    }
}

extension String {
    func trimmingSuffix() -> String {
        var s = self
        while s.last == "\n" || s.last == " " { s.removeLast() }
        return s
    }
}
