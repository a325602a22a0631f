#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// What a layer says about its files ends up on disk.
@Suite struct LayerApplierMetadataTests {
    @Test func ownersModesTimesAndXattrsArePreserved() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let root = try temp.directory("root")
        let tar = "\(temp.path)/l.tar"
        // vfs_cap_data v2 with CAP_NET_BIND_SERVICE permitted+effective.
        try makeTar(tar, """
        cap = "\\x01\\x00\\x00\\x02" + "\\x00\\x04\\x00\\x00" + "\\x00" * 12
        d("d", mode=0o750, uid=1000, gid=1001, mtime=1234567)
        f("d/suid", b"#!/bin/sh\\n", mode=0o4755, uid=0, gid=0, mtime=1000000000)
        f("d/sgid", b"x", mode=0o2711, uid=0, gid=50, mtime=1000000001)
        d("d/sticky", mode=0o1777, mtime=7)
        f("d/owned", b"owned", mode=0o600, uid=1234, gid=5678, mtime=2000000000)
        f("d/xattr", b"x", pax_headers={"SCHILY.xattr.user.x": "hello"})
        f("d/cap", b"x", mode=0o755, uid=1234, pax_headers={"SCHILY.xattr.security.capability": cap})
        hl("d/hardlink", "d/suid")
        sl("d/symlink", "/usr/bin/env", uid=33, gid=34, mtime=1500000000,
           pax_headers={"SCHILY.xattr.trusted.lighter": "on-link"})
        dev("d/null", tarfile.CHRTYPE, 1, 3, mode=0o666)
        dev("d/sda", tarfile.BLKTYPE, 8, 1, mode=0o660, gid=6)
        dev("d/fifo", tarfile.FIFOTYPE, 0, 0, mode=0o640, pax_headers={"SCHILY.xattr.user.refused": "EPERM"})
        f("deep/missing/parents/file", b"p")
        """)
        let applied = try applyLayer(tar, into: root)
        #expect(applied.compression == .none)

        let d = lstatPath("\(root)/d")!
        #expect(fileType(d) == S_IFDIR && d.st_mode & 0o7777 == 0o750 && d.st_uid == 1000 && d.st_gid == 1001)
        #expect(d.st_mtim.tv_sec == 1234567)  // set after its contents were created

        let suid = lstatPath("\(root)/d/suid")!
        #expect(suid.st_mode & 0o7777 == 0o4755 && suid.st_uid == 0 && suid.st_gid == 0)
        #expect(suid.st_mtim.tv_sec == 1000000000)
        #expect(lstatPath("\(root)/d/sgid")!.st_mode & 0o7777 == 0o2711)
        #expect(lstatPath("\(root)/d/sgid")!.st_gid == 50)
        #expect(lstatPath("\(root)/d/sticky")!.st_mode & 0o7777 == 0o1777)
        #expect(lstatPath("\(root)/d/sticky")!.st_mtim.tv_sec == 7)

        let owned = lstatPath("\(root)/d/owned")!
        #expect(owned.st_uid == 1234 && owned.st_gid == 5678 && owned.st_mode & 0o7777 == 0o600)
        #expect(try FileSystem.readString("\(root)/d/owned") == "owned")

        #expect(getxattrValue("\(root)/d/xattr", "user.x") == Array("hello".utf8))
        // security.capability survives the chown (set after it) and the file stays owned by 1234.
        let cap: [UInt8] = [1, 0, 0, 2, 0, 4, 0, 0] + [UInt8](repeating: 0, count: 12)
        #expect(getxattrValue("\(root)/d/cap", "security.capability") == cap)
        #expect(lstatPath("\(root)/d/cap")!.st_uid == 1234)

        let hard = lstatPath("\(root)/d/hardlink")!
        #expect(hard.st_ino == suid.st_ino && hard.st_nlink == 2)

        let link = lstatPath("\(root)/d/symlink")!
        #expect(fileType(link) == S_IFLNK && link.st_uid == 33 && link.st_gid == 34)
        #expect(link.st_mtim.tv_sec == 1500000000)
        #expect(readLink("\(root)/d/symlink") == "/usr/bin/env")
        #expect(getxattrValue("\(root)/d/symlink", "trusted.lighter") == Array("on-link".utf8))

        let null = lstatPath("\(root)/d/null")!
        #expect(fileType(null) == S_IFCHR && lighter_major(UInt64(null.st_rdev)) == 1 && lighter_minor(UInt64(null.st_rdev)) == 3)
        #expect(null.st_mode & 0o7777 == 0o666)
        let sda = lstatPath("\(root)/d/sda")!
        #expect(fileType(sda) == S_IFBLK && lighter_major(UInt64(sda.st_rdev)) == 8 && lighter_minor(UInt64(sda.st_rdev)) == 1)
        #expect(sda.st_gid == 6 && sda.st_mode & 0o7777 == 0o660)
        let fifo = lstatPath("\(root)/d/fifo")!
        #expect(fileType(fifo) == S_IFIFO && fifo.st_mode & 0o7777 == 0o640)
        // The kernel takes no user.* xattrs on fifos (EPERM): skipped, as Docker does, not fatal.
        #expect(getxattrValue("\(root)/d/fifo", "user.refused") == nil)

        for parent in ["deep", "deep/missing", "deep/missing/parents"] {
            let st = lstatPath("\(root)/\(parent)")!
            #expect(fileType(st) == S_IFDIR && st.st_mode & 0o7777 == 0o755 && st.st_uid == 0 && st.st_gid == 0)
        }
        #expect(try FileSystem.readString("\(root)/deep/missing/parents/file") == "p")
    }

    @Test func laterEntriesReplaceEarlierOnes() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let root = try temp.directory("root")
        try makeTar("\(temp.path)/l.tar", """
        f("a/b/c", b"first")
        d("a", mode=0o700, uid=5, mtime=99)
        f("file", b"old contents that are longer")
        f("file", b"new")
        d("dir", mode=0o755)
        f("dir/inside", b"x")
        d("dir", mode=0o711, uid=7, mtime=42)
        d("was-dir")
        f("was-dir/child", b"gone")
        f("was-dir", b"now a file")
        f("was-file", b"x")
        d("was-file", mode=0o755)
        f("was-file/child", b"y")
        f("link-target", b"t")
        hl("hard", "link-target")
        f("hard", b"replaced, not written through")
        """)
        _ = try applyLayer("\(temp.path)/l.tar", into: root)
        // Entries in any order: a/b/c created its parents, then a's own entry set a's metadata.
        #expect(try FileSystem.readString("\(root)/a/b/c") == "first")
        let a = lstatPath("\(root)/a")!
        #expect(a.st_mode & 0o7777 == 0o700 && a.st_uid == 5 && a.st_mtim.tv_sec == 99)
        #expect(try FileSystem.readString("\(root)/file") == "new")
        // A directory over a directory keeps its contents and takes the new metadata.
        #expect(try FileSystem.readString("\(root)/dir/inside") == "x")
        let dir = lstatPath("\(root)/dir")!
        #expect(dir.st_mode & 0o7777 == 0o711 && dir.st_uid == 7 && dir.st_mtim.tv_sec == 42)
        #expect(try FileSystem.readString("\(root)/was-dir") == "now a file")
        #expect(fileType(lstatPath("\(root)/was-file")!) == S_IFDIR)
        #expect(try FileSystem.readString("\(root)/was-file/child") == "y")
        #expect(try FileSystem.readString("\(root)/link-target") == "t")
        #expect(try FileSystem.readString("\(root)/hard") == "replaced, not written through")
    }

    @Test func rootEntryAndNonASCIINamesAndEmptyLayers() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let root = try temp.directory("root")
        try makeTar("\(temp.path)/l.tar", """
        d("./", mode=0o755, mtime=77)
        f("./caf\\u00e9/\\u00fcber.txt", b"utf8")
        f("./" + "long/" * 40 + "name", b"long")
        """)
        _ = try applyLayer("\(temp.path)/l.tar", into: root)
        #expect(try FileSystem.readString("\(root)/café/über.txt") == "utf8")
        #expect(try FileSystem.readString(root + "/" + String(repeating: "long/", count: 40) + "name") == "long")
        #expect(lstatPath(root)!.st_mtim.tv_sec == 77)

        // A zero-byte stream reads as an empty archive (as Go's and GNU tar do); 1024 zeros too.
        #expect(try Run.shell("cd '\(temp.path)' && : > empty && head -c 1024 /dev/zero > zeros") == 0)
        for name in ["empty", "zeros"] {
            let dir = try temp.directory("root-\(name)")
            let applied = try applyLayer("\(temp.path)/\(name)", into: dir)
            #expect(try FileSystem.list(dir).isEmpty)
            #expect(applied.diffID == Digest.of(try FileSystem.readFile("\(temp.path)/\(name)")))
        }
    }

    @Test func nonUTF8NamesLandByteForByte() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let root = try temp.directory("root")
        // An old GNU tar with latin-1 names: "caf\xe9" is not UTF-8.
        #expect(try Run.shell(#"""
        python3 -c 'import tarfile,io,sys
        t = tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape")
        def add(name, kind=tarfile.REGTYPE, data=b"", link=""):
            ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        add("dir\udce9", tarfile.DIRTYPE)
        add("dir\udce9/caf\udce9", data=b"latin")
        add("hard\udce9", tarfile.LNKTYPE, link="dir\udce9/caf\udce9")
        add("sym", tarfile.SYMTYPE, link="dir\udce9/caf\udce9")
        add("dir\udce9/.wh.gone\udce9")
        t.close()' '\#(temp.path)/latin.tar'
        """#) == 0)
        _ = try applyLayer("\(temp.path)/latin.tar", into: root)
        // Check through the shell, whose printf writes the raw byte.
        #expect(try Run.shell("cd '\(root)' && test \"$(cat \"$(printf 'dir\\351/caf\\351')\")\" = latin && "
            + "test \"$(cat \"$(printf 'hard\\351')\")\" = latin && test \"$(readlink sym)\" = \"$(printf 'dir\\351/caf\\351')\" && "
            + "test -c \"$(printf 'dir\\351/gone\\351')\"") == 0)
    }

    @Test func whiteoutsBecomeOverlayWhiteouts() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let root = try temp.directory("root")
        try makeTar("\(temp.path)/l.tar", """
        f(".wh.gone")
        d("dir")
        f("dir/.wh..wh..opq")
        f("dir/keep", b"k")
        f("new/.wh..wh..opq")
        f("replaced", b"x")
        f(".wh.replaced")
        f(".wh..wh.plnk/123.456", b"aufs metadata")
        """)
        _ = try applyLayer("\(temp.path)/l.tar", into: root)
        for name in ["gone", "replaced"] {
            let st = lstatPath("\(root)/\(name)")!
            #expect(fileType(st) == S_IFCHR && st.st_rdev == 0)
            #expect(lstatPath("\(root)/.wh.\(name)") == nil)
        }
        #expect(getxattrValue("\(root)/dir", "trusted.overlay.opaque") == Array("y".utf8))
        #expect(getxattrValue("\(root)/new", "trusted.overlay.opaque") == Array("y".utf8))
        #expect(try FileSystem.list("\(root)/dir") == ["keep"])
        #expect(try FileSystem.list(root) == ["dir", "gone", "new", "replaced"])
    }

    @Test func overlayMountOfTwoLayersHidesWhiteouts() throws {
        let temp = TestDirectory("lighter-archive-test")
        defer { temp.remove() }
        let lower = try temp.directory("layer1"), upper = try temp.directory("layer2"), merged = try temp.directory("merged")
        try makeTar("\(temp.path)/1.tar", """
        f("hidden", b"lower")
        f("kept", b"lower")
        f("opaque/old", b"lower")
        f("plain/old", b"lower")
        """)
        try makeTar("\(temp.path)/2.tar", """
        f(".wh.hidden")
        f("opaque/.wh..wh..opq")
        f("opaque/new", b"upper")
        f("plain/new", b"upper")
        """)
        _ = try applyLayer("\(temp.path)/1.tar", into: lower)
        _ = try applyLayer("\(temp.path)/2.tar", into: upper)
        try syscall("mount", merged) { mount("overlay", merged, "overlay", 0, "lowerdir=\(upper):\(lower)") }
        defer { umount2(merged, Int32(MNT_DETACH)) }
        #expect(try FileSystem.list(merged) == ["kept", "opaque", "plain"])
        #expect(try FileSystem.list("\(merged)/opaque") == ["new"])
        #expect(try FileSystem.list("\(merged)/plain") == ["new", "old"])
        #expect(try FileSystem.readString("\(merged)/kept") == "lower")
    }
}
