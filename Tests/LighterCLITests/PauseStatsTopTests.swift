#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `pause`/`unpause` (cgroup freezer), `stats --no-stream` and `top` (cgroups and /proc), on the real kernel.
@Suite struct PauseStatsTopTests {
    @Test func pauseFreezesAndUnpauseThaws() {
        let lighter = ExecCommandTests.running()
        defer { lighter.run("rm", "-f", "box") }
        let pid = lighter.run("inspect", "-f", "{{.State.Pid}}", "box").stdout.trimmed
        #expect(lighter.run("pause", "box").stdout == "box\n")
        #expect(lighter.run("inspect", "-f", "{{.State.Status}}", "box").stdout == "paused\n")
        #expect(lighter.run("ps", "-a", "--format", "{{.Status}}").stdout.hasSuffix("(Paused)\n"))
        // Like Docker, `ps` without -a lists a paused container (it is still up), and rm needs -f.
        #expect(lighter.run("ps", "--format", "{{.Names}} {{.State}}").stdout == "box paused\n")
        let refused = lighter.run("rm", "box")
        #expect(refused.status == 1 && refused.stderr.contains("cannot remove a paused container"), "\(refused.stderr)")
        // The kernel's freezer holds every process of the container.
        let freezer = ((try? FileSystem.readString("/proc/\(pid)/cgroup")) ?? "").split(separator: "\n")
            .first { $0.contains(":freezer:") }.map { String($0.split(separator: ":", maxSplits: 2)[2]) } ?? "?"
        #expect(((try? FileSystem.readString("/sys/fs/cgroup/freezer\(freezer)/freezer.state")) ?? "").trimmed == "FROZEN")
        // A paused container takes no exec and no second pause.
        let exec = lighter.run("exec", "box", "true")
        #expect(exec.status == 125 && exec.stderr.contains("is paused"), "\(exec.stderr)")
        let again = lighter.run("pause", "box")
        #expect(again.status == 1 && again.stderr.contains("already paused"), "\(again.stderr)")
        #expect(lighter.run("unpause", "box").status == 0)
        #expect(lighter.run("inspect", "-f", "{{.State.Status}}", "box").stdout == "running\n")
        #expect(lighter.run("exec", "box", "echo", "thawed").stdout == "thawed\n")
        let notPaused = lighter.run("unpause", "box")
        #expect(notPaused.status == 1 && notPaused.stderr.contains("is not paused"), "\(notPaused.stderr)")
        // stop and rm -f work on a paused container (it is thawed so the signals land).
        #expect(lighter.run("pause", "box").status == 0)
        #expect(lighter.run("stop", "-t", "1", "box").status == 0)
        #expect(lighter.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "box").stdout == "exited 137\n")
        #expect(lighter.run("start", "box").status == 0)
        #expect(lighter.run("pause", "box").status == 0)
        #expect(lighter.run("rm", "-f", "box").status == 0)
        #expect(lighter.run("ps", "-aq").stdout == "")
        for args in [["pause", "nobox"], ["unpause", "nobox"], ["pause"]] {
            let result = lighter.run(args)
            #expect(result.status == 1 && result.stderr.hasPrefix("lighter: "), "\(args): \(result.stderr)")
        }
    }

    @Test func statsReadTheCgroups() {
        let lighter = ExecCommandTests.running(["-m", "64m"])
        defer { lighter.run("rm", "-f", "box", "idle") }
        #expect(lighter.run("create", "--name", "idle", "busybox", "true").status == 0)
        let table = lighter.run("stats", "--no-stream")
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        // Docker's columns, in order, each padded to its widest cell plus 3 (the widths follow the values:
        // BLOCK I/O is wider once the container has read from disk).
        let header = String(lines.first ?? "")
        #expect(header.split(separator: "   ").map { $0.trimmingCharacters(in: " ") }
                == ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"], "\(header)")
        #expect(header.hasPrefix("CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O"), "\(header)")
        #expect(lines.count == 2, "only running containers: \(table.stdout)")
        let fields = lighter.run("stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}|{{.PIDs}}|{{.NetIO}}|{{.CPUPerc}}|{{.MemPerc}}", "box").stdout
        let parts = fields.trimmed.split(separator: "|").map(String.init)
        #expect(parts.count == 6, "\(fields)")
        if parts.count == 6 {
            #expect(parts[0] == "box")
            #expect(parts[1].hasSuffix(" / 64MiB"), "\(parts[1])")
            #expect(parts[2] == "2", "the shell and its sleep: \(parts[2])")
            #expect(parts[3] == "0B / 0B", "--network none: only the loopback, which is not counted: \(parts[3])")
            let block = lighter.run("stats", "--no-stream", "--format", "{{.BlockIO}}", "box").stdout.trimmed
            #expect(block.split(separator: " ").count == 3 && block.contains(" / ") && block.hasSuffix("B"), "\(block)")
            #expect(parts[4].hasSuffix("%") && parts[5].hasSuffix("%"))
        }
        // A stopped container shows zeros; an unknown one is an error.
        #expect(lighter.run("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.MemUsage}}", "idle").stdout == "idle 0 0B / 0B\n")
        let unknown = lighter.run("stats", "--no-stream", "nobox")
        #expect(unknown.status == 1 && unknown.stderr.contains("no such container: nobox"), "\(unknown.stderr)")
    }

    @Test func topListsTheContainersProcesses() {
        let lighter = ExecCommandTests.running()
        defer { lighter.run("rm", "-f", "box") }
        let pid = lighter.run("inspect", "-f", "{{.State.Pid}}", "box").stdout.trimmed
        let top = lighter.run("top", "box")
        #expect(top.status == 0, "\(top.stderr)")
        let lines = top.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["PID", "USER", "TIME", "COMMAND"])
        #expect(lines.dropFirst().first?.hasPrefix(pid + " ") == true, "\(top.stdout)")
        #expect(lines.contains { $0.hasSuffix("sh -c while true; do sleep 1; done") }, "\(top.stdout)")
        #expect(lighter.run("stop", "-t", "0", "box").status == 0)
        let stopped = lighter.run("top", "box")
        #expect(stopped.status == 1 && stopped.stderr.contains("is not running"), "\(stopped.stderr)")
        let options = lighter.run("top", "box", "aux")
        #expect(options.status == 1 && options.stderr.contains("is not running"), "\(options.stderr)")
    }
}
