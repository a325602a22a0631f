#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterRuntime
import LighterSystem

/// What runc's callers rely on: set-up errors reach `create`, namespace files are checked for their
/// kind, and an existing pid namespace can be joined.
@Suite struct RuntimeConformanceTests {
    /// A running `sleep` container to share namespaces with; its init's host pid.
    static func donor() throws -> (BusyboxBundle, Int32) {
        let bundle = try BusyboxBundle(args: ["sleep", "30"])
        try bundle.writeSpec()
        try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
        try bundle.runtime.start(id: bundle.id)
        return (bundle, try bundle.runtime.state(id: bundle.id).pid)
    }

    @Test func aCredentialFailureFailsCreate() throws {
        // An inheritable capability outside the bounding set: capset refuses it (EPERM) after the
        // user is set, which used to happen after `create` had already reported success.
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        bundle.spec.process?.capabilities = RuntimeSpec.Capabilities(bounding: [], effective: [], inheritable: ["CAP_NET_ADMIN"], permitted: [])
        try bundle.writeSpec()
        do {
            try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
            Issue.record("create succeeded although capset must fail")
        } catch {
            #expect("\(error)".contains("capset"), "\(error)")
        }
        #expect(throws: LighterError.notFound(kind: "container", name: bundle.id)) { try bundle.runtime.state(id: bundle.id) }
        #expect(!FileSystem.exists("/sys/fs/cgroup/memory\(bundle.cgroupsPath)"))
    }

    @Test func aNamespaceFileOfAnotherKindIsRefused() throws {
        let (donor, pid) = try Self.donor()
        defer { donor.cleanUp() }
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        let namespaces = bundle.spec.linux?.namespaces ?? []
        bundle.spec.linux?.namespaces = namespaces.map { $0.type == "uts" ? RuntimeSpec.Namespace(type: "uts", path: "/proc/\(pid)/ns/net") : $0 }
        bundle.spec.hostname = nil
        try bundle.writeSpec()
        do {
            try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
            Issue.record("a net namespace file was joined as the uts namespace")
        } catch {
            #expect("\(error)".contains("setns(uts)") && "\(error)".contains("Invalid argument"), "\(error)")
        }
    }

    @Test func joinsAnotherContainersPidNamespace() throws {
        let (donor, pid) = try Self.donor()
        defer { donor.cleanUp() }
        let bundle = try BusyboxBundle(args: ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; readlink /proc/self/ns/pid"])
        defer { bundle.cleanUp() }
        let namespaces = bundle.spec.linux?.namespaces ?? []
        bundle.spec.linux?.namespaces = namespaces.map { $0.type == "pid" ? RuntimeSpec.Namespace(type: "pid", path: "/proc/\(pid)/ns/pid") : $0 }
        let output = try bundle.run()
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(output.status.code == 0, "\(output.stderr)")
        #expect(lines.first?.hasPrefix("sleep 30") == true, "\(output.stdout)")
        #expect(lines.last == (try FileSystem.readLink("/proc/\(pid)/ns/pid")))
        // The runtime's own thread went back to its pid namespace.
        #expect(try FileSystem.readLink("/proc/thread-self/ns/pid_for_children") == (try FileSystem.readLink("/proc/self/ns/pid")))
    }

    @Test func hooksRunInOrderWithTheStateOnStdin() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        let log = "\(bundle.directory)/hooks"
        func hook(_ phase: String, file: String) -> RuntimeSpec.Hook {
            RuntimeSpec.Hook(path: "/bin/sh", args: ["sh", "-c", "cat > \(file).\(phase).json; echo \(phase) >> \(file)"], env: ["PATH=/bin"], timeout: 10)
        }
        bundle.spec.hooks = RuntimeSpec.Hooks(
            prestart: [hook("prestart", file: log)], createRuntime: [hook("createRuntime", file: log)],
            createContainer: [hook("createContainer", file: log)], startContainer: [hook("startContainer", file: "/tmp/hooks")],
            poststart: [hook("poststart", file: log)], poststop: [hook("poststop", file: log)])
        bundle.spec.domainname = "example.org"
        bundle.spec.process?.args = ["sh", "-c", "cat /proc/sys/kernel/domainname"]
        try bundle.writeSpec()
        let (out, err) = try bundle.openCaptures()
        let input = try FileDescriptor(path: "/dev/null", flags: O_RDONLY)
        try bundle.runtime.create(id: bundle.id, bundle: bundle.directory, stdio: Runtime.Stdio(input: input.rawValue, output: out.rawValue, error: err.rawValue))
        #expect(try FileSystem.readString(log) == "prestart\ncreateRuntime\ncreateContainer\n")
        let state = try JSONNode.parse(try FileSystem.readFile("\(log).createRuntime.json"), what: "hook state")
        guard case let .object(fields) = state else { Issue.record("state is not an object"); return }
        #expect(fields["id"] == .string(bundle.id))
        #expect(fields["status"] == .string("creating"))
        #expect(fields["bundle"] == .string(bundle.directory))
        try bundle.runtime.start(id: bundle.id)
        #expect(try FileSystem.readString(log) == "prestart\ncreateRuntime\ncreateContainer\npoststart\n")
        let status = try bundle.runtime.wait(id: bundle.id)
        #expect(status.code == 0)
        #expect(try bundle.captured().0 == "example.org\n")
        // startContainer ran inside the container, after pivot_root: its file is in the container's /tmp.
        #expect(try FileSystem.readString("\(bundle.rootfs)/tmp/hooks") == "startContainer\n")
        try bundle.runtime.delete(id: bundle.id)
        #expect(try FileSystem.readString(log) == "prestart\ncreateRuntime\ncreateContainer\npoststart\npoststop\n")
        #expect(try FileSystem.readString("\(log).poststop.json").contains("\"status\":\"stopped\""))
    }

    @Test func aFailingHookFailsCreateAndLeavesNothing() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        bundle.spec.hooks = RuntimeSpec.Hooks(createRuntime: [RuntimeSpec.Hook(path: "/bin/sh", args: ["sh", "-c", "exit 3"])])
        try bundle.writeSpec()
        do {
            try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
            Issue.record("create succeeded although its createRuntime hook failed")
        } catch {
            #expect("\(error)".contains("createRuntime hook #0 (/bin/sh) failed with exit status 3"), "\(error)")
        }
        #expect(throws: LighterError.notFound(kind: "container", name: bundle.id)) { try bundle.runtime.state(id: bundle.id) }
        #expect(!FileSystem.exists("/sys/fs/cgroup/memory\(bundle.cgroupsPath)"))
        bundle.spec.hooks = RuntimeSpec.Hooks(createContainer: [RuntimeSpec.Hook(path: "/bin/sleep", args: ["sleep", "5"], timeout: 1)])
        try bundle.writeSpec()
        do {
            try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
            Issue.record("create succeeded although its createContainer hook timed out")
        } catch {
            #expect("\(error)".contains("createContainer hook #0 (/bin/sleep) timed out after 1 s"), "\(error)")
        }
    }

    @Test func hugepageAndNetworkLimitsApplyOrAreRefused() throws {
        let cases: [(RuntimeSpec.Resources, String, String, String)] = [
            (RuntimeSpec.Resources(hugepageLimits: [.init(pageSize: "2MB", limit: 4 << 21)]), "hugetlb", "hugetlb.2MB.limit_in_bytes", "\(4 << 21)"),
            (RuntimeSpec.Resources(network: .init(classID: 0x100001)), "net_cls", "net_cls.classid", "\(0x100001)"),
        ]
        for (resources, controller, file, value) in cases {
            let bundle = try BusyboxBundle(args: ["true"])
            defer { bundle.cleanUp() }
            bundle.spec.linux?.resources = resources
            try bundle.writeSpec()
            let hierarchy = "/sys/fs/cgroup/\(controller)"
            if FileSystem.exists("\(hierarchy)/cgroup.procs") {
                try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
                #expect(try FileSystem.readString("\(hierarchy)\(bundle.cgroupsPath)/\(file)").trimmed == value)
            } else {
                // Not mounted as a v1 hierarchy here (this VM's hugetlb sits on the hybrid cgroup2): refused, never ignored.
                do {
                    try bundle.runtime.create(id: bundle.id, bundle: bundle.directory)
                    Issue.record("\(controller) limit accepted without the controller")
                } catch {
                    #expect("\(error)".contains("cgroup v1 \(controller) controller"), "\(error)")
                }
            }
        }
    }
}
