#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterRuntime
import LighterSystem

/// A temp dir holding an OCI bundle with a busybox rootfs, its own runtime state root, and files that
/// capture the container's stdout and stderr. Removed by `cleanUp()`.
final class BusyboxBundle {
    let directory: String
    let id: String
    let runtime: Runtime
    var spec: RuntimeSpec

    var rootfs: String { "\(directory)/rootfs" }
    var cgroupsPath: String { "/lighter-test/\(id)" }

    static let applets = ["sh", "true", "false", "cat", "ls", "id", "hostname", "sleep", "ps", "mount", "echo",
                          "grep", "head", "tr", "seq", "wc", "mkdir", "touch", "readlink", "kill", "mknod", "stat"]

    /// The lighter binary next to the test bundle (built by `swift build` / `swift test`).
    static var lighterBinary: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        let exe = String(decoding: buffer[0..<max(0, count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return FileSystem.dirname(of: exe) + "/lighter"
    }

    init(args: [String]) throws {
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        directory = "/tmp/lighter-runtime-test-\(suffix)"
        id = "t-\(suffix)"
        runtime = Runtime(root: "\(directory)/state", initExecutable: Self.lighterBinary)
        spec = RuntimeSpec.dockerDefault(args: args, rootfs: "rootfs", hostname: "box-test")
        spec.linux?.cgroupsPath = "/lighter-test/\(id)"
        guard FileSystem.exists(Self.lighterBinary) else {
            throw LighterError.notFound(kind: "lighter binary (run swift build first)", name: Self.lighterBinary)
        }
        try FileSystem.makeDirectories("\(directory)/rootfs/bin")
        try FileSystem.makeDirectories("\(directory)/rootfs/etc")
        try FileSystem.makeDirectories("\(directory)/rootfs/tmp")
        try syscall("chmod") { chmod("\(directory)/rootfs/tmp", 0o1777) }
        // Mount points an image has; an unprivileged (user-namespace) root could not create them.
        for dir in ["proc", "sys", "dev"] { try FileSystem.makeDirectories("\(directory)/rootfs/\(dir)") }
        let busybox = try FileSystem.readFile("/bin/busybox")
        try FileSystem.writeDurably(busybox, to: "\(rootfs)/bin/busybox", mode: 0o755)
        for applet in Self.applets {
            try syscall("symlink", applet) { symlink("busybox", "\(rootfs)/bin/\(applet)") }
        }
        try FileSystem.writeDurably(Array("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n".utf8),
                                    to: "\(rootfs)/etc/passwd")
        try FileSystem.writeDurably(Array("root:x:0:\nnogroup:x:65534:\n".utf8), to: "\(rootfs)/etc/group")
    }

    func writeSpec() throws {
        try FileSystem.writeDurably(spec.jsonBytes(pretty: true), to: "\(directory)/config.json")
    }

    struct Output {
        var status: Runtime.ExitStatus
        var stdout: String
        var stderr: String
    }

    /// Open fresh capture files for the container's stdout/stderr.
    func openCaptures() throws -> (out: FileDescriptor, err: FileDescriptor) {
        (try FileDescriptor(path: "\(directory)/stdout", flags: O_WRONLY | O_CREAT | O_TRUNC),
         try FileDescriptor(path: "\(directory)/stderr", flags: O_WRONLY | O_CREAT | O_TRUNC))
    }

    func captured() throws -> (String, String) {
        (try FileSystem.readString("\(directory)/stdout"), try FileSystem.readString("\(directory)/stderr"))
    }

    /// Write config.json, `runtime.run` it with stdout/stderr captured.
    func run() throws -> Output {
        try writeSpec()
        let (out, err) = try openCaptures()
        let input = try FileDescriptor(path: "/dev/null", flags: O_RDONLY)
        let status = try runtime.run(id: id, bundle: directory,
                                     stdio: Runtime.Stdio(input: input.rawValue, output: out.rawValue, error: err.rawValue))
        let (stdout, stderr) = try captured()
        return Output(status: status, stdout: stdout, stderr: stderr)
    }

    func cleanUp() {
        // A stopped container still holds its cgroup and state until it is deleted.
        if (try? runtime.state(id: id)) != nil { try? runtime.delete(id: id, force: true) }
        try? FileSystem.removeTree(directory)
    }

    /// Lines of the host's mountinfo that mention this bundle.
    static func hostMounts(mentioning path: String) -> [Substring] {
        ((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").split(separator: "\n").filter { $0.contains(path) }
    }
}
