#if canImport(Glibc)
import Glibc
#endif
import CLighter
import Testing
@testable import LighterEngine
import LighterSystem
import LighterTestSupport

/// How `cp` finds a path of a stopped container: the longest mount destination holding it leads to the mount's
/// host source, the rest stays inside that source (or the root) through RESOLVE_IN_ROOT.
@Suite struct CopyRootTests {
    @Test func lexicalPathsAndTheLongestMount() {
        #expect(CopyRoot.lexical("a/../b/./c/") == "/b/c")
        #expect(CopyRoot.lexical("/../..") == "/")
        let root = CopyRoot(root: nil, label: "test", mounts: [
            CopyRoot.Mount(destination: "/data", source: "/v1", readOnly: false),
            CopyRoot.Mount(destination: "/data/inner", source: "/v2", readOnly: true),
        ], viaMounts: true)
        #expect(root.mount(holding: "/data/x")?.0.source == "/v1")
        #expect(root.mount(holding: "/data/x")?.1 == "x")
        #expect(root.mount(holding: "/data/inner/y/z")?.0.source == "/v2")
        #expect(root.mount(holding: "/data/inner/y/z")?.1 == "y/z")
        #expect(root.mount(holding: "/data/../data")?.1 == "")
        #expect(root.mount(holding: "/database") == nil)
        #expect(throws: LighterError.self) { try root.refuseReadOnlyMount("/data/inner/f") }
        #expect(throws: Never.self) { try root.refuseReadOnlyMount("/data/f") }
    }

    @Test func mountedFilesAndDirectoriesAreTheirSources() throws {
        let dir = TestDirectory("lighter-copyroot")
        try FileSystem.makeDirectories(dir.sub("rootfs/etc"))
        try FileSystem.makeDirectories(dir.sub("rootfs/data"))
        try FileSystem.makeDirectories(dir.sub("volume/_data/sub"))
        try FileSystem.writeDurably(Array("image\n".utf8), to: dir.sub("rootfs/etc/hostname"))
        try FileSystem.writeDurably(Array("container\n".utf8), to: dir.sub("hostname"))
        // A link in the volume to "/" stays inside the volume.
        try syscall("symlink") { symlink("/", dir.sub("volume/_data/up")) }
        let fd = try syscall("open") { lighter_open(dir.sub("rootfs"), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        let root = CopyRoot(root: FileDescriptor(adopting: fd), label: "test", mounts: [
            CopyRoot.Mount(destination: "/etc/hostname", source: dir.sub("hostname"), readOnly: false),
            CopyRoot.Mount(destination: "/data", source: dir.sub("volume/_data"), readOnly: false),
        ], viaMounts: true)
        let (parent, name) = try root.parent(of: "/etc/hostname")
        #expect(name == "hostname")
        let file = FileDescriptor(adopting: try syscall("openat") { lighter_openat(parent.rawValue, name, O_RDONLY | O_CLOEXEC, 0) })
        #expect(String(decoding: try file.readAll(), as: UTF8.self) == "container\n")
        #expect(try root.parent(of: "/data").1 == "_data")
        #expect(try root.directory("/data/sub") != nil)
        #expect(try root.directory("/data/up/sub") != nil)
        #expect(try root.directory("/data/up/etc") == nil)
    }
}
