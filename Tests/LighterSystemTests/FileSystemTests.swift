#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

@Suite struct FileSystemTests {
    @Test func removeTreeRemovesNamesThatAreNotUTF8() throws {
        let dir = TestDirectory("lighter-fs")
        // Latin-1 names, as old layers carry them: bytes that are not valid UTF-8.
        let made = Run.capture(["python3", "-c", """
            import os
            os.makedirs(b'\(dir.path)/tree/caf\\xe9/sub', exist_ok=True)
            open(b'\(dir.path)/tree/caf\\xe9/sub/f\\xff', 'w').write('x')
            os.symlink(b'/etc/passwd', b'\(dir.path)/tree/link\\xfe')
            """])
        #expect(made.status == 0, "\(made.stderr)")
        try FileSystem.removeTree(dir.sub("tree"))
        #expect(!FileSystem.exists(dir.sub("tree")))
        #expect(FileSystem.exists("/etc/passwd"))   // the symlink was removed, not followed
    }

    @Test func removeTreeRefusesToCrossAMountPoint() throws {
        let dir = TestDirectory("lighter-fs")
        try FileSystem.makeDirectories(dir.sub("tree/mnt"))
        try syscall("mount tmpfs") { mount("tmpfs", dir.sub("tree/mnt"), "tmpfs", 0, nil) }
        defer { umount2(dir.sub("tree/mnt"), Int32(MNT_DETACH)) }
        try FileSystem.writeDurably(Array("keep".utf8), to: dir.sub("tree/mnt/precious"))
        expectError(.conflict) { try FileSystem.removeTree(dir.sub("tree")) }
        #expect(FileSystem.exists(dir.sub("tree/mnt/precious")))
    }

    @Test func isMountPointSeesMountsNotDirectoriesOrSymlinks() throws {
        let dir = TestDirectory("lighter-fs")
        try FileSystem.makeDirectories(dir.sub("mnt"))
        try FileSystem.makeDirectories(dir.sub("plain"))
        #expect(symlink(dir.sub("mnt"), dir.sub("link")) == 0)
        #expect(!FileSystem.isMountPoint(dir.sub("mnt")))
        try syscall("mount tmpfs") { mount("tmpfs", dir.sub("mnt"), "tmpfs", 0, nil) }
        #expect(FileSystem.isMountPoint(dir.sub("mnt")))
        #expect(!FileSystem.isMountPoint(dir.sub("plain")))
        #expect(!FileSystem.isMountPoint(dir.sub("link")))   // the link itself is not a mount point
        #expect(!FileSystem.isMountPoint(dir.sub("missing")))
        try syscall("umount") { umount2(dir.sub("mnt"), Int32(MNT_DETACH)) }
        #expect(!FileSystem.isMountPoint(dir.sub("mnt")))
    }

    @Test func writeDurablyReplacesWholeFilesAndLeavesNoTemporaries() throws {
        let dir = TestDirectory("lighter-fs")
        try FileSystem.writeDurably(Array("one".utf8), to: dir.sub("f"))
        try FileSystem.writeDurably(Array("two".utf8), to: dir.sub("f"))
        #expect(try FileSystem.readString(dir.sub("f")) == "two")
        #expect(try FileSystem.list(dir.path) == ["f"])
        expectError(.system) { try FileSystem.writeDurably([1], to: dir.sub("missing/dir/f")) }
    }

    @Test func writeThrowawayReplacesByExchangeAndLeavesNoTemporaries() throws {
        let dir = TestDirectory("lighter-fs")
        try FileSystem.writeThrowaway(Array("one".utf8), to: dir.sub("f"))   // no old file: a plain rename
        var before = stat()
        #expect(stat(dir.sub("f"), &before) == 0)
        try FileSystem.writeThrowaway(Array("two".utf8), to: dir.sub("f"), mode: 0o600)
        var after = stat()
        #expect(stat(dir.sub("f"), &after) == 0)
        #expect(after.st_ino != before.st_ino && after.st_mode & 0o777 == 0o600)
        #expect(try FileSystem.readString(dir.sub("f")) == "two")
        #expect(try FileSystem.list(dir.path) == ["f"])
        expectError(.system) { try FileSystem.writeThrowaway([1], to: dir.sub("missing/dir/f")) }
    }

    @Test func byteSizesParseLikeDockers() throws {
        #expect(try ByteSize.parse("32m", flag: "-m") == 32 << 20)
        #expect(try ByteSize.parse("1g", flag: "-m") == 1 << 30)
        #expect(try ByteSize.parse("10k", flag: "-m") == 10 << 10)
        #expect(try ByteSize.parse("512", flag: "-m") == 512)
        #expect(try ByteSize.parse("1.5GB", flag: "-m") == 3 << 29)
        #expect(throws: LighterError.invalidArgument("-m=lots: not a size (e.g. 512k, 32m, 1g)")) { try ByteSize.parse("lots", flag: "-m") }
        expectError(.invalidArgument) { try ByteSize.parse("-1m", flag: "-m") }
    }

    @Test func timesFormatAndParseRFC3339() {
        #expect(Time.rfc3339(seconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Time.rfc3339(seconds: 1, nanoseconds: 500_000_000) == "1970-01-01T00:00:01.5Z")
        #expect(Time.parseRFC3339("2026-11-29T06:49:43.123Z") == 1_795_934_983)
        #expect(Time.parseRFC3339("2026-11-29T07:49:43+01:00") == 1_795_934_983)
        #expect(Time.parseRFC3339("yesterday") == nil)
        #expect(Time.humanSize(2_040_000) == "2.04MB")
        #expect(Time.humanSize(999) == "999B")
        // go-units' HumanSize (four digits), as `docker system df` prints sizes.
        #expect(Time.humanSize(2_043_904, precision: 4) == "2.044MB")
        #expect(Time.humanSize(16_384, precision: 4) == "16.38kB")
        #expect(Time.humanSize(16_384) == "16.4kB")
        #expect(Time.humanSize(2_000_000, precision: 4) == "2MB")
    }
}
