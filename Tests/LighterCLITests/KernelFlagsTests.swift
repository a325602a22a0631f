#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `run`'s device, cgroup and namespace flags (`--device`, `--sysctl`, `--pid`, `--blkio-weight` …),
/// each seen from inside the container or in the host's cgroup files.
@Suite struct KernelFlagsTests {
    static func ready() -> Lighter {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        return lighter
    }

    /// The first line of the container's output, or its stderr when it failed.
    static func output(_ lighter: Lighter, _ args: [String]) -> String {
        let result = lighter.run(["run", "--rm"] + args)
        return result.status == 0 ? result.stdout.trimmed : "exit \(result.status): \(result.stderr)"
    }

    @Test func devicesAndDeviceRules() {
        let lighter = Self.ready()
        let out = Self.output(lighter, ["--device", "/dev/kmsg:/dev/mykmsg:r", "--device-cgroup-rule", "c 1:5 rwm", "busybox", "sh", "-c",
                                        "stat -c '%t:%T %F' /dev/mykmsg; grep -E '^c 1:(11|5) ' /sys/fs/cgroup/devices/devices.list; echo x > /dev/mykmsg || echo refused"])
        #expect(out.contains("1:b character special file"), "\(out)")
        #expect(out.contains("c 1:11 r\n"), "\(out)")
        #expect(out.contains("c 1:5 rwm"), "\(out)")
        #expect(out.contains("refused"), "\(out)")
        for (args, message) in [(["--device", "/nonexistent/dev"], "error gathering device information"),
                                (["--device", "/etc/passwd"], "not a device node"),
                                (["--device", "/dev/null:/dev/x:rwx"], "invalid device mode"),
                                (["--device-cgroup-rule", "x 1:3 rwm"], "expected 'TYPE MAJOR:MINOR ACCESS'")] {
            let result = lighter.run(["run", "--rm"] + args + ["busybox", "true"])
            #expect(result.status == 125 && result.stderr.contains(message), "\(args): \(result.stderr)")
        }
    }

    @Test func groupsOomScoreShmAndSysctls() {
        let lighter = Self.ready()
        let out = Self.output(lighter, ["--group-add", "33", "--group-add", "daemon", "--oom-score-adj", "500", "--shm-size", "10m",
                                        "--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "kernel.shmmax=1000000", "busybox", "sh", "-c",
                                        "id -G; cat /proc/self/oom_score_adj; df -k /dev/shm | tail -1; cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax"])
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(out)")
        guard lines.count == 5 else { return }
        #expect(lines[0].split(separator: " ").contains("33") && lines[0].split(separator: " ").contains("1"), "\(out)")
        #expect(lines[1] == "500")
        #expect(lines[2].split(separator: " ")[1] == "10240", "\(out)")
        #expect(lines[3] == "1" && lines[4] == "1000000")
        // inspect shows them as Docker does.
        let created = lighter.run(["create", "--name", "shown", "--group-add", "33", "--oom-score-adj", "500", "--shm-size", "10m", "--pid", "host",
                                   "--ipc", "shareable", "--memory-reservation", "32m", "--device", "/dev/kmsg:/dev/k:r", "--sysctl", "net.ipv4.ip_forward=1",
                                   "busybox", "true"])
        #expect(created.status == 0, "\(created.stderr)")
        let shown = lighter.run(["inspect", "-f", "{{.HostConfig.ShmSize}} {{.HostConfig.OomScoreAdj}} {{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} "
                                    + "{{.HostConfig.MemoryReservation}} {{json .HostConfig.GroupAdd}} {{json .HostConfig.Devices}} {{json .HostConfig.Sysctls}}", "shown"])
        #expect(shown.stdout.trimmed == #"10485760 500 host shareable 33554432 ["33"] [{"CgroupPermissions":"r","PathInContainer":"/dev/k","PathOnHost":"/dev/kmsg"}] {"net.ipv4.ip_forward":"1"}"#,
                "\(shown.stdout) \(shown.stderr)")
        for (args, message) in [(["--sysctl", "kernel.panic=1"], "is not whitelisted"),
                                (["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"], "not allowed in host network namespace"),
                                (["--oom-score-adj", "1001"], "range for oom score adj is [-1000, 1000]"),
                                (["--group-add", "nosuchgroup"], "Unable to find group nosuchgroup")] {
            let result = lighter.run(["run", "--rm"] + args + ["busybox", "true"])
            #expect(result.status == 125 && result.stderr.contains(message), "\(args): \(result.stderr)")
        }
    }

    @Test func cpuAndMemoryCgroupSettings() {
        let lighter = Self.ready()
        let out = Self.output(lighter, ["--cpu-period", "50000", "--cpu-quota", "25000", "--cpu-rt-runtime", "10000", "--cpuset-mems", "0",
                                        "--memory", "64m", "--memory-reservation", "32m", "--memory-swappiness", "10", "--oom-kill-disable",
                                        "busybox", "sh", "-c", "cd /sys/fs/cgroup; cat cpu/cpu.cfs_period_us cpu/cpu.cfs_quota_us cpu/cpu.rt_runtime_us "
                                            + "cpuset/cpuset.mems memory/memory.soft_limit_in_bytes memory/memory.swappiness; grep oom_kill_disable memory/memory.oom_control"])
        #expect(out == "50000\n25000\n10000\n0\n33554432\n10\noom_kill_disable 1", "\(out)")
        for (args, message) in [(["--cpus", "1", "--cpu-period", "50000"], "Nano CPUs and CPU Period cannot both be set"),
                                (["--cpu-period", "100"], "can not be less than 1ms"),
                                (["--cpu-quota", "10"], "CPU cfs quota can not be less than 1ms"),
                                (["--cpuset-mems", "7"], "Requested memory nodes are not available"),
                                (["--memory", "16m", "--memory-reservation", "32m"], "can not be less than memory reservation limit"),
                                (["--memory-swappiness", "101"], "valid memory swappiness range is 0-100"),
                                (["--blkio-weight", "5"], "Range of blkio weight is from 10 to 1000")] {
            let result = lighter.run(["run", "--rm"] + args + ["busybox", "true"])
            #expect(result.status == 125 && result.stderr.contains(message), "\(args): \(result.stderr)")
        }
        // Kernel memory: applied where the kernel enforces it, refused (never ignored) where it does not.
        let kernel = lighter.run(["run", "--rm", "--kernel-memory", "64m", "busybox", "cat", "/sys/fs/cgroup/memory/memory.kmem.limit_in_bytes"])
        #expect((kernel.status == 0 && kernel.stdout.trimmed == "67108864")
                || (kernel.status == 125 && kernel.stderr.contains("kernel memory limit")), "\(kernel.stdout) \(kernel.stderr)")
        #expect(Self.leftoverCgroups(lighter).isEmpty)
    }

    @Test func blockIOThrottlesOnALoopDevice() throws {
        let lighter = Self.ready()
        let image = lighter.root.path + "/disk.img"
        #expect(Run.capture(["truncate", "-s", "8M", image]).status == 0)
        let device = Run.capture(["losetup", "-f", "--show", image]).stdout.trimmed
        #expect(device.hasPrefix("/dev/loop"))
        defer { _ = Run.capture(["losetup", "-d", device]) }
        let numbers = ((try? FileSystem.readString("/sys/class/block/\(FileSystem.basename(of: device))/dev")) ?? "").trimmed
        let out = Self.output(lighter, ["--device-read-bps", "\(device):1mb", "--device-write-iops", "\(device):100", "busybox", "sh", "-c",
                                        "cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device"])
        #expect(out == "\(numbers) 1048576\n\(numbers) 100", "\(out)")
        // Weights need a scheduler that has them (BFQ): applied, or refused with the fix.
        let weight = lighter.run(["run", "--rm", "--blkio-weight", "300", "busybox", "true"])
        #expect(weight.status == 0 || weight.stderr.contains("BFQ"), "\(weight.stderr)")
        let bad = lighter.run(["run", "--rm", "--device-read-bps", "/etc/passwd:1mb", "busybox", "true"])
        #expect(bad.status == 125 && bad.stderr.contains("not a block device"), "\(bad.stderr)")
    }

    @Test func namespacesSharedWithTheHostOrAnotherContainer() {
        let lighter = Self.ready()
        // --pid host: the test's own process is visible.
        let pids = Self.output(lighter, ["--pid", "host", "busybox", "sh", "-c", "test -d /proc/\(getpid()) && echo seen"])
        #expect(pids == "seen", "\(pids)")
        // --domainname sets the uts namespace's domain name; --uts host: the host's name; with -h it conflicts.
        #expect(Self.output(lighter, ["--domainname", "example.test", "busybox", "cat", "/proc/sys/kernel/domainname"]) == "example.test")
        let domainConflict = lighter.run(["run", "--rm", "--uts", "host", "--domainname", "x", "busybox", "true"])
        #expect(domainConflict.status == 125 && domainConflict.stderr.contains("conflicting options: domainname and the UTS mode"))
        let hostName = ((try? FileSystem.readString("/proc/sys/kernel/hostname")) ?? "").trimmed
        #expect(Self.output(lighter, ["--uts", "host", "busybox", "hostname"]) == hostName)
        let conflict = lighter.run(["run", "--rm", "--uts", "host", "-h", "x", "busybox", "true"])
        #expect(conflict.status == 125 && conflict.stderr.contains("conflicting options: hostname and the UTS mode"))
        // --ipc host shares the host's IPC namespace; none has no /dev/shm.
        let hostIPC = (try? FileSystem.readLink("/proc/self/ns/ipc")) ?? ""
        #expect(Self.output(lighter, ["--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc"]) == hostIPC)
        #expect(Self.output(lighter, ["--ipc", "none", "busybox", "sh", "-c", "test -e /dev/shm || echo absent"]) == "absent")
        // A shareable donor: --ipc and --pid container:NAME join it.
        let donor = lighter.run(["run", "-d", "--name", "donor", "--ipc", "shareable", "busybox", "sh", "-c", "echo hi > /dev/shm/marker; exec sleep 60"])
        #expect(donor.status == 0, "\(donor.stderr)")
        defer { lighter.run("rm", "-f", "donor") }
        #expect(lighter.waitFor { lighter.run("exec", "donor", "cat", "/dev/shm/marker").stdout.trimmed == "hi" })
        let donorIPC = lighter.run("exec", "donor", "readlink", "/proc/self/ns/ipc").stdout.trimmed
        #expect(Self.output(lighter, ["--ipc", "container:donor", "busybox", "sh", "-c", "cat /dev/shm/marker; readlink /proc/self/ns/ipc"]) == "hi\n\(donorIPC)")
        let ps = Self.output(lighter, ["--pid", "container:donor", "busybox", "ps", "-o", "args"])
        #expect(ps.contains("sleep 60"), "\(ps)")
        let private1 = lighter.run(["run", "-d", "--name", "private1", "busybox", "sleep", "60"])
        #expect(private1.status == 0)
        defer { lighter.run("rm", "-f", "private1") }
        let refused = lighter.run(["run", "--rm", "--ipc", "container:private1", "busybox", "true"])
        #expect(refused.status == 125 && refused.stderr.contains("non-shareable IPC"), "\(refused.stderr)")
        // --cgroupns private: the container sees itself at the root of its cgroups.
        let cgroups = Self.output(lighter, ["--cgroupns", "private", "busybox", "cat", "/proc/self/cgroup"])
        #expect(!cgroups.isEmpty && cgroups.split(separator: "\n").allSatisfy { $0.hasSuffix(":/") }, "\(cgroups)")
        for (args, message) in [(["--pid", "bogus"], "invalid PID mode"), (["--ipc", "bogus"], "invalid IPC mode"),
                                (["--cgroupns", "bogus"], "invalid cgroup namespace mode"), (["--pid", "container:nosuch"], "no such container")] {
            let result = lighter.run(["run", "--rm"] + args + ["busybox", "true"])
            #expect(result.status == 125 || result.status == 1, "\(args)")
            #expect(result.stderr.contains(message), "\(args): \(result.stderr)")
        }
    }

    /// cgroup directories of this root's containers left behind under /sys/fs/cgroup/*/lighter.
    static func leftoverCgroups(_ lighter: Lighter) -> [String] {
        let ids = Set(((try? FileSystem.list(lighter.root.path + "/containers")) ?? []))
        var left: [String] = []
        for controller in ["memory", "cpu", "pids", "devices", "freezer", "cpuset", "blkio"] {
            for entry in (try? FileSystem.list("/sys/fs/cgroup/\(controller)/lighter")) ?? [] where ids.contains(entry) { left.append("\(controller)/\(entry)") }
        }
        return left
    }
}

extension Lighter {
    /// Poll until `condition` holds (at most `seconds`).
    func waitFor(seconds: Int = 30, _ condition: () -> Bool) -> Bool {
        for _ in 0..<(seconds * 20) {
            if condition() { return true }
            usleep(50_000)
        }
        return false
    }
}
