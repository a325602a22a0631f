#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterOCI
import LighterRuntime
import LighterSystem
import LighterTestSupport

/// Mount namespaces other than a new one: joining an existing namespace by `path` (set up there, as runc
/// and crun do), a spec without a mount namespace (the caller's, entered with chroot, nothing mounted),
/// and `--no-pivot` (MS_MOVE + chroot instead of pivot_root). The caller's mountinfo is unchanged after each.
@Suite(.serialized) struct RuntimeMountNamespaceTests {
    /// The caller's mounts under `bundle` (other tests may mount elsewhere meanwhile).
    static func hostMounts(_ bundle: BusyboxBundle) -> [Substring] { BusyboxBundle.hostMounts(mentioning: bundle.directory) }

    /// A process in a mount namespace of its own (made by unshare(1)) with a tmpfs labelled "marker"
    /// mounted on `<rootfs>/mnt` only there. Returns its pid once the mount is made.
    static func namespaceHolder(rootfs: String, directory: String) throws -> pid_t {
        try FileSystem.makeDirectories("\(rootfs)/mnt")
        let ready = "\(directory)/holder-ready"
        let pid = Run.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                             "mount -t tmpfs marker \(rootfs)/mnt && echo > \(ready) && exec sleep 60"],
                            stdout: "\(directory)/holder-out", stderr: "\(directory)/holder-err")
        for _ in 0..<200 where !FileSystem.exists(ready) { usleep(10_000) }
        #expect(FileSystem.exists(ready), "\((try? FileSystem.readString("\(directory)/holder-err")) ?? "")")
        return pid
    }

    static func stop(_ pid: pid_t) {
        _ = kill(pid, SIGKILL)
        _ = Run.wait(pid)
    }

    /// The spec's namespaces without "mount", plus `mount` when given.
    static func replaceMountNamespace(_ bundle: BusyboxBundle, with mount: RuntimeSpec.Namespace?) {
        var namespaces = (bundle.spec.linux?.namespaces ?? []).filter { $0.type != "mount" }
        if let mount { namespaces.append(mount) }
        bundle.spec.linux?.namespaces = namespaces
    }

    @Test func joinsAnExistingMountNamespaceByPathAsRuncAndCrunDo() throws {
        let script = "readlink /proc/self/ns/mnt; grep -c ' /mnt .* - tmpfs marker ' /proc/self/mountinfo; ls /bin/busybox"
        var runtimes: [(name: String, command: [String])] = [("lighter", [BusyboxBundle.lighterBinary, "runtime"])]
        for other in ["/usr/sbin/runc", "/usr/bin/crun"] where FileSystem.exists(other) { runtimes.append((other, [other])) }
        for runtime in runtimes {
            let bundle = try BusyboxBundle(args: ["sh", "-c", script])
            defer { bundle.cleanUp() }
            let holder = try Self.namespaceHolder(rootfs: bundle.rootfs, directory: bundle.directory)
            defer { Self.stop(holder) }
            let joined = try FileSystem.readLink("/proc/\(holder)/ns/mnt")
            #expect(joined != (try FileSystem.readLink("/proc/self/ns/mnt")))
            Self.replaceMountNamespace(bundle, with: RuntimeSpec.Namespace(type: "mount", path: "/proc/\(holder)/ns/mnt"))
            try bundle.writeSpec()
            let before = Self.hostMounts(bundle)
            let result = Run.capture(runtime.command + ["--root", "\(bundle.directory)/state-\(runtime.name.split(separator: "/").last!)",
                                                        "run", "--bundle", bundle.directory, bundle.id])
            #expect(result.status == 0, "\(runtime.name): \(result.stderr)")
            // In the joined namespace (the marker tmpfs, made only there, is under the container's root).
            #expect(result.stdout == "\(joined)\n1\n/bin/busybox\n", "\(runtime.name): \(result.stdout) \(result.stderr)")
            #expect(Self.hostMounts(bundle) == before, "\(runtime.name) changed the caller's mounts")
        }
    }

    @Test func withoutAMountNamespaceTheRootIsEnteredWithChrootAndNothingIsMounted() throws {
        let bundle = try BusyboxBundle(args: ["sleep", "30"])
        defer { bundle.cleanUp() }
        Self.replaceMountNamespace(bundle, with: nil)
        bundle.spec.mounts = []
        bundle.spec.linux?.maskedPaths = nil
        bundle.spec.linux?.readonlyPaths = nil
        bundle.spec.root?.readonly = false
        try FileSystem.writeDurably(Array("in the container's root\n".utf8), to: "\(bundle.rootfs)/etc/marker")
        try bundle.writeSpec()
        let before = Self.hostMounts(bundle)
        let input = try FileDescriptor(path: "/dev/null", flags: O_RDONLY)
        let (out, err) = try bundle.openCaptures()
        let created = try bundle.runtime.create(id: bundle.id, bundle: bundle.directory,
                                                stdio: Runtime.Stdio(input: input.rawValue, output: out.rawValue, error: err.rawValue))
        try bundle.runtime.start(id: bundle.id)
        let pid = created.state.pid
        // The caller's mount namespace, the bundle's rootfs as root, nothing mounted anywhere.
        #expect(try FileSystem.readLink("/proc/\(pid)/ns/mnt") == (try FileSystem.readLink("/proc/self/ns/mnt")))
        #expect(try FileSystem.readLink("/proc/\(pid)/root") == bundle.rootfs)
        #expect(Self.hostMounts(bundle) == before)
        // exec enters the same root (a chroot: the namespace's root would be the host's).
        let file = try FileDescriptor(path: "\(bundle.directory)/exec-out", flags: O_WRONLY | O_CREAT | O_TRUNC)
        var process = try bundle.runtime.process(id: bundle.id)
        process.args = ["cat", "/etc/marker"]
        let status = try bundle.runtime.exec(id: bundle.id, process: process, stdio: .init(input: -1, output: file.rawValue, error: file.rawValue))
        #expect(status?.code == 0)
        #expect(try FileSystem.readString("\(bundle.directory)/exec-out") == "in the container's root\n")
        try bundle.runtime.kill(id: bundle.id, signal: SIGKILL)
        _ = try bundle.runtime.wait(id: bundle.id)
        try bundle.runtime.delete(id: bundle.id, force: true)
        #expect(Self.hostMounts(bundle) == before)
    }

    @Test func withoutAMountNamespaceWhatWouldMountIsRefusedByName() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        Self.replaceMountNamespace(bundle, with: nil)
        let before = Self.hostMounts(bundle)
        // Docker's default spec mounts /proc first: refused, not mounted on the host (runc and crun mount it there).
        #expect(throws: LighterError.self) { try bundle.run() }
        do { _ = try bundle.run() } catch let error as LighterError {
            #expect(error.description.contains("mounts (/proc) without a mount namespace"), "\(error)")
        }
        bundle.spec.mounts = []
        do { _ = try bundle.run() } catch let error as LighterError {
            #expect(error.description.contains("linux.maskedPaths/readonlyPaths"), "\(error)")
        }
        bundle.spec.linux?.maskedPaths = nil
        bundle.spec.linux?.readonlyPaths = nil
        bundle.spec.root?.readonly = true
        do { _ = try bundle.run() } catch let error as LighterError {
            #expect(error.description.contains("root.readonly"), "\(error)")
        }
        bundle.spec.root?.readonly = false
        bundle.spec.linux?.rootfsPropagation = "shared"
        do { _ = try bundle.run() } catch let error as LighterError {
            #expect(error.description.contains("linux.rootfsPropagation"), "\(error)")
        }
        bundle.spec.linux?.rootfsPropagation = nil
        let output = try bundle.run()
        #expect(output.status.code == 0, "\(output.stderr)")
        #expect(Self.hostMounts(bundle) == before)
    }

    /// strace shows the syscalls that entered the root: pivot_root by default, MS_MOVE + chroot with
    /// --no-pivot (as runc's); the container sees the same root and mounts either way.
    @Test func noPivotMovesTheRootAndChroots() throws {
        guard FileSystem.exists("/usr/bin/strace") else { return }
        var outputs: [String] = []
        for noPivot in [false, true] {
            let bundle = try BusyboxBundle(args: ["sh", "-c", "ls /bin/busybox; grep -c ' - proc ' /proc/self/mountinfo"])
            defer { bundle.cleanUp() }
            try bundle.writeSpec()
            let before = Self.hostMounts(bundle)
            let trace = "\(bundle.directory)/strace"
            let result = Run.capture(["strace", "-f", "-qq", "-o", trace, "-e", "trace=pivot_root,chroot,mount",
                                      BusyboxBundle.lighterBinary, "runtime", "--root", "\(bundle.directory)/state", "run"]
                                     + (noPivot ? ["--no-pivot"] : []) + ["--bundle", bundle.directory, bundle.id])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("/bin/busybox\n"), "no-pivot \(noPivot): \(result.stdout)")
            outputs.append(result.stdout)
            let calls = try FileSystem.readString(trace)
            #expect(calls.contains("pivot_root(") == !noPivot, "\(calls)")
            #expect(calls.contains("MS_MOVE") == noPivot, "\(calls)")
            #expect(calls.contains("chroot(\".\")") == noPivot, "\(calls)")
            #expect(Self.hostMounts(bundle) == before)
        }
        // The same procfs mounts inside (the container's own /proc and its masks; the host's are not there).
        #expect(outputs.count == 2 && outputs[0] == outputs[1], "\(outputs)")
    }
}
