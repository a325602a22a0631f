#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `lighter exec` into running containers, on the real kernel.
@Suite struct ExecCommandTests {
    /// A root with busybox and one detached container `box` that sleeps.
    static func running(_ extra: [String] = []) -> Lighter {
        let lighter = RunCommandTests.ready()
        let started = lighter.run(["run", "-d", "--name", "box"] + extra + ["busybox", "sh", "-c", "while true; do sleep 1; done"])
        #expect(started.status == 0, "\(started.stderr)")
        return lighter
    }

    @Test func joinsTheContainersNamespacesAndSettings() {
        let lighter = Self.running(["-e", "FROM_RUN=yes", "-h", "boxhost"])
        defer { lighter.run("rm", "-f", "box") }
        let inside = lighter.run("exec", "box", "sh", "-c",
                                 "echo $FROM_RUN; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; id; pwd; grep CapEff /proc/self/status")
        #expect(inside.status == 0, "\(inside.stderr)")
        #expect(inside.stdout == "yes\nboxhost\nsh -c while true; do sleep 1; done \nuid=0(root) gid=0(root) groups=0(root)\n/\nCapEff:\t00000000a80425fb\n")
        // Every namespace is the container init's.
        let pid = lighter.run("inspect", "-f", "{{.State.Pid}}", "box").stdout.trimmed
        let namespaces = lighter.run("exec", "box", "sh", "-c", "for n in mnt pid net uts ipc; do readlink /proc/self/ns/$n; done")
        let expected = ["mnt", "pid", "net", "uts", "ipc"].map { (try? FileSystem.readLink("/proc/\(pid)/ns/\($0)")) ?? "?" }
        #expect(namespaces.stdout.split(separator: "\n").map(String.init) == expected)
        // And it runs in the container's cgroup and under its seccomp profile.
        let cgroup = lighter.run("exec", "box", "sh", "-c", "grep -E '^[0-9]+:pids:' /proc/self/cgroup; grep Seccomp: /proc/self/status")
        #expect(cgroup.stdout.contains(":pids:/lighter/"), "\(cgroup.stdout)")
        #expect(cgroup.stdout.contains("Seccomp:\t2"))
    }

    @Test func envUserAndWorkdirOverride() {
        let lighter = Self.running(["-e", "A=run"])
        defer { lighter.run("rm", "-f", "box") }
        let result = lighter.run("exec", "-e", "A=exec", "-e", "B=2", "-u", "nobody", "-w", "/tmp", "box", "sh", "-c", "echo $A $B; id; pwd")
        #expect(result.stdout == "exec 2\nuid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n/tmp\n", "\(result.stderr)")
        let numeric = lighter.run("exec", "-u", "33:100", "box", "id")
        #expect(numeric.stdout == "uid=33(www-data) gid=100(users)\n" || numeric.stdout.hasPrefix("uid=33"), "\(numeric.stdout)")
        #expect(lighter.run("exec", "-u", "33:100", "box", "id", "-g").stdout == "100\n")
        // --privileged: more capabilities than the container's default set (all this engine may grant).
        let privileged = lighter.run("exec", "--privileged", "box", "grep", "CapEff", "/proc/self/status").stdout
        let bits = UInt64(privileged.split(separator: "\t").last?.trimmed ?? "", radix: 16) ?? 0
        #expect(bits & 0xa80425fb == 0xa80425fb && bits != 0xa80425fb, "\(privileged)")
    }

    @Test func exitCodesMatchDockers() {
        let lighter = Self.running()
        defer { lighter.run("rm", "-f", "box") }
        for (command, expected) in [(["true"], Int32(0)), (["sh", "-c", "exit 7"], 7), (["sh", "-c", "kill -9 $$"], 137),
                                    (["nothere"], 127), (["/etc/passwd"], 126), (["/tmp"], 126)] {
            let result = lighter.run(["exec", "box"] + command)
            #expect(result.status == expected, "\(command): \(result.stderr)")
            if expected == 126 || expected == 127 { #expect(result.stderr.hasPrefix("lighter: ") && result.stderr.contains("exec: "), "\(result.stderr)") }
        }
    }

    @Test func badInputIsAClearEngineError() {
        let lighter = Self.running()
        defer { lighter.run("rm", "-f", "box") }
        for (args, words) in [(["exec", "nobox", "true"], "no such container"), (["exec", "box"], "requires at least 2 arguments"),
                              (["exec", "-w", "relative", "box", "true"], "absolute path"),
                              (["exec", "-u", "nosuchuser", "box", "true"], "unable to find user nosuchuser"),
                              (["exec", "-e", "=x", "box", "true"], "invalid environment variable")] {
            let result = lighter.run(args)
            #expect(result.status == 125, "\(args): \(result.stderr)")
            #expect(result.stderr.hasPrefix("lighter: ") && result.stderr.contains(words), "\(args): \(result.stderr)")
        }
        #expect(lighter.run("stop", "-t", "0", "box").status == 0)
        let stopped = lighter.run("exec", "box", "true")
        #expect(stopped.status == 125)
        #expect(stopped.stderr.contains("is not running"), "\(stopped.stderr)")
    }

    @Test func interactiveDetachedAndTerminal() throws {
        let lighter = Self.running()
        defer { lighter.run("rm", "-f", "box") }
        #expect(lighter.run(["exec", "-i", "box", "sh", "-c", "tr a-z A-Z"], stdin: "piped in\n").stdout == "PIPED IN\n")
        // Without -i the process's stdin is empty.
        #expect(lighter.run(["exec", "box", "cat"], stdin: "not seen\n").stdout == "")
        // -d returns at once; the process runs on in the container.
        let detached = lighter.run("exec", "-d", "box", "sh", "-c", "echo later > /tmp/mark")
        #expect(detached.status == 0 && detached.stdout == "", "\(detached.stderr)")
        var mark = ""
        for _ in 0..<100 where mark.isEmpty {
            mark = lighter.run("exec", "box", "sh", "-c", "cat /tmp/mark 2>/dev/null").stdout
            if mark.isEmpty { usleep(50_000) }
        }
        #expect(mark == "later\n")
        // -t: a pseudo-terminal from the container's devpts, TERM=xterm.
        let tty = lighter.run("exec", "-t", "box", "sh", "-c", "tty; echo $TERM; exit 4")
        #expect(tty.status == 4)
        #expect(tty.stdout.replacing("\r\n", with: "\n").hasPrefix("/dev/pts/"), "\(tty.stdout)")
        #expect(tty.stdout.contains("xterm"))
        // No exec process is left running in the container (a finished detached one is the init's to reap, as in Docker).
        let processes = lighter.run("exec", "box", "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '")
        #expect(processes.stdout.contains("while true"), "\(processes.stdout)")
        #expect(!processes.stdout.contains("later") && !processes.stdout.contains("tty;"), "\(processes.stdout)")
    }

    @Test func terminalTakesTheCallersWindowSize() throws {
        try #require(FileSystem.exists("/usr/bin/script"), "script(1) from bsdutils gives the exec a terminal to read")
        let lighter = Self.running()
        defer { lighter.run("rm", "-f", "box") }
        let result = Run.sh("stty rows 33 cols 101 2>/dev/null; LIGHTER_ROOT=\(lighter.root.path) script -qec "
                            + "'stty rows 33 cols 101; \(Repository.lighterBinary) exec -it box busybox stty size' /dev/null")
        #expect(result.stdout.contains("33 101"), "\(result.stdout) \(result.stderr)")
        // Resizing the caller's terminal (SIGWINCH) resizes the container's; the container waits for it.
        let wait = "i=0; while [ \"$(busybox stty size)\" = \"33 101\" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; busybox stty size\n"
        #expect(lighter.run(["exec", "-i", "box", "sh", "-c", "cat > /wait.sh"], stdin: wait).status == 0)
        let resized = Run.sh("LIGHTER_ROOT=\(lighter.root.path) script -qec 'stty rows 33 cols 101; (sleep 0.5; stty rows 40 cols 120 </dev/tty) & "
                             + "\(Repository.lighterBinary) exec -it box sh /wait.sh' /dev/null")
        #expect(resized.stdout.hasSuffix("40 120\r\n"), "\(resized.stdout) \(resized.stderr)")
    }

    @Test func envFileAsRunsAndDetachedLeavesNoZombie() throws {
        let lighter = RunCommandTests.ready()
        // PID 1 that never reaps: a detached exec must not end as its zombie.
        #expect(lighter.run("run", "-d", "--name", "sleeper", "busybox", "sleep", "100").status == 0)
        defer { lighter.run("rm", "-f", "sleeper") }
        let file = lighter.root.sub("env.list")
        try FileSystem.writeDurably(Array("# a comment\nFROM_FILE=1\n\nA=file\n".utf8), to: file)
        let env = lighter.run("exec", "--env-file", file, "-e", "A=flag", "sleeper", "sh", "-c", "echo $FROM_FILE $A")
        #expect(env.stdout == "1 flag\n", "\(env.stderr)")
        try FileSystem.writeDurably(Array("=nothing\n".utf8), to: lighter.root.sub("bad.list"))
        for (args, words) in [(["exec", "--env-file", "/nonexistent", "sleeper", "true"], "--env-file /nonexistent"),
                              (["exec", "--env-file", lighter.root.sub("bad.list"), "sleeper", "true"], "invalid environment variable: =nothing")] {
            let result = lighter.run(args)
            #expect(result.status == 125 && result.stderr.contains(words), "\(args): \(result.stderr)")
        }

        // The process, and an orphan it leaves behind, are reaped (not left to PID 1).
        #expect(lighter.run("exec", "-d", "sleeper", "sleep", "0.1").status == 0)
        #expect(lighter.run("exec", "-d", "sleeper", "sh", "-c", "sleep 0.2 & true").status == 0)
        // Wait until only PID 1's sleep is left (the reaper gone too); a zombie keeps its /proc entry (state Z).
        var states: [String] = []
        for _ in 0..<200 {
            let out = lighter.run("exec", "sleeper", "sh", "-c", "cat /proc/[0-9]*/stat 2>/dev/null").stdout
            let lines = out.split(separator: "\n").filter { !$0.contains("(sh)") && !$0.contains("(cat)") }
            states = lines.map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
            if states.count == 1 { break }
            usleep(50_000)
        }
        #expect(states == ["1 (sleep) S"], "\(states)")
        let top = lighter.run("top", "sleeper")
        #expect(top.status == 0 && !top.stdout.contains("[sleep]") && top.stdout.split(separator: "\n").count == 2, "\(top.stdout)")
    }
}
