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

/// Debian's dockerd (20.10) with Lighter as a runtime (`dockerd --add-runtime lighter=<runc link>`,
/// `docker run --runtime lighter`): run, exec, logs, top, --memory, stop, rm. dockerd (and the containerd
/// it manages) runs in a network namespace of its own with no bridge and no iptables, its state under
/// the test's directory; it is stopped at the end and what it leaves in /run and the cgroups removed.
@Suite(.serialized, .enabled(if: FileSystem.exists("/usr/sbin/dockerd") && FileSystem.exists("/usr/bin/docker"),
                             "needs Debian's docker.io (scripts/install-deps.sh installs it)"))
struct RuntimeDockerdTests {
    @Test func dockerRunExecLogsStopRmWithTheLighterRuntime() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        let dir = bundle.directory, socket = "unix://\(bundle.directory)/docker.sock"
        let cgroupParent = "lighter-test-docker-\(bundle.id)"
        let runDirectories = ["/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd"].filter { !FileSystem.exists($0) }
        let mountsBefore = BusyboxBundle.hostMounts(mentioning: dir)
        try syscall("symlink") { symlink(BusyboxBundle.lighterBinary, "\(dir)/runc") }
        try FileSystem.writeDurably(Array("{}".utf8), to: "\(dir)/daemon.json")
        let daemon = Run.spawn(["unshare", "--net", "dockerd", "-H", socket, "--config-file", "\(dir)/daemon.json",
                                "--data-root", "\(dir)/data", "--exec-root", "\(dir)/exec", "--pidfile", "\(dir)/dockerd.pid",
                                "--bridge=none", "--iptables=false", "--ip6tables=false", "--storage-driver", "overlay2",
                                "--cgroup-parent", "/\(cgroupParent)", "--add-runtime", "lighter=\(dir)/runc"],
                               stdout: "\(dir)/dockerd.log", stderr: "\(dir)/dockerd.log")
        var running = true
        func stop() {
            guard running else { return }
            running = false
            kill(daemon, SIGTERM)
            _ = Run.wait(daemon)
        }
        defer {
            stop()
            for hierarchy in (try? FileSystem.list("/sys/fs/cgroup")) ?? [] { _ = rmdir("/sys/fs/cgroup/\(hierarchy)/\(cgroupParent)") }
            // A shim leaves shortly after its task is deleted, its socket in /run/containerd/s with it.
            for _ in 0..<100 where !((try? FileSystem.list("/run/containerd/s")) ?? []).isEmpty { usleep(50_000) }
            for path in runDirectories { _ = rmdir(path) }
        }
        func docker(_ arguments: [String]) -> ProcessResult {
            Run.capture(["timeout", "60", "/usr/bin/docker", "-H", socket] + arguments)
        }
        var up = false
        for _ in 0..<300 where !up {
            up = docker(["version"]).status == 0
            if !up { usleep(100_000) }
        }
        try #require(up, "dockerd did not come up: \((try? FileSystem.readString("\(dir)/dockerd.log")) ?? "")")
        #expect(Run.capture(["tar", "-C", bundle.rootfs, "-cf", "\(dir)/rootfs.tar", "."]).status == 0)
        let imported = docker(["import", "-c", "CMD [\"/bin/sh\"]", "\(dir)/rootfs.tar", "lighter-busybox:test"])
        try #require(imported.status == 0, "\(imported.stderr)")

        let hello = docker(["run", "--rm", "--runtime", "lighter", "--network", "none", "lighter-busybox:test", "sh", "-c", "echo hello; exit 3"])
        #expect(hello.status == 3, "\(hello.stderr)")
        #expect(hello.stdout == "hello\n")

        let started = docker(["run", "-d", "--name", "c2", "--runtime", "lighter", "--network", "none", "--memory", "64m",
                              "lighter-busybox:test", "sh", "-c", "echo started; while true; do sleep 1; done"])
        #expect(started.status == 0, "\(started.stderr)")
        let exec = docker(["exec", "c2", "sh", "-c", "echo in; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; exit 4"])
        #expect(exec.status == 4, "\(exec.stderr)")
        #expect(exec.stdout == "in\n67108864\n")
        var logs = ""
        for _ in 0..<100 where logs.isEmpty {
            logs = docker(["logs", "c2"]).stdout
            if logs.isEmpty { usleep(50_000) }
        }
        #expect(logs == "started\n")
        // docker update: the runtime's update -r - with every field, zeros meaning "unchanged".
        let update = docker(["update", "--memory", "96m", "--memory-swap", "192m", "--cpu-shares", "512", "c2"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(docker(["exec", "c2", "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/cpu/cpu.shares"]).stdout == "\(96 << 20)\n512\n")
        // exec -it: the shim's exec -d --console-socket (a pty of the test's own gives docker a terminal).
        let tty = Run.onPseudoTerminal(["/usr/bin/docker", "-H", socket, "exec", "-it", "c2", "sh", "-c", "tty; echo done"])
        #expect(tty.status == 0 && tty.stdout.contains("/dev/pts/") && tty.stdout.contains("done"), "status \(tty.status): \(tty.stdout) \(tty.stderr)")
        let top = docker(["top", "c2"])
        #expect(top.status == 0 && top.stdout.contains("while true"), "\(top.stdout) \(top.stderr)")
        // sh as PID 1 ignores TERM: stop SIGKILLs it after the timeout.
        #expect(docker(["stop", "-t", "1", "c2"]).status == 0)
        #expect(docker(["inspect", "-f", "{{.State.ExitCode}} {{.State.Status}}", "c2"]).stdout == "137 exited\n")
        #expect(docker(["rm", "c2"]).status == 0)
        #expect(docker(["ps", "-aq"]).stdout == "")
        // Stopped, dockerd has undone its own mounts (the data root's bind); none of the containers' is left.
        stop()
        #expect(BusyboxBundle.hostMounts(mentioning: dir) == mountsBefore)
    }
}
