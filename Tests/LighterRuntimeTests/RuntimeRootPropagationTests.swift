#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterOCI
import LighterRuntime
import LighterSystem

/// `linux.rootfsPropagation`: the container's "/" gets the requested propagation, pivot_root works
/// whatever it is, and nothing mounted for the container shows in the caller's mount namespace.
/// The rootfs is made a shared mount point on the host for the test (as on a host whose "/" is shared,
/// systemd's default), the case where a careless order fails or leaks.
@Suite(.serialized) struct RuntimeRootPropagationTests {
    /// The optional fields (shared:N, master:N, unbindable) of the mountinfo line of mount point "/".
    static func rootTags(_ mountinfo: String) -> [Substring] {
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 6, fields[4] == "/" else { continue }
            return Array(fields[6...].prefix { $0 != "-" })
        }
        return []
    }

    @Test(arguments: ["shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable"])
    func rootGetsTheRequestedPropagation(propagation: String) throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "i=0; while [ ! -e /mnt/mark ] && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done; cat /proc/self/mountinfo"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.rootfsPropagation = propagation
        try bundle.writeSpec()
        // The rootfs as a shared mount point on the host (undone below).
        try syscall("mount", bundle.rootfs) { mount(bundle.rootfs, bundle.rootfs, nil, UInt(MS_BIND), nil) }
        // Every mount stacked there (a runtime that leaked would have added its own) goes.
        defer { while umount2(bundle.rootfs, Int32(MNT_DETACH)) == 0 {} }
        try syscall("mount", bundle.rootfs) { mount(nil, bundle.rootfs, nil, UInt(MS_SHARED), nil) }
        try FileSystem.makeDirectories("\(bundle.rootfs)/mnt")
        let before = BusyboxBundle.hostMounts(mentioning: bundle.directory)
        #expect(before.count == 1)

        let (out, err) = try bundle.openCaptures()
        let input = try FileDescriptor(path: "/dev/null", flags: O_RDONLY)
        try bundle.runtime.create(id: bundle.id, bundle: bundle.directory,
                                  stdio: Runtime.Stdio(input: input.rawValue, output: out.rawValue, error: err.rawValue))
        try bundle.runtime.start(id: bundle.id)
        // A mount made on the host after the start: a slave or shared root receives it.
        try syscall("mount", "\(bundle.rootfs)/mnt") { mount("tmpfs", "\(bundle.rootfs)/mnt", "tmpfs", 0, nil) }
        defer { while umount2("\(bundle.rootfs)/mnt", Int32(MNT_DETACH)) == 0 {} }
        try FileSystem.writeDurably([], to: "\(bundle.rootfs)/mnt/mark")
        let status = try bundle.runtime.wait(id: bundle.id)
        try bundle.runtime.delete(id: bundle.id, force: true)
        let (stdout, stderr) = try bundle.captured()
        #expect(status.code == 0, "\(stderr)")

        let tags = Self.rootTags(stdout)
        let base = propagation.hasPrefix("r") ? String(propagation.dropFirst()) : propagation
        switch base {
        case "shared": #expect(tags.contains { $0.hasPrefix("shared:") }, "\(tags)")
        case "slave": #expect(tags.contains { $0.hasPrefix("master:") } && !tags.contains { $0.hasPrefix("shared:") }, "\(tags)")
        case "private": #expect(tags.isEmpty, "\(tags)")
        default: #expect(tags.contains("unbindable"), "\(tags)")
        }
        // Host mounts reach a shared or slave root, never a private or unbindable one.
        let seen = stdout.split(separator: "\n").contains { $0.split(separator: " ").dropFirst(4).first == "/mnt" }
        #expect(seen == (base == "shared" || base == "slave"), "\(stdout)")
        // The caller's namespace holds what the test mounted, nothing of the container's.
        #expect(BusyboxBundle.hostMounts(mentioning: bundle.directory).count == 2)
    }

    @Test func anUnknownPropagationIsRefusedByName() throws {
        var spec = RuntimeSpec.dockerDefault(args: ["true"], rootfs: "rootfs", hostname: "box")
        spec.linux?.rootfsPropagation = "sideways"
        #expect(throws: LighterError.invalidArgument("config.json: linux.rootfsPropagation \"sideways\": use shared, slave, private or unbindable (r-prefixed for recursive)")) {
            try spec.validate()
        }
    }
}
