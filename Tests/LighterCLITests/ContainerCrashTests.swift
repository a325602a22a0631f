#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// What SIGKILLs of `lighter` processes leave behind: nothing that runs unsupervised, nothing that
/// `ps -a`, `system check` and the prunes do not see, no cgroups after `rm -f`.
@Suite struct ContainerCrashTests {
    static let cgroupControllers = ["memory", "cpu", "cpuacct", "pids", "devices", "freezer", "cpuset"]

    /// The container's cgroup directories that exist on the host (cgroup v1 hierarchies).
    static func cgroupDirectories(_ id: String) -> [String] {
        cgroupControllers.map { "/sys/fs/cgroup/\($0)/lighter/\(id)" }.filter { FileSystem.isDirectory($0) }
    }

    /// A pid is gone or a zombie (its parent died; the host's init may not have reaped it yet).
    static func isDead(_ pid: Int32) -> Bool {
        guard let stat = try? FileSystem.readString("/proc/\(pid)/stat") else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    static func waitUntil(seconds: Int = 10, _ condition: () -> Bool) -> Bool {
        for _ in 0..<(seconds * 50) {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    static func monitorPid(_ lighter: Lighter, _ id: String) -> Int32? {
        guard let text = try? FileSystem.readString("\(lighter.root.path)/containers/\(id)/container.json"),
              let range = text.firstRange(of: "\"monitorPid\"") else { return nil }
        return Int32(text[range.upperBound...].drop { !$0.isNumber }.prefix { $0.isNumber })
    }

    /// As root, and as another user (the uid change clears the parent-death signal, which the init sets again).
    @Test(arguments: [[], ["--user", "65534"]])
    func anAttachedRunWhoseCLIIsKilledTakesItsContainerAlongAndIsRemoved(user: [String]) throws {
        let lighter = Lighter()
        try #require(lighter.importBusybox().status == 0)
        let cli = Run.spawn([Repository.lighterBinary, "run", "--rm", "--name", "attached"] + user + ["busybox", "sleep", "60"],
                            stdout: lighter.root.sub("out"), stderr: lighter.root.sub("err"), environment: ["LIGHTER_ROOT": lighter.root.path])
        var pid: Int32 = 0
        var id = ""
        #expect(Self.waitUntil(seconds: 30) {
            let result = lighter.run("inspect", "-f", "{{.Id}} {{.State.Pid}}", "attached").stdout.split(separator: " ")
            guard result.count == 2, let found = Int32(result[1].trimmed), found > 0 else { return false }
            (id, pid) = (String(result[0]), found)
            return true
        })
        try #require(pid > 0)
        kill(cli, SIGKILL)
        _ = Run.wait(cli)
        #expect(Self.waitUntil { Self.isDead(pid) }, "the container process outlived its monitor")
        // `--rm` is kept by whoever looks next.
        #expect(!lighter.run("ps", "-a").stdout.contains("attached"))
        #expect(lighter.run("inspect", "attached").status != 0)
        #expect(!FileSystem.exists("\(lighter.root.path)/containers/\(id)"))
        #expect(Self.cgroupDirectories(id).isEmpty)
        #expect(!FileSystem.exists("/run/lighter/runtime/\(id)"))
    }

    @Test func aContainerWhoseMonitorWasKilledShowsWhenThatWasFound() throws {
        let lighter = Lighter()
        try #require(lighter.importBusybox().status == 0)
        let run = lighter.run("run", "-d", "--name", "orphan", "busybox", "sleep", "60")
        try #require(run.status == 0, "\(run.stderr)")
        let id = run.stdout.trimmed
        let monitor = try #require(Self.monitorPid(lighter, id))
        let pid = try #require(Int32(lighter.run("inspect", "-f", "{{.State.Pid}}", id).stdout.trimmed))
        kill(monitor, SIGKILL)
        #expect(Self.waitUntil { Self.isDead(pid) }, "the container process outlived its monitor")
        let ps = lighter.run("ps", "-a", "--filter", "name=orphan", "--format", "{{.Status}}").stdout.trimmed
        #expect(ps.hasPrefix("Exited (255) "), "\(ps)")
        #expect(!ps.contains("years"), "\(ps)")
        // The time is kept: it does not move on with every look.
        let finished = lighter.run("inspect", "-f", "{{.State.FinishedAt}}", id).stdout.trimmed
        #expect(!finished.hasPrefix("0001") && !finished.hasPrefix("1970"), "\(finished)")
        usleep(1_100_000)
        #expect(lighter.run("inspect", "-f", "{{.State.FinishedAt}}", id).stdout.trimmed == finished)
        #expect(lighter.run("rm", id).status == 0)
        #expect(Self.cgroupDirectories(id).isEmpty)
    }

    /// Issue #17's loop: `run --rm` SIGKILLed at moments spread over its start (create, mount, cgroups,
    /// init, running). Whatever each kill left, no container process runs on, and after `container
    /// prune` no container directory, cgroup or runtime directory of any of them is left.
    @Test func runsKilledDuringTheirStartLeaveNothingAfterPrune() throws {
        let lighter = Lighter()
        try #require(lighter.importBusybox().status == 0)
        var seen: Set<String> = []
        for delay in stride(from: 10_000, through: 340_000, by: 30_000) {
            let cli = Run.spawn([Repository.lighterBinary, "run", "--rm", "busybox", "sleep", "30"],
                                stdout: "/dev/null", stderr: "/dev/null", environment: ["LIGHTER_ROOT": lighter.root.path])
            usleep(useconds_t(delay))
            kill(cli, SIGKILL)
            _ = Run.wait(cli)
            for name in (try? FileSystem.list(lighter.root.sub("containers"))) ?? [] where name.count == 64 { seen.insert(name) }
        }
        let prune = lighter.run("container", "prune", "-f")
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(((try? FileSystem.list(lighter.root.sub("containers"))) ?? []).filter { !$0.hasPrefix(".") || $0.hasPrefix(".rm-") }.isEmpty)
        for id in seen {
            #expect(Self.cgroupDirectories(id).isEmpty, "cgroups of \(id) left")
            #expect(!FileSystem.exists("/run/lighter/runtime/\(id)"), "runtime state of \(id) left")
        }
        let check = lighter.run("system", "check")
        #expect(check.status == 0 && !check.stdout.contains("leftover"), "\(check.stdout)")
        #expect(Run.sh("pgrep -f 'sleep 30' | xargs -r -I{} cat /proc/{}/cgroup 2>/dev/null | grep -c '/lighter/' || true").stdout.trimmed == "0"
                || seen.allSatisfy { Self.cgroupDirectories($0).isEmpty })
    }

    /// A create killed between its directory's mkdir and its record's commit left a directory that no
    /// command listed. `system check` lists it, `--repair` and `container prune` remove it; one whose
    /// create still runs (holding its lock) is left alone.
    @Test func aKilledCreateLeavesADirectoryThatCheckAndPruneFind() throws {
        let lighter = Lighter()
        try #require(lighter.importBusybox().status == 0)
        let containers = lighter.root.sub("containers")
        let leftover = String(repeating: "ab", count: 32)
        let creating = String(repeating: "cd", count: 32)
        for id in [leftover, creating] {
            for sub in ["upper", "work", "rootfs"] { try FileSystem.makeDirectories("\(containers)/\(id)/\(sub)") }
        }
        let held = try FileLock(path: "\(containers)/\(creating)/lock", mode: .exclusive)
        let check = lighter.run("system", "check")
        #expect(check.stdout.contains("leftover: container \(leftover)"), "\(check.stdout)")
        #expect(!check.stdout.contains(creating), "\(check.stdout)")
        let prune = lighter.run("container", "prune", "-f")
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(!FileSystem.exists("\(containers)/\(leftover)"))
        #expect(FileSystem.exists("\(containers)/\(creating)"))
        held.release()
        let repair = lighter.run("system", "check", "--repair")
        #expect(repair.stdout.contains("leftover (removed): container \(creating)"), "\(repair.stdout)")
        #expect(!FileSystem.exists("\(containers)/\(creating)"))
    }

    /// A start killed after the runtime made the cgroups (and the init joined them) but before it saved
    /// its state: the record says created. `container prune` must not drop it while a process runs
    /// there; `rm -f` kills that process and removes the cgroups and the runtime's directory.
    @Test func rmForceRemovesTheCgroupsOfAStartKilledMidway() throws {
        let lighter = Lighter()
        try #require(lighter.importBusybox().status == 0)
        let create = lighter.run("create", "--name", "half", "busybox", "sleep", "60")
        try #require(create.status == 0, "\(create.stderr)")
        let id = create.stdout.trimmed
        let dirs = ["memory", "pids", "freezer"].map { "/sys/fs/cgroup/\($0)/lighter/\(id)" }
        for dir in dirs { try FileSystem.makeDirectories(dir) }
        try FileSystem.makeDirectories("/run/lighter/runtime/\(id)")
        let straggler = Run.spawn(["sleep", "60"], stdout: "/dev/null", stderr: "/dev/null")
        defer {
            kill(straggler, SIGKILL)
            _ = Run.wait(straggler)
        }
        for dir in dirs { try FileSystem.writeControl(String(straggler), to: "\(dir)/cgroup.procs") }
        let prune = lighter.run("container", "prune", "-f")
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(lighter.run("inspect", "half").status == 0, "prune removed a container whose process runs")
        #expect(lighter.run("rm", "-f", "half").status == 0)
        #expect(Self.waitUntil { Self.isDead(straggler) })
        #expect(dirs.allSatisfy { !FileSystem.exists($0) })
        #expect(!FileSystem.exists("/run/lighter/runtime/\(id)"))
    }
}

extension FileSystem {
    /// Write `text` to a file that exists (a cgroup control file).
    static func writeControl(_ text: String, to path: String) throws {
        let fd = try FileDescriptor(path: path, flags: O_WRONLY)
        try fd.write(text)
        try fd.close()
    }
}
