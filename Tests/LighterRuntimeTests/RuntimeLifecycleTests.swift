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

/// create → start → state → kill → wait → delete, and the state on disk.
@Suite struct RuntimeLifecycleTests {
    @Test func createStartKillDelete() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "echo started; exec sleep 30"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let (out, err) = try bundle.openCaptures()
        let runtime = bundle.runtime
        let created = try runtime.create(id: bundle.id, bundle: bundle.directory,
                                         stdio: .init(input: -1, output: out.rawValue, error: err.rawValue)).state
        #expect(created.status == .created)
        #expect(created.pid > 0)
        #expect(created.pidStartTime > 0)
        // Nothing has run yet.
        #expect(try FileSystem.readString("\(bundle.directory)/stdout").isEmpty)

        let stored = try ContainerState(jsonBytes: try FileSystem.readFile("\(bundle.directory)/state/\(bundle.id)/state.json"), what: "state")
        #expect(stored.id == bundle.id)
        #expect(stored.pid == created.pid)
        #expect(stored.bundle == bundle.directory)
        #expect(try runtime.state(id: bundle.id).status == .created)
        expectError(.conflict) { try runtime.create(id: bundle.id, bundle: bundle.directory) }

        try runtime.start(id: bundle.id)
        #expect(try runtime.state(id: bundle.id).status == .running)
        expectError(.conflict) { try runtime.start(id: bundle.id) }
        expectError(.conflict) { try runtime.delete(id: bundle.id) }
        // Let the container print before it is killed (a loaded machine may be slow to schedule it).
        for _ in 0..<500 where (try? FileSystem.readString("\(bundle.directory)/stdout")) != "started\n" { usleep(20_000) }

        try runtime.kill(id: bundle.id, signal: SIGKILL)
        let status = try runtime.wait(id: bundle.id)
        #expect(status.code == 137)
        #expect(try runtime.state(id: bundle.id).status == .stopped)
        #expect(try FileSystem.readString("\(bundle.directory)/stdout") == "started\n")

        try runtime.delete(id: bundle.id)
        #expect(throws: LighterError.notFound(kind: "container", name: bundle.id)) { try runtime.state(id: bundle.id) }
        #expect(BusyboxBundle.hostMounts(mentioning: bundle.directory).isEmpty)
        for controller in ["memory", "cpu", "pids", "devices", "freezer"] {
            #expect(!FileSystem.exists("/sys/fs/cgroup/\(controller)\(bundle.cgroupsPath)"))
        }
        #expect(kill(created.pid, 0) == -1)
    }

    @Test func forceDeleteOfACreatedContainer() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let created = try bundle.runtime.create(id: bundle.id, bundle: bundle.directory, stdio: .init(input: -1, output: -1, error: -1)).state
        expectError(.conflict) { try bundle.runtime.delete(id: bundle.id) }
        try bundle.runtime.delete(id: bundle.id, force: true)
        #expect(kill(created.pid, 0) == -1)
        #expect(!FileSystem.exists("/sys/fs/cgroup/memory\(bundle.cgroupsPath)"))
        #expect(!FileSystem.exists("\(bundle.directory)/state/\(bundle.id)"))
    }

    @Test func terminalGivesTheContainerAPseudoTerminal() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "tty; echo hi"])
        defer { bundle.cleanUp() }
        bundle.spec.process?.terminal = true
        try bundle.writeSpec()
        let created = try bundle.runtime.create(id: bundle.id, bundle: bundle.directory, stdio: .init(input: -1, output: -1, error: -1))
        let master = try #require(created.terminal)
        try bundle.runtime.start(id: bundle.id)
        var output: [UInt8] = []
        while true {
            var chunk = [UInt8](repeating: 0, count: 1024)
            let n = chunk.withUnsafeMutableBytes { read(master.rawValue, $0.baseAddress, $0.count) }
            if n <= 0 { break }   // EIO once the container has closed its side
            output += chunk[0..<n]
        }
        #expect(String(decoding: output, as: UTF8.self) == "/dev/pts/0\r\nhi\r\n")
        #expect(try bundle.runtime.wait(id: bundle.id).code == 0)
        try bundle.runtime.delete(id: bundle.id)
    }

    @Test func runRelaysATerminalToStdio() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "read line; echo got $line; tty"])
        defer { bundle.cleanUp() }
        bundle.spec.process?.terminal = true
        try bundle.writeSpec()
        var pipe: [Int32] = [-1, -1]
        try syscall("pipe") { Glibc.pipe(&pipe) }
        let writer = FileDescriptor(adopting: pipe[1]), reader = FileDescriptor(adopting: pipe[0])
        try writer.write("hello\n")
        try writer.close()
        let (out, err) = try bundle.openCaptures()
        let status = try bundle.runtime.run(id: bundle.id, bundle: bundle.directory,
                                            stdio: .init(input: reader.rawValue, output: out.rawValue, error: err.rawValue))
        #expect(status.code == 0)
        let (stdout, _) = try bundle.captured()
        #expect(stdout.contains("got hello\r\n/dev/pts/0\r\n"))
    }

    @Test func setUpErrorsAreReportedAndCleanedUp() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        bundle.spec.mounts?.append(.init(destination: "/data", type: "bind", source: "/no/such/dir", options: ["rbind"]))
        do {
            _ = try bundle.run()
            Issue.record("bind of a missing source succeeded")
        } catch let error as LighterError {
            #expect(error.exitCode == 125)
            #expect(error.description.contains("/no/such/dir"))
        }
        #expect(!FileSystem.exists("/sys/fs/cgroup/memory\(bundle.cgroupsPath)"))
        #expect(!FileSystem.exists("\(bundle.directory)/state/\(bundle.id)"))
    }

    @Test func bindMountReadOnly() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "cat /data/hello; touch /data/x"])
        defer { bundle.cleanUp() }
        try FileSystem.makeDirectories("\(bundle.directory)/data")
        try FileSystem.writeDurably(Array("hi\n".utf8), to: "\(bundle.directory)/data/hello")
        bundle.spec.mounts?.append(.init(destination: "/data", type: "bind", source: "data", options: ["rbind", "ro"]))
        let output = try bundle.run()
        #expect(output.stdout == "hi\n")
        #expect(output.stderr.contains("Read-only file system"))
        #expect(!FileSystem.exists("\(bundle.directory)/data/x"))
    }
}
