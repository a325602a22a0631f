import Testing
import LighterSystem
import LighterTestSupport

/// `diff` and `export` read a container's layers; `update` changes a running container's cgroups
/// and its record; `top` hands ps options to the host's ps.
@Suite struct ExportDiffUpdateTests {
    @Test func diffListsAddedChangedAndDeletedPaths() {
        let lighter = RunCommandTests.ready()
        let ran = lighter.run("run", "--name", "box", "busybox", "sh", "-c", "echo hi > /new.txt; rm /bin/ls; mkdir -p /etc/x; echo y > /etc/x/y; echo z >> /etc/passwd")
        #expect(ran.status == 0, "\(ran.stderr)")
        let diff = lighter.run("diff", "box")
        #expect(diff.status == 0, "\(diff.stderr)")
        let lines = diff.stdout.split(separator: "\n").map(String.init)
        for line in ["A /new.txt", "C /bin", "D /bin/ls", "C /etc", "A /etc/x", "A /etc/x/y", "C /etc/passwd"] {
            #expect(lines.contains(line), "\(line) in \(diff.stdout)")
        }
        #expect(lines == lines.sorted { $0.dropFirst(2) < $1.dropFirst(2) }, "sorted by path")
        #expect(lighter.run("container", "diff", "box").stdout == diff.stdout)
        let unknown = lighter.run("diff", "nobox")
        #expect(unknown.status == 1 && unknown.stderr.contains("no such container: nobox"), "\(unknown.stderr)")
        #expect(!((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").contains(lighter.root.path))
    }

    @Test func exportWritesTheMergedRootFilesystem() throws {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "--name", "box", "busybox", "sh", "-c", "echo hi > /new.txt; rm /bin/ls").status == 0)
        let file = lighter.root.sub("box.tar")
        let exported = lighter.run("export", "-o", file, "box")
        #expect(exported.status == 0 && exported.stdout.isEmpty, "\(exported.stderr)")
        let listing = Run.capture(["tar", "-tf", file]).stdout.split(separator: "\n").map(String.init)
        #expect(listing.contains("new.txt") && listing.contains("bin/sh") && listing.contains("etc/passwd"), "\(listing.prefix(20))")
        #expect(!listing.contains("bin/ls"))
        let content = Run.capture(["tar", "-xOf", file, "new.txt"]).stdout
        #expect(content == "hi\n")
        // To stdout (not a terminal here), and under the management command.
        let piped = lighter.run("container", "export", "box")
        #expect(piped.status == 0 && piped.stdout.contains("new.txt"))
        #expect(!((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").contains(lighter.root.path), "the root is unmounted again")
    }

    @Test func exportOfARunningContainerLeavesOutItsMounts() throws {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("volume", "create", "data").status == 0)
        try FileSystem.writeDurably(Array("in volume\n".utf8), to: lighter.root.sub("volumes/data/_data/f"))
        #expect(lighter.run("run", "-d", "--name", "up", "-v", "data:/data", "busybox", "sleep", "300").status == 0)
        defer { lighter.run("rm", "-f", "up") }
        let exported = lighter.run("export", "-o", lighter.root.sub("up.tar"), "up")
        #expect(exported.status == 0, "\(exported.stderr)")
        let listing = Run.capture(["tar", "-tf", lighter.root.sub("up.tar")]).stdout.split(separator: "\n").map(String.init)
        // As Docker: /proc, /sys, /dev and volumes are there as directories, without what is mounted on them.
        for dir in ["proc/", "sys/", "dev/", "data/", "bin/"] { #expect(listing.contains(dir), "\(dir)") }
        #expect(!listing.contains { $0.hasPrefix("proc/") && $0 != "proc/" || $0.hasPrefix("sys/") && $0 != "sys/" || $0 == "data/f" },
                "\(listing.filter { $0.hasPrefix("proc/") || $0.hasPrefix("data/") }.prefix(10))")
        #expect(listing.contains("bin/sh"))
    }

    @Test func updateChangesTheRunningCgroupAndTheRecord() {
        let lighter = ExecCommandTests.running(["-m", "64m"])
        defer { lighter.run("rm", "-f", "box") }
        let pid = lighter.run("inspect", "-f", "{{.State.Pid}}", "box").stdout.trimmed
        func cgroupFile(_ controller: String, _ file: String) -> String {
            let line = ((try? FileSystem.readString("/proc/\(pid)/cgroup")) ?? "").split(separator: "\n")
                .first { $0.split(separator: ":", maxSplits: 2).dropFirst().first?.split(separator: ",").contains(Substring(controller)) == true }
            guard let path = line.map({ String($0.split(separator: ":", maxSplits: 2)[2]) }) else { return "?" }
            return ((try? FileSystem.readString("/sys/fs/cgroup/\(controller)\(path)/\(file)")) ?? "?").trimmed
        }
        #expect(cgroupFile("memory", "memory.limit_in_bytes") == String(64 << 20))
        let updated = lighter.run("update", "--memory", "128m", "--pids-limit", "50", "--cpus", "0.5", "--cpu-shares", "512", "--restart", "on-failure:3", "box")
        #expect(updated.status == 0 && updated.stdout == "box\n", "\(updated.stderr)")
        #expect(cgroupFile("memory", "memory.limit_in_bytes") == String(128 << 20))
        #expect(cgroupFile("pids", "pids.max") == "50")
        #expect(cgroupFile("cpu", "cpu.cfs_quota_us") == "50000")
        #expect(cgroupFile("cpu", "cpu.shares") == "512")
        #expect(lighter.run("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}", "box").stdout
            == "\(128 << 20) 50 500000000 on-failure\n")
        // memory+swap: the kernel keeps memory <= memsw, so a memsw above the current one is written first.
        let swap = lighter.run("update", "--memory", "200m", "--memory-swap", "400m", "box")
        if FileSystem.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") {
            #expect(swap.status == 0, "\(swap.stderr)")
            #expect(cgroupFile("memory", "memory.memsw.limit_in_bytes") == String(400 << 20))
            #expect(cgroupFile("memory", "memory.limit_in_bytes") == String(200 << 20))
            #expect(lighter.run("update", "--memory-swap", "-1", "box").status == 0)
            #expect((UInt64(cgroupFile("memory", "memory.memsw.limit_in_bytes")) ?? 0) > UInt64(1) << 60)
        } else {
            #expect(swap.status == 1 && swap.stderr.contains("memory.memsw.limit_in_bytes"), "\(swap.stderr)")
        }
        #expect(lighter.run("container", "update", "--pids-limit", "-1", "box").status == 0)
        #expect(cgroupFile("pids", "pids.max") == "max")
        // Refusals: no flag, a bad value, an unknown container (the others are still updated).
        let none = lighter.run("update", "box")
        #expect(none.status == 1 && none.stderr.contains("you must provide one or more flags"), "\(none.stderr)")
        let small = lighter.run("update", "-m", "1m", "box")
        #expect(small.status == 1 && small.stderr.contains("minimum memory limit"), "\(small.stderr)")
        let mixed = lighter.run("update", "--cpu-shares", "256", "nobox", "box")
        #expect(mixed.status == 1 && mixed.stdout == "box\n" && mixed.stderr.contains("no such container: nobox"), "\(mixed.stderr)")
        #expect(cgroupFile("cpu", "cpu.shares") == "256")
    }

    @Test func updateOfAStoppedContainerAppliesAtItsNextStart() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("create", "--name", "box", "busybox", "sh", "-c", "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max").status == 0)
        #expect(lighter.run("update", "--pids-limit", "42", "box").status == 0)
        #expect(lighter.run("start", "-a", "box").stdout == "42\n")
        #expect(lighter.run("run", "-d", "--rm", "--name", "gone", "busybox", "sleep", "30").status == 0)
        let refused = lighter.run("update", "--restart", "always", "gone")
        #expect(refused.status == 1 && refused.stderr.contains("AutoRemove"), "\(refused.stderr)")
        lighter.run("rm", "-f", "gone")
    }

    @Test func topPassesPsOptionsToTheHostsPs() {
        let lighter = ExecCommandTests.running()
        defer { lighter.run("rm", "-f", "box") }
        let pid = lighter.run("inspect", "-f", "{{.State.Pid}}", "box").stdout.trimmed
        let custom = lighter.run("top", "box", "-o", "pid,comm")
        #expect(custom.status == 0, "\(custom.stderr)")
        let lines = custom.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["PID", "COMMAND"], "\(custom.stdout)")
        #expect(lines.contains(["\(pid)", "sh"]), "\(custom.stdout)")
        #expect(lines.dropFirst().allSatisfy { $0.count == 2 && ($0[1] == "sh" || $0[1] == "sleep") }, "only the container's: \(custom.stdout)")
        let full = lighter.run("container", "top", "box", "-ef")
        #expect(full.stdout.hasPrefix("UID") && full.stdout.contains(" \(pid) "), "\(full.stdout)")
        let bad = lighter.run("top", "box", "-o", "comm")
        #expect(bad.status == 1 && bad.stderr.contains("PID field"), "\(bad.stderr)")
    }
}
