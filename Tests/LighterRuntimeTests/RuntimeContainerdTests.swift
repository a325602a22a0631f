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

/// Debian's containerd (1.6) driving Lighter through a link named `runc` (`ctr run --runc-binary`): its
/// shim calls `runc --root … --log … --log-format json create --bundle … --pid-file … ID`, then start,
/// state, exec -d --pid-file, ps --format json, kill, delete. containerd runs in a network namespace of
/// its own with all its state in the test's directory, and is stopped at the end.
@Suite(.serialized, .enabled(if: FileSystem.exists("/usr/bin/containerd") && FileSystem.exists("/usr/bin/ctr"),
                             "needs Debian's containerd (scripts/install-deps.sh installs it)"))
struct RuntimeContainerdTests {
    @Test func ctrRunsExecsKillsAndDeletesThroughTheRuncLink() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        let dir = bundle.directory, socket = "\(bundle.directory)/containerd.sock"
        let namespace = "lighter-\(bundle.id)"
        let hadRunContainerd = FileSystem.exists("/run/containerd")
        let mountsBefore = BusyboxBundle.hostMounts(mentioning: dir)
        try FileSystem.writeDurably(Array("""
            version = 2
            root = "\(dir)/containerd-root"
            state = "\(dir)/containerd-state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "\(socket)"
            [ttrpc]
              address = "\(socket).ttrpc"

            """.utf8), to: "\(dir)/containerd.toml")
        try syscall("symlink") { symlink(BusyboxBundle.lighterBinary, "\(dir)/runc") }
        let daemon = Run.spawn(["unshare", "--net", "containerd", "--config", "\(dir)/containerd.toml"],
                               stdout: "\(dir)/containerd.log", stderr: "\(dir)/containerd.log")
        defer {
            kill(daemon, SIGTERM)
            _ = Run.wait(daemon)
            for hierarchy in (try? FileSystem.list("/sys/fs/cgroup")) ?? [] {
                _ = rmdir("/sys/fs/cgroup/\(hierarchy)/\(namespace)")
            }
            // A shim leaves shortly after its task is deleted, its socket in /run/containerd/s with it.
            for _ in 0..<100 where !((try? FileSystem.list("/run/containerd/s")) ?? []).isEmpty { usleep(50_000) }
            if !hadRunContainerd {
                for sub in ["fifo", "s"] { _ = rmdir("/run/containerd/\(sub)") }
                _ = rmdir("/run/containerd")
            }
        }
        func ctr(_ arguments: [String]) -> ProcessResult {
            Run.capture(["timeout", "60", "ctr", "--address", socket, "--namespace", namespace] + arguments)
        }
        var up = false
        for _ in 0..<200 where !up {
            up = ctr(["version"]).status == 0
            if !up { usleep(50_000) }
        }
        #expect(up, "containerd did not come up: \((try? FileSystem.readString("\(dir)/containerd.log")) ?? "")")
        let runtime = ["--runc-binary", "\(dir)/runc", "--runc-root", "\(dir)/runc-root", "--rootfs", bundle.rootfs]

        // Foreground: output and exit status come back through the shim.
        let hello = ctr(["run", "--rm"] + runtime + ["c1", "sh", "-c", "echo hello; exit 3"])
        #expect(hello.status == 3, "\(hello.stderr)")
        #expect(hello.stdout == "hello\n")

        // Detached: exec (its own exit status), ps, kill, delete.
        let detached = ctr(["run", "-d"] + runtime + ["c2", "sleep", "100"])
        #expect(detached.status == 0, "\(detached.stderr)")
        let exec = ctr(["task", "exec", "--exec-id", "e1", "c2", "sh", "-c", "echo in; exit 4"])
        #expect(exec.status == 4, "\(exec.stderr)")
        #expect(exec.stdout == "in\n")
        let ps = ctr(["task", "ps", "c2"])
        #expect(ps.status == 0 && ps.stdout.split(separator: "\n").count == 2, "\(ps.stdout) \(ps.stderr)")
        // pause / resume (runc pause, resume; the shim reads the state back).
        #expect(ctr(["task", "pause", "c2"]).status == 0)
        #expect(ctr(["task", "ls"]).stdout.contains("PAUSED"))
        #expect(ctr(["task", "resume", "c2"]).status == 0)
        #expect(ctr(["task", "ls"]).stdout.contains("RUNNING"))
        // exec -t: exec -d --console-socket (a pty of the test's own gives ctr a terminal).
        let tty = Run.onPseudoTerminal(["ctr", "--address", socket, "--namespace", namespace, "task", "exec", "-t", "--exec-id", "e2", "c2", "sh", "-c", "tty; echo done"])
        #expect(tty.status == 0 && tty.stdout.contains("/dev/pts/") && tty.stdout.contains("done"), "status \(tty.status): \(tty.stdout) \(tty.stderr)")
        #expect(ctr(["task", "kill", "-s", "KILL", "c2"]).status == 0)
        var stopped = false
        for _ in 0..<200 where !stopped {
            stopped = ctr(["task", "ls"]).stdout.contains("STOPPED")
            if !stopped { usleep(50_000) }
        }
        #expect(stopped)
        let delete = ctr(["task", "delete", "c2"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(ctr(["container", "delete", "c2"]).status == 0)

        // A create error reaches ctr through the --log JSON lines the shim reads back.
        let missing = ctr(["run", "--rm"] + runtime + ["c3", "nope"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("executable file not found"), "\(missing.stderr)")

        #expect(ctr(["task", "ls", "-q"]).stdout == "")
        #expect(((try? FileSystem.list("\(dir)/runc-root/\(namespace)")) ?? []).isEmpty)
        #expect(BusyboxBundle.hostMounts(mentioning: dir) == mountsBefore)
    }
}
