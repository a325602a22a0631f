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

/// `lighter runtime …` as a user runs it: the real binary, its exit codes and its state JSON.
@Suite struct RuntimeCLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Run the lighter binary with stdout/stderr redirected to files in `bundle`.
    func lighter(_ arguments: [String], in bundle: BusyboxBundle) throws -> Result {
        let status = Run.wait(try spawnLighter(arguments, in: bundle))
        return Result(status: status, stdout: try FileSystem.readString("\(bundle.directory)/cli-stdout"),
                      stderr: try FileSystem.readString("\(bundle.directory)/cli-stderr"))
    }

    func spawnLighter(_ arguments: [String], in bundle: BusyboxBundle) throws -> pid_t {
        let out = "\(bundle.directory)/cli-stdout", err = "\(bundle.directory)/cli-stderr"
        try FileSystem.writeDurably([], to: out)
        return Run.spawn([BusyboxBundle.lighterBinary] + arguments, stdout: out, stderr: err)
    }

    @Test func runForwardsSignalsToTheContainer() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 1; done"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let pid = try spawnLighter(["runtime", "run", "--root", bundle.runtime.root, "-b", bundle.directory, bundle.id], in: bundle)
        var ready = false
        for _ in 0..<1000 where !ready {
            ready = (try? FileSystem.readString("\(bundle.directory)/cli-stdout")) == "ready\n"
            if !ready { usleep(10_000) }
        }
        #expect(ready)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        try syscall("waitpid") { waitpid(pid, &status, 0) }
        #expect(status & 0x7f == 0, "lighter itself was killed")
        #expect((status >> 8) & 0xff == 42)
        #expect(!FileSystem.exists("\(bundle.runtime.root)/\(bundle.id)"))
    }

    @Test func runExitsWithTheContainersStatus() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "echo hello; exit 3"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let result = try lighter(["runtime", "run", "--root", bundle.runtime.root, "--bundle", bundle.directory, bundle.id], in: bundle)
        #expect(result.status == 3)
        #expect(result.stdout == "hello\n")
    }

    @Test func runOfAMissingProgramExits127() throws {
        let bundle = try BusyboxBundle(args: ["nope"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let result = try lighter(["runtime", "run", "--root", bundle.runtime.root, "-b", bundle.directory, bundle.id], in: bundle)
        #expect(result.status == 127)
        #expect(result.stderr.contains("\"nope\": executable file not found in $PATH"))
    }

    @Test func createStartStateKillDelete() throws {
        let bundle = try BusyboxBundle(args: ["sleep", "30"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let root = ["--root", bundle.runtime.root]
        func state() throws -> ContainerState {
            let result = try lighter(["runtime", "state"] + root + [bundle.id], in: bundle)
            #expect(result.status == 0, "\(result.stderr)")
            return try ContainerState(jsonBytes: Array(result.stdout.utf8), what: "state output")
        }
        #expect(try lighter(["runtime", "create"] + root + ["--bundle", bundle.directory, bundle.id], in: bundle).status == 0)
        let created = try state()
        #expect(created.status == .created)
        #expect(created.id == bundle.id)
        #expect(created.bundle == bundle.directory)
        #expect(try lighter(["runtime", "start"] + root + [bundle.id], in: bundle).status == 0)
        #expect(try state().status == .running)
        #expect(try lighter(["runtime", "delete"] + root + [bundle.id], in: bundle).status == 125)
        #expect(try lighter(["runtime", "kill"] + root + [bundle.id, "KILL"], in: bundle).status == 0)
        var stopped = false
        for _ in 0..<500 where !stopped {
            stopped = try state().status == .stopped
            if !stopped { usleep(10_000) }
        }
        #expect(stopped)
        #expect(try lighter(["runtime", "delete"] + root + [bundle.id], in: bundle).status == 0)
        let gone = try lighter(["runtime", "state"] + root + [bundle.id], in: bundle)
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no such container"))
        #expect(!FileSystem.exists("/sys/fs/cgroup/memory\(bundle.cgroupsPath)"))
    }

    @Test func execPauseResume() throws {
        let bundle = try BusyboxBundle(args: ["sleep", "30"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let root = ["--root", bundle.runtime.root]
        #expect(try lighter(["runtime", "create"] + root + ["--bundle", bundle.directory, bundle.id], in: bundle).status == 0)
        #expect(try lighter(["runtime", "start"] + root + [bundle.id], in: bundle).status == 0)
        func exec(_ arguments: [String]) throws -> Result { try lighter(["runtime", "exec"] + root + arguments, in: bundle) }

        // The container's process with the command, --cwd, --env and --user applied.
        let inside = try exec(["--cwd", "/tmp", "-e", "X=1", bundle.id, "sh", "-c", "echo $X; pwd; id -u; readlink /proc/1/ns/pid"])
        #expect(inside.status == 0, "\(inside.stderr)")
        let pid = try bundle.runtime.state(id: bundle.id).pid
        #expect(inside.stdout == "1\n/tmp\n0\n\(try FileSystem.readLink("/proc/\(pid)/ns/pid"))\n", "\(inside.stdout)")
        #expect(try exec(["-u", "65534:65534", bundle.id, "id", "-u"]).stdout == "65534\n")
        #expect(try exec([bundle.id, "sh", "-c", "exit 5"]).status == 5)
        #expect(try exec([bundle.id, "nope"]).status == 127)
        // --process: a process.json as runc takes it.
        let processFile = "\(bundle.directory)/process.json"
        try FileSystem.writeDurably(Array(#"{"user":{"uid":0,"gid":0},"args":["sh","-c","echo from $WHERE"],"env":["WHERE=file"],"cwd":"/"}"#.utf8), to: processFile)
        #expect(try exec(["--process", processFile, bundle.id]).stdout == "from file\n")
        // -d returns at once; the process runs on.
        #expect(try exec(["-d", bundle.id, "sh", "-c", "echo done > /tmp/mark"]).status == 0)
        var mark = ""
        for _ in 0..<500 where mark.isEmpty {
            mark = (try? FileSystem.readString("\(bundle.rootfs)/tmp/mark")) ?? ""
            if mark.isEmpty { usleep(10_000) }
        }
        #expect(mark == "done\n")
        // Bad input: exit 125 and a message naming the flag.
        for (arguments, words) in [(["--cwd", "rel", bundle.id, "true"], "--cwd rel"), (["-u", "root", bundle.id, "true"], "--user root"),
                                   (["-e", "=x", bundle.id, "true"], "--env =x"), (["--process", processFile, bundle.id, "true"], "exclusive"),
                                   (["--process", "/nonexistent", bundle.id], "--process /nonexistent"), ([bundle.id], "needs a command"),
                                   (["-d", "-t", bundle.id, "true"], "--detach")] {
            let result = try exec(arguments)
            #expect(result.status == 125, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
        #expect(try exec(["nosuch", "true"]).status == 1)

        // pause / resume: the freezer, and exec refused while frozen.
        #expect(try lighter(["runtime", "pause"] + root + [bundle.id], in: bundle).status == 0)
        #expect(try bundle.runtime.isPaused(id: bundle.id))
        let again = try lighter(["runtime", "pause"] + root + [bundle.id], in: bundle)
        #expect(again.status == 125 && again.stderr.contains("already paused"), "\(again.stderr)")
        let frozen = try exec([bundle.id, "true"])
        #expect(frozen.status == 125 && frozen.stderr.contains("paused"), "\(frozen.stderr)")
        #expect(try lighter(["runtime", "resume"] + root + [bundle.id], in: bundle).status == 0)
        #expect(try !bundle.runtime.isPaused(id: bundle.id))
        let thawed = try lighter(["runtime", "resume"] + root + [bundle.id], in: bundle)
        #expect(thawed.status == 125 && thawed.stderr.contains("not paused"), "\(thawed.stderr)")
        #expect(try exec([bundle.id, "true"]).status == 0)
        #expect(try lighter(["runtime", "delete", "--force"] + root + [bundle.id], in: bundle).status == 0)
    }
}
