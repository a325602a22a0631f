#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterTestSupport
import Testing
import LighterOCI
import LighterRuntime
import LighterSystem

/// `Runtime.exec`, `pause`/`resume` and cgroup stats against a created-and-started busybox container.
@Suite struct RuntimeExecTests {
    /// Start a long-running container (its process sleeps); the caller deletes it.
    static func started(_ configure: (inout RuntimeSpec) -> Void = { _ in }) throws -> BusyboxBundle {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "exec sleep 60"])
        configure(&bundle.spec)
        try bundle.writeSpec()
        // The init (root of a user namespace, too) must reach the exec fifo under the state directory.
        chmod(bundle.directory, 0o711)
        try bundle.runtime.create(id: bundle.id, bundle: bundle.directory, stdio: .init(input: -1, output: -1, error: -1))
        try bundle.runtime.start(id: bundle.id)
        return bundle
    }

    /// Run `args` in the container with its own process settings; (status, stdout).
    static func exec(_ bundle: BusyboxBundle, _ args: [String], user: RuntimeSpec.User? = nil) throws -> (Int32, String) {
        var process = bundle.spec.process!
        process.args = args
        if let user { process.user = user }
        let out = try FileDescriptor(path: "\(bundle.directory)/exec-out", flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        let status = try bundle.runtime.exec(id: bundle.id, process: process, stdio: .init(input: -1, output: out.rawValue, error: out.rawValue))
        try out.close()
        return (status?.code ?? -1, try FileSystem.readString("\(bundle.directory)/exec-out"))
    }

    @Test func execJoinsAUserNamespaceAndTheInitsPidNamespace() throws {
        let bundle = try Self.started { spec in
            spec.linux?.namespaces?.append(.init(type: "user"))
            spec.linux?.uidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
            spec.linux?.gidMappings = [.init(containerID: 0, hostID: 100_000, size: 65536)]
        }
        defer { bundle.cleanUp() }
        let (status, output) = try Self.exec(bundle, ["sh", "-c", "id -u; cat /proc/self/uid_map; cat /proc/1/cmdline | tr '\\0' ' '"])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines == ["0", "0 100000 65536", "sleep 60"], "\(output)")
        // Users come from the exec's process, not the container's.
        let (_, id) = try Self.exec(bundle, ["id", "-u"], user: .init(uid: 1000, gid: 1000))
        #expect(id == "1000\n")
    }

    @Test func execReportsMissingProgramsAndExitCodes() throws {
        let bundle = try Self.started()
        defer { bundle.cleanUp() }
        #expect(try Self.exec(bundle, ["sh", "-c", "exit 9"]).0 == 9)
        #expect(try Self.exec(bundle, ["sh", "-c", "kill -TERM $$"]).0 == 128 + SIGTERM)
        for (program, code) in [("nothere", Int32(127)), ("/etc", Int32(126))] {
            do {
                _ = try Self.exec(bundle, [program])
                Issue.record("exec of \(program) should fail")
            } catch let error as LighterError {
                guard case let .containerStart(_, exitCode) = error else { Issue.record("\(error)"); continue }
                #expect(exitCode == code)
            }
        }
    }

    @Test func pauseFreezesTheCgroupAndStatsCountItsTasks() throws {
        let bundle = try Self.started()
        defer { bundle.cleanUp() }
        let state = try bundle.runtime.state(id: bundle.id)
        try bundle.runtime.pause(id: bundle.id)
        #expect(try bundle.runtime.isPaused(id: bundle.id))
        expectError(.conflict) { try bundle.runtime.pause(id: bundle.id) }
        expectError(.conflict) { _ = try Self.exec(bundle, ["true"]) }
        try bundle.runtime.resume(id: bundle.id)
        #expect(!(try bundle.runtime.isPaused(id: bundle.id)))
        expectError(.conflict) { try bundle.runtime.resume(id: bundle.id) }
        let stats = try bundle.runtime.stats(id: bundle.id)
        #expect(stats.pids == 1)
        #expect((stats.memoryUsage ?? 0) > 0)
        #expect(stats.cpuNanoseconds != nil)
        #expect(try bundle.runtime.processes(id: bundle.id) == [state.pid])
        // A paused container can still be force-deleted (it is thawed so SIGKILL lands).
        try bundle.runtime.pause(id: bundle.id)
        try bundle.runtime.delete(id: bundle.id, force: true)
        #expect(kill(state.pid, 0) == -1)
    }
}
