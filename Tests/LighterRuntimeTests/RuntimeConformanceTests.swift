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
}
