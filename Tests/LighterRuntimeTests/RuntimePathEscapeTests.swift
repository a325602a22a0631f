#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
@testable import LighterRuntime
import LighterSystem
import LighterTestSupport

/// Exploits that must fail: an image (or a neighbour sharing a volume) whose mount targets, /dev entries,
/// /proc or working directory are symlinks or magic links pointing out of the root filesystem. In every case a
/// marker directory outside is unchanged and nothing is mounted on it.
@Suite(.serialized) struct RuntimePathEscapeTests {
    /// A host directory outside every rootfs, holding one file; `unchanged` checks it is as made.
    final class Marker {
        let path: String
        init() throws {
            path = "/tmp/lighter-escape-marker-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
            try FileSystem.makeDirectories(path)
            try FileSystem.writeDurably(Array("marker\n".utf8), to: "\(path)/marker")
        }
        func unchanged() throws -> Bool {
            try FileSystem.list(path) == ["marker"] && FileSystem.readString("\(path)/marker") == "marker\n"
                && BusyboxBundle.hostMounts(mentioning: path).isEmpty
        }
        deinit { try? FileSystem.removeTree(path) }
    }

    /// Run the bundle: its exit code and output, or the start error's code and message.
    static func run(_ bundle: BusyboxBundle) throws -> (code: Int32, stdout: String, stderr: String) {
        do {
            let output = try bundle.run()
            return (output.status.code, output.stdout, output.stderr)
        } catch let error as LighterError {
            return (error.exitCode, "", error.description)
        }
    }

    @Test func rootDirectoryKeepsSymlinksInside() throws {
        let root = TestDirectory("lighter-rootdir")
        let marker = try Marker()
        try FileSystem.makeDirectories(root.sub("real"))
        try syscall("symlink") { symlink(marker.path, root.sub("escape")) }
        try syscall("symlink") { symlink("../../../..\(marker.path)", root.sub("rel")) }
        try syscall("symlink") { symlink("/proc/self/root", root.sub("magic")) }
        try syscall("symlink") { symlink("real", root.sub("inside")) }
        let dir = try RootDirectory(path: root.path, label: "test root")
        // A link to a host path is taken inside the root: what is missing is made there, never on the host.
        #expect(try dir.open("/escape/marker") == nil)
        _ = try dir.target("/escape/made")
        _ = try dir.target("/rel/file", file: true)
        #expect(FileSystem.isDirectory(root.sub("\(marker.path)/made")))
        #expect(FileSystem.lstatOrNil(root.sub("\(marker.path)/file")).map { $0.st_mode & S_IFMT } == S_IFREG)
        // "/proc/self/root" is a plain path inside this root (no procfs there): made, inside.
        _ = try dir.target("/magic/tmp")
        #expect(FileSystem.isDirectory(root.sub("proc/self/root/tmp")))
        try syscall("symlink") { symlink("loop", root.sub("loop")) }
        #expect(throws: LighterError.self) { try dir.target("/loop/x") }
        #expect(throws: LighterError.self) { try dir.target("/inside/x", noSymlinks: true) }
        // Links inside the root are followed there, missing components are made.
        _ = try dir.target("/inside/a/b")
        _ = try dir.target("/../../inside/f", file: true)
        #expect(FileSystem.isDirectory(root.sub("real/a/b")))
        #expect(FileSystem.exists(root.sub("real/f")))
        #expect(try marker.unchanged())
    }

    /// `-v`, tmpfs, `/etc/hostname` and `/dev` targets that are symlinks to a host path: the mounts land in the
    /// rootfs at that path (made there), nothing outside changes.
    @Test func mountTargetsThatAreSymlinksOutStayInTheRoot() throws {
        let marker = try Marker()
        let bundle = try BusyboxBundle(args: ["sh", "-c",
            "echo v > /vol/v && echo t > /scratch/t && cat /etc/hostname && test -c /dev/null && echo > /dev/null && echo ok"])
        defer { bundle.cleanUp() }
        let volume = TestDirectory("lighter-escape-volume")
        try FileSystem.writeDurably(Array("from-host\n".utf8), to: "\(bundle.directory)/hostname")
        // Nothing is at the marker's path in the rootfs: the links resolve there, and what is missing is made there.
        try FileSystem.removeTree("\(bundle.rootfs)/dev")
        for (link, target) in [("vol", "\(marker.path)/vol"), ("scratch", "../../..\(marker.path)/s"), ("dev", "\(marker.path)/dev"),
                               ("etc/hostname", "\(marker.path)/hostname")] {
            try syscall("symlink") { symlink(target, "\(bundle.rootfs)/\(link)") }
        }
        bundle.spec.mounts = (bundle.spec.mounts ?? []) + [
            RuntimeSpec.Mount(destination: "/etc/hostname", type: "bind", source: "\(bundle.directory)/hostname", options: ["rbind"]),
            RuntimeSpec.Mount(destination: "/vol", type: "bind", source: volume.path, options: ["rbind"]),
            RuntimeSpec.Mount(destination: "/scratch", type: "tmpfs", source: "tmpfs", options: []),
        ]
        let output = try Self.run(bundle)
        #expect(output.code == 0, "\(output.stderr)")
        #expect(output.stdout == "from-host\nok\n")
        #expect(try FileSystem.readString(volume.sub("v")) == "v\n")
        #expect(try marker.unchanged())
    }

    /// Device nodes whose directory is a symlink out, and a node name that is a symlink to a host file: created
    /// in the rootfs (the link replaced, never followed), owned as the spec says.
    @Test func deviceNodesAreMadeInsideTheRoot() throws {
        let marker = try Marker()
        let bundle = try BusyboxBundle(args: ["sh", "-c", "stat -c '%t:%T %u' /devices/zero /etc/escape"])
        defer { bundle.cleanUp() }
        try FileSystem.makeDirectories("\(bundle.rootfs)\(marker.path)")
        try syscall("symlink") { symlink(marker.path, "\(bundle.rootfs)/devices") }
        try syscall("symlink") { symlink("\(marker.path)/marker", "\(bundle.rootfs)/etc/escape") }
        bundle.spec.linux?.devices = [
            RuntimeSpec.Device(type: "c", path: "/devices/zero", major: 1, minor: 5, fileMode: 0o600, uid: 1234, gid: 1234),
            RuntimeSpec.Device(type: "c", path: "/etc/escape", major: 1, minor: 5, fileMode: 0o600, uid: 1234, gid: 1234),
        ]
        let output = try Self.run(bundle)
        #expect(output.code == 0, "\(output.stderr)")
        #expect(output.stdout == "1:5 1234\n1:5 1234\n")
        #expect(try marker.unchanged())
    }

    /// An image whose /proc or /sys is a symlink: refused with a message naming it (the masks and sysctls go
    /// through a procfs that is checked to be one).
    @Test(arguments: ["proc", "sys"])
    func procAndSysMustNotBeSymlinks(name: String) throws {
        let marker = try Marker()
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        try FileSystem.removeTree("\(bundle.rootfs)/\(name)")
        try FileSystem.makeDirectories("\(bundle.rootfs)\(marker.path)")
        try syscall("symlink") { symlink(marker.path, "\(bundle.rootfs)/\(name)") }
        let output = try Self.run(bundle)
        #expect(output.code == 125)
        #expect(output.stderr.contains("/\(name) in the container's root filesystem is (or passes through) a symlink"), "\(output.stderr)")
        #expect(try marker.unchanged())
    }

    /// The masks hold: /proc/sys stays read-only (a remount is refused), a masked /proc file reads empty.
    @Test func maskedAndReadOnlyProcPathsStopWrites() throws {
        let script = "v=$(cat /proc/sys/vm/swappiness); (echo $v > /proc/sys/vm/swappiness) 2>&1; "
            + "mount -o remount,rw /proc/sys 2>/dev/null || echo refused; (echo $v > /proc/sys/vm/swappiness) 2>&1; "
            + "wc -c < /proc/timer_list; echo done"
        let bundle = try BusyboxBundle(args: ["sh", "-c", script])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(output.stdout) \(output.stderr)")
        #expect(lines.first?.contains("Read-only file system") == true, "\(output.stdout)")
        #expect(lines.dropFirst().first == "refused")
        #expect(lines.dropFirst(2).first?.contains("Read-only file system") == true, "\(output.stdout)")
        #expect(lines.suffix(2) == ["0", "done"])
    }

    /// A bind's flags are set on the detached copy before it is attached (open_tree + mount_setattr + move_mount):
    /// read-only and nosuid from the first moment, with no remount a swap could redirect.
    @Test func bindFlagsAreSetBeforeTheBindIsAttached() throws {
        let volume = TestDirectory("lighter-escape-ro")
        try FileSystem.writeDurably(Array("file\n".utf8), to: "\(volume.path).file")
        defer { try? FileSystem.removeTree("\(volume.path).file") }
        let bundle = try BusyboxBundle(args: ["sh", "-c", "(touch /ro/x) 2>&1; (echo x > /sbin/ro-file) 2>&1; cat /sbin/ro-file; "
            + "grep ' /ro ' /proc/self/mountinfo | cut -d' ' -f6"])
        defer { bundle.cleanUp() }
        bundle.spec.mounts = (bundle.spec.mounts ?? []) + [
            RuntimeSpec.Mount(destination: "/ro", type: "bind", source: volume.path, options: ["rbind", "rprivate", "ro", "nosuid", "nodev"]),
            // As `--init` binds the lighter binary: a file, made where it is missing.
            RuntimeSpec.Mount(destination: "/sbin/ro-file", type: "bind", source: "\(volume.path).file", options: ["bind", "ro", "nosuid", "nodev"]),
        ]
        let output = try Self.run(bundle)
        #expect(output.code == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 4, "\(output.stdout)")
        #expect(lines.first?.contains("Read-only file system") == true, "\(output.stdout)")
        #expect(lines.dropFirst().first?.contains("Read-only file system") == true, "\(output.stdout)")
        #expect(lines.dropFirst(2).first == "file")
        let flags = Set((lines.last ?? "").split(separator: ","))
        #expect(flags.isSuperset(of: ["ro", "nosuid", "nodev"]), "\(output.stdout)")
        #expect(try FileSystem.list(volume.path).isEmpty)
        #expect(throws: LighterError.self) { try MountOptions(["bind", "sync"]).bindAttributes("/x") }
        let attributes = try MountOptions(["rbind", "ro", "noatime", "rslave"]).bindAttributes("/x")
        #expect(attributes.set == 0x1 | 0x10 && attributes.clear == 0x70 && attributes.propagation == UInt64(MS_SLAVE))
    }

    /// CVE-2021-30465's race held open: a neighbour (here a host loop) keeps swapping a directory of a shared
    /// volume with a symlink to a host path while containers whose mount targets pass through it start. Each
    /// start either succeeds or fails saying so; nothing is ever made or mounted at the host path.
    @Test func mountTargetSwappedForASymlinkDuringSetUp() throws {
        let marker = try Marker()
        let shared = TestDirectory("lighter-escape-shared")
        try FileSystem.makeDirectories(shared.sub("m"))
        let swapper = Run.spawn(["/bin/sh", "-c",
            "cd \(shared.path) && while :; do rm -rf m; ln -s \(marker.path) m; rm -f m; mkdir m; done"],
            stdout: "/dev/null", stderr: "/dev/null")
        defer { kill(swapper, SIGKILL); _ = Run.wait(swapper) }
        var started = 0
        for round in 0..<12 {
            let bundle = try BusyboxBundle(args: ["true"])
            defer { bundle.cleanUp() }
            var mounts = bundle.spec.mounts ?? []
            mounts.append(RuntimeSpec.Mount(destination: "/shared", type: "bind", source: shared.path, options: ["rbind"]))
            for i in 0..<16 {
                mounts.append(RuntimeSpec.Mount(destination: "/shared/m/d\(round)-\(i)", type: "tmpfs", source: "tmpfs", options: []))
                mounts.append(RuntimeSpec.Mount(destination: "/shared/m/f\(round)-\(i)", type: "bind", source: "/etc/hostname", options: ["bind"]))
            }
            bundle.spec.mounts = mounts
            let output = try Self.run(bundle)
            if output.code == 0 { started += 1 } else {
                #expect(output.stderr.contains("/shared/m"), "\(output.stderr)")
            }
            #expect(BusyboxBundle.hostMounts(mentioning: bundle.directory).isEmpty)
        }
        #expect(try marker.unchanged())
        print("swapped-target race: \(started) of 12 containers started")
    }

    /// CVE-2024-21626: a working directory naming a descriptor of the init (`/proc/self/fd/N`) or a link to
    /// one is refused before anything runs.
    @Test(arguments: ["/proc/self/fd/3", "/proc/self/cwd", "/fdlink"])
    func workingDirectoryThroughAMagicLinkIsRefused(cwd: String) throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "ls .. | head -3; pwd"])
        defer { bundle.cleanUp() }
        try syscall("symlink") { symlink("/proc/self/fd/4", "\(bundle.rootfs)/fdlink") }
        bundle.spec.process?.cwd = cwd
        let output = try Self.run(bundle)
        #expect(output.code != 0, "\(output.stdout)")
        #expect(output.stderr.contains("working directory"), "\(output.stderr)")
    }
}
