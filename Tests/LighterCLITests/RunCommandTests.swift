#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `lighter run` and the container lifecycle, on the real kernel.
@Suite struct RunCommandTests {
    /// A root with the busybox image imported.
    static func ready() -> Lighter {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        return lighter
    }

    static let exitCases: [([String], Int32)] = [
        (["true"], 0), (["false"], 1), (["sh", "-c", "exit 7"], 7), (["sh", "-c", "sh -c 'kill -9 $$'; exit $?"], 137), (["nothere"], 127), (["/etc/passwd"], 126),
        (["sh", "-c", "exit 64"], 64),   // the container's 64 is not taken for a usage error
    ]

    @Test(arguments: exitCases)
    func exitCodesMatchDockers(command: [String], expected: Int32) {
        let lighter = Self.ready()
        let result = lighter.run(["run", "--rm", "busybox"] + command)
        #expect(result.status == expected, "\(result.stderr)")
        if expected == 126 || expected == 127 { #expect(result.stderr.hasPrefix("lighter: ")) }
    }

    @Test func engineErrorsExit125AndLeaveNothing() {
        let lighter = Self.ready()
        for args in [["run", "--rm", "--pull", "never", "nosuchimage"], ["run", "--memory", "lots", "busybox", "true"], ["run", "--cpus", "999", "busybox", "true"],
                     ["run", "--restart", "sometimes", "busybox", "true"], ["run", "-v", "./relative:/x", "busybox", "true"],
                     ["run", "--network", "bridge0", "busybox", "true"], ["run", "--rm", "--restart", "always", "busybox", "true"],
                     ["run", "-u", "nobody-here", "busybox", "true"], ["run", "--cap-add", "CAP_MAGIC", "busybox", "true"],
                     ["run", "--no-such-flag", "busybox", "true"], ["run", "--memory"], ["create"], ["ps", "--bogus"]] {
            let result = lighter.run(args)
            #expect(result.status == 125, "\(args): \(result.stderr)")
            #expect(result.stderr.hasPrefix("lighter: "), "\(args)")
        }
        // The failed `-u` run created a container (as Docker does) that exited; nothing is left running or mounted.
        #expect(lighter.run("ps", "-q").stdout == "")
        #expect(!((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").contains(lighter.root.path))
    }

    @Test func processSettingsFollowDockersRules() {
        let lighter = Self.ready()
        let env = lighter.run("run", "--rm", "-e", "A=1", "-e", "PATH=/bin", "-w", "/tmp", "-h", "box", "busybox",
                              "sh", "-c", "echo $A $PATH $HOSTNAME; pwd; hostname; cat /etc/hostname")
        #expect(env.stdout == "1 /bin box\n/tmp\nbox\nbox\n", "\(env.stderr)")
        let user = lighter.run("run", "--rm", "-u", "nobody", "busybox", "id")
        #expect(user.stdout == "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n", "\(user.stderr)")
        // A missing working directory is made (as Docker), 0755 and root's.
        let made = lighter.run("run", "--rm", "-u", "nobody", "-w", "/new/dir", "busybox", "sh", "-c", "pwd; stat -c '%a %u' /new/dir")
        #expect(made.status == 0 && made.stdout == "/new/dir\n755 0\n", "\(made.stdout) \(made.stderr)")
        let numeric = lighter.run("run", "--rm", "-u", "33:100", "busybox", "id", "-u")
        #expect(numeric.stdout == "33\n")
        let entrypoint = lighter.run("run", "--rm", "--entrypoint", "echo", "busybox", "from", "entrypoint")
        #expect(entrypoint.stdout == "from entrypoint\n")
        let isolated = lighter.run("run", "--rm", "busybox", "sh", "-c", "echo $$; readlink /proc/self/ns/pid /proc/self/ns/mnt /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/net")
        let lines = isolated.stdout.split(separator: "\n")
        #expect(lines.first == "1")   // the shell is PID 1 of its own pid namespace
        for (line, ns) in zip(lines.dropFirst(), ["pid", "mnt", "uts", "ipc", "net"]) {
            let host = (try? FileSystem.readLink("/proc/self/ns/\(ns)")) ?? ""
            #expect(String(line) != host, "\(ns) namespace is the host's")
        }
    }

    @Test func securityDefaultsAndFlags() {
        let lighter = Self.ready()
        let caps = lighter.run("run", "--rm", "busybox", "grep", "CapEff", "/proc/self/status")
        #expect(caps.stdout.trimmed == "CapEff:\t00000000a80425fb", "\(caps.stderr)")
        let dropped = lighter.run("run", "--rm", "--cap-drop", "chown", "busybox", "grep", "CapEff", "/proc/self/status")
        #expect(dropped.stdout.trimmed == "CapEff:\t00000000a80425fa")
        let readOnly = lighter.run("run", "--rm", "--read-only", "busybox", "touch", "/x")
        #expect(readOnly.status == 1)
        #expect(readOnly.stderr.contains("Read-only file system"))
        let tmpfs = lighter.run("run", "--rm", "--read-only", "--tmpfs", "/scratch", "busybox", "sh", "-c", "echo hi > /scratch/f && cat /scratch/f")
        #expect(tmpfs.stdout == "hi\n", "\(tmpfs.stderr)")
        let masked = lighter.run("run", "--rm", "busybox", "sh", "-c", "wc -c < /proc/timer_list; wc -c < /proc/keys")
        #expect(masked.stdout == "0\n0\n", "\(masked.stderr)")
    }

    @Test func bindMountsAndReadOnlyBinds() throws {
        let lighter = Self.ready()
        let dir = TestDirectory("lighter-bind")
        try FileSystem.writeDurably(Array("from host\n".utf8), to: dir.sub("in.txt"))
        let rw = lighter.run("run", "--rm", "-v", "\(dir.path):/data", "busybox", "sh", "-c", "cat /data/in.txt && echo back > /data/out.txt")
        #expect(rw.stdout == "from host\n", "\(rw.stderr)")
        #expect(try FileSystem.readString(dir.sub("out.txt")) == "back\n")
        let ro = lighter.run("run", "--rm", "-v", "\(dir.path):/data:ro", "busybox", "touch", "/data/x")
        #expect(ro.status != 0)
        #expect(!FileSystem.exists(dir.sub("x")))
    }

    @Test func memoryLimitOOMKillsWith137AndInspectSaysSo() {
        let lighter = Self.ready()
        // The shell holds 64 MiB in a variable: over a 32 MiB limit (swap limited too).
        let result = lighter.run("run", "--name", "hog", "--memory", "32m", "--memory-swap", "32m", "busybox",
                                 "sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo ${#x}")
        #expect(result.status == 137, "\(result.stdout)\(result.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.State.OOMKilled}} {{.State.ExitCode}}", "hog").stdout == "true 137\n")
    }

    @Test func pidsLimitStopsAForkBomb() {
        let lighter = Self.ready()
        let bomb = "for i in $(seq 30); do sleep 1 & done; echo all started"
        let limited = lighter.run("run", "--rm", "--pids-limit", "10", "busybox", "sh", "-c", bomb)
        #expect(limited.status != 0)
        #expect(limited.stderr.contains("can't fork"), "\(limited.stderr)")
        #expect(!limited.stdout.contains("all started"))
        let free = lighter.run("run", "--rm", "busybox", "sh", "-c", bomb)
        #expect(free.stdout == "all started\n", "\(free.stderr)")
    }

    @Test func detachedContainersOutliveTheCLIAndStopEscalates() {
        let lighter = Self.ready()
        let started = lighter.run("run", "-d", "--name", "ticker", "busybox", "sh", "-c", "while true; do echo tick; sleep 0.1; done")
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.trimmed.count == 64)
        #expect(lighter.waitForLog("ticker", containing: "tick"))
        #expect(lighter.run("ps", "--format", "{{.Names}} {{.State}}").stdout == "ticker running\n")
        #expect(lighter.run("logs", "--tail", "1", "ticker").stdout == "tick\n")
        // sh as PID 1 ignores SIGTERM: stop escalates to SIGKILL after the grace period.
        #expect(lighter.run("stop", "-t", "1", "ticker").status == 0)
        #expect(lighter.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "ticker").stdout == "exited 137\n")
        // A process that handles SIGTERM exits with its own code.
        #expect(lighter.run("run", "-d", "--name", "polite", "busybox", "sh", "-c", "trap 'exit 42' TERM; echo ready; while true; do sleep 0.1; done").status == 0)
        #expect(lighter.waitForLog("polite", containing: "ready"))
        #expect(lighter.run("stop", "polite").status == 0)
        #expect(lighter.run("wait", "polite").stdout == "42\n")
        #expect(lighter.run("rm", "ticker", "polite").status == 0)
        #expect(lighter.run("ps", "-aq").stdout == "")
    }

    @Test func restartPolicyOnFailureRetriesThenGivesUp() {
        let lighter = Self.ready()
        let started = lighter.run("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "echo run; exit 3")
        #expect(started.status == 0, "\(started.stderr)")
        var status = ""
        for _ in 0..<300 {
            status = lighter.run("inspect", "-f", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "flaky").stdout
            if status == "exited 2 3\n" { break }
            usleep(100_000)
        }
        #expect(status == "exited 2 3\n")
        #expect(lighter.run("logs", "flaky").stdout == "run\nrun\nrun\n")
    }

    @Test func namesAreUniqueAndRmNeedsForceForRunning() {
        let lighter = Self.ready()
        #expect(lighter.run("create", "--name", "one", "busybox", "true").status == 0)
        let clash = lighter.run("create", "--name", "one", "busybox", "true")
        #expect(clash.status == 125)
        #expect(clash.stderr.contains("is already in use"))
        #expect(lighter.run("run", "-d", "--name", "long", "busybox", "sleep", "100").status == 0)
        let refused = lighter.run("rm", "long")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Stop the container before attempting removal or force remove"))
        #expect(lighter.run("rm", "-f", "long").status == 0)
        #expect(lighter.run("start", "-a", "one").status == 0)
        #expect(lighter.run("container", "prune", "-f").stdout.contains("Deleted Containers:"))
        #expect(lighter.run("ps", "-aq").stdout == "")
        // rmi refuses an image a container uses.
        #expect(lighter.run("create", "busybox", "true").status == 0)
        #expect(lighter.run("rmi", "busybox").status == 1)
    }

    /// A `--rm` container's record is written without fsync: after a power cut it may be empty.
    /// `rm` and `container prune` still remove such a container (and `ps` skips it).
    @Test func containersWithUnreadableRecordsAreRemovable() throws {
        let lighter = Self.ready()
        var ids: [String] = []
        for name in ["torn1", "torn2"] {
            let created = lighter.run("create", "--rm", "--name", name, "busybox", "true")
            #expect(created.status == 0, "\(created.stderr)")
            ids.append(created.stdout.trimmed)
        }
        for id in ids { try FileSystem.writeDurably([], to: "\(lighter.root.path)/containers/\(id)/container.json") }
        #expect(lighter.run("ps", "-aq").stdout == "")
        let removed = lighter.run("rm", "torn1")
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(lighter.run("container", "prune", "-f").stdout.contains(ids[1]))
        #expect(try FileSystem.list("\(lighter.root.path)/containers") == [])
        #expect(lighter.run("create", "--name", "torn1", "busybox", "true").status == 0)   // the name is free again
    }

    @Test func logsRotateByDefaultSettings() throws {
        let lighter = Self.ready()
        let result = lighter.run("run", "--name", "chatty", "--log-opt", "max-size=10k", "--log-opt", "max-file=2", "busybox",
                                 "sh", "-c", "for i in $(seq 2000); do echo line-$i; done")
        #expect(result.status == 0)
        let id = lighter.run("inspect", "-f", "{{.Id}}", "chatty").stdout.trimmed
        let dir = "\(lighter.root.path)/containers/\(id)"
        let files = try FileSystem.list(dir).filter { $0.hasPrefix("\(id)-json.log") }
        #expect(files.sorted() == ["\(id)-json.log", "\(id)-json.log.1"])
        for file in files { #expect((FileSystem.lstatOrNil("\(dir)/\(file)")?.st_size ?? 0) <= 10 * 1024) }
        let tail = lighter.run("logs", "--tail", "2", "chatty")
        #expect(tail.stdout == "line-1999\nline-2000\n")
        #expect(lighter.run("logs", "-t", "--tail", "1", "chatty").stdout.hasSuffix("Z line-2000\n"))
    }

    @Test func manyRunsLeaveNoMountsCgroupsOrProcesses() {
        let lighter = Self.ready()
        let bin = Repository.lighterBinary
        let parent = "lighter-test-\(UInt32.random(in: 0...UInt32.max))"
        let loop = Run.capture(["/bin/sh", "-c", "for i in $(seq 200); do \(bin) run --rm --cgroup-parent \(parent) busybox true || exit 1; done"],
                               environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        #expect(loop.status == 0, "\(loop.stderr)")
        var pids: [pid_t] = []
        for i in 0..<20 {
            pids.append(Run.spawn([bin, "run", "--rm", "--cgroup-parent", parent, "busybox", "sh", "-c", "echo \(i)"], stdout: lighter.root.sub("o\(i)"), stderr: lighter.root.sub("e\(i)"),
                                  environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"]))
        }
        for pid in pids { #expect(Run.wait(pid) == 0) }
        #expect(lighter.run("ps", "-aq").stdout == "")
        #expect(!((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").contains(lighter.root.path))
        #expect(((try? FileSystem.list("\(lighter.root.path)/containers")) ?? ["x"]).isEmpty)
        // No process of ours is left: no monitor, no init, nothing running from this data root.
        let stray = Run.sh("grep -l '\(lighter.root.path)' /proc/[0-9]*/environ 2>/dev/null | wc -l")
        #expect(stray.stdout.trimmed == "0", "\(stray.stdout)")
        for controller in ["memory", "pids", "cpu", "freezer", "devices"] {
            let children = Run.sh("find /sys/fs/cgroup/\(controller)/\(parent) -mindepth 1 -type d 2>/dev/null | wc -l")
            #expect(children.stdout.trimmed == "0", "\(controller): \(children.stdout)")
            _ = Run.sh("rmdir /sys/fs/cgroup/\(controller)/\(parent) 2>/dev/null")
        }
    }
}

@Suite struct RunSeccompTests {
    @Test func dockersDefaultProfileAppliesUnlessUnconfined() throws {
        let lighter = RunCommandTests.ready()
        // `unshare -U` needs no capability: only the seccomp profile refuses it.
        let confined = lighter.run("run", "--rm", "busybox", "unshare", "-U", "true")
        #expect(confined.status != 0)
        #expect(confined.stderr.contains("Operation not permitted"), "\(confined.stderr)")
        #expect(lighter.run("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "unshare", "-U", "true").status == 0)
        #expect(lighter.run("run", "--rm", "--privileged", "busybox", "unshare", "-U", "true").status == 0)
        let seccompMode = lighter.run("run", "--rm", "busybox", "grep", "Seccomp:", "/proc/self/status")
        #expect(seccompMode.stdout.trimmed == "Seccomp:\t2")
        // A profile file that denies mkdir.
        let dir = TestDirectory("lighter-seccomp")
        let profile = #"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#
        try FileSystem.writeDurably(Array(profile.utf8), to: dir.sub("profile.json"))
        let denied = lighter.run("run", "--rm", "--security-opt", "seccomp=\(dir.sub("profile.json"))", "busybox", "mkdir", "/tmp/x")
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("Operation not permitted"))
        let bad = lighter.run("run", "--rm", "--security-opt", "seccomp=/nonexistent.json", "busybox", "true")
        #expect(bad.status == 125)
    }
}

@Suite struct RunTerminalTests {
    @Test func dashTGivesTheContainerARealTerminal() {
        let lighter = RunCommandTests.ready()
        let bin = Repository.lighterBinary
        // `script` gives this command a terminal of its own, as a user's shell would.
        let tty = Run.capture(["script", "-qec", "\(bin) run --rm -t busybox sh -c 'tty; echo cols=$(stty size | cut -d\" \" -f2)'", "/dev/null"],
                              environment: ["LIGHTER_ROOT": lighter.root.path])
        #expect(tty.status == 0, "\(tty.stdout)\(tty.stderr)")
        #expect(tty.stdout.contains("/dev/pts/0"))
        #expect(!tty.stdout.contains("not a tty"))
        let interactive = Run.capture(["sh", "-c", "(sleep 1; printf 'echo hi-from-$((40+2))\\nexit 3\\n') | script -qec '\(bin) run --rm -it busybox sh' /dev/null"],
                                      environment: ["LIGHTER_ROOT": lighter.root.path])
        #expect(interactive.status == 3, "\(interactive.stdout)\(interactive.stderr)")
        #expect(interactive.stdout.contains("hi-from-42"))
        // Without a terminal around it, -t still gives the container one.
        let plain = lighter.run("run", "--rm", "-t", "busybox", "tty")
        #expect(plain.stdout.trimmed == "/dev/pts/0", "\(plain.stderr)")
    }
}

@Suite struct RunInitTests {
    /// `--init` mounts the lighter binary itself into the container, so it needs the static build.
    @Test func initReapsOrphansForwardsSignalsAndKeepsTheExitCode() {
        let lighter = RunCommandTests.ready()
        let bin = Repository.staticLighterBinary
        func run(_ arguments: [String]) -> ProcessResult {
            Run.capture([bin] + arguments, environment: ["LIGHTER_ROOT": lighter.root.path])
        }
        let tree = run(["run", "--rm", "--init", "busybox", "sh", "-c", "ps; exit 3"])
        #expect(tree.status == 3, "\(tree.stderr)")
        #expect(tree.stdout.contains("    1 root     /sbin/lighter-init -- sh -c ps; exit 3"), "\(tree.stdout)")
        // An orphan is reaped by the init rather than left a zombie.
        let orphans = run(["run", "--rm", "--init", "busybox", "sh", "-c", "(sleep 0.2 &) ; sleep 1; ps -o stat | grep -c Z"])
        #expect(orphans.stdout.trimmed == "0", "\(orphans.stdout)")
        // SIGTERM from stop reaches the command (sleep dies of it) instead of being ignored by a shell as PID 1.
        #expect(run(["run", "-d", "--init", "--name", "sleeper", "busybox", "sleep", "100"]).status == 0)
        #expect(run(["stop", "-t", "30", "sleeper"]).status == 0)
        #expect(run(["inspect", "-f", "{{.State.ExitCode}}", "sleeper"]).stdout == "143\n")
        // The debug build cannot serve as the init, and says so.
        let debug = lighter.run("run", "--rm", "--init", "busybox", "true")
        #expect(debug.status == 125)
        #expect(debug.stderr.contains("static build"))
    }
}
