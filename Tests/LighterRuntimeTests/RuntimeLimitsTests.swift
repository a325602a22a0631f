import CLighter
import Testing
import LighterRuntime
import LighterSystem

/// cgroup limits and seccomp, enforced by the real kernel.
@Suite struct RuntimeLimitsTests {
    @Test func memoryLimitOOMKillsAndIsReported() throws {
        // The shell holds the 64 MiB string in memory: over the 32 MiB limit.
        let bundle = try BusyboxBundle(args: ["sh", "-c", "x=$(head -c 67108864 /dev/zero | tr '\\0' a); echo ${#x}"])
        defer { bundle.cleanUp() }
        let limit: Int64 = 32 << 20
        bundle.spec.linux?.resources?.memory = .init(limit: limit, swap: limit)
        let output = try bundle.run()
        #expect(output.status.code == 137)
        #expect(output.status.oomKilled)
        #expect(output.stdout.isEmpty)
    }

    @Test func memoryUnderTheLimitIsNotOOM() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "x=$(head -c 1048576 /dev/zero | tr '\\0' a); echo ${#x}"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.resources?.memory = .init(limit: 32 << 20, swap: 32 << 20)
        let output = try bundle.run()
        #expect(output.status.code == 0)
        #expect(output.status.oomKilled == false)
        #expect(output.stdout == "1048576\n")
    }

    @Test func pidsLimitStopsAForkBomb() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "for i in $(seq 50); do sleep 5 & done; echo spawned"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.resources?.pids = .init(limit: 20)
        let output = try bundle.run()
        #expect(output.stderr.contains("can't fork"))
    }

    @Test func seccompProfileDeniesMkdir() throws {
        let bundle = try BusyboxBundle(args: ["mkdir", "/tmp/x"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.seccomp = .init(
            defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            syscalls: [.init(names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1)])
        let output = try bundle.run()
        #expect(output.status.code != 0)
        #expect(output.stderr.contains("Operation not permitted"))
        #expect(!FileSystem.exists("\(bundle.rootfs)/tmp/x"))
    }

    @Test func seccompWithNoNewPrivilegesAndArgumentFilter() throws {
        // Deny kill(pid, SIGUSR1) only: `kill -USR1 $$` fails, `kill -0 $$` works.
        let bundle = try BusyboxBundle(args: ["sh", "-c", "kill -0 $$ && echo zero-ok; kill -USR1 $$ || echo usr1-denied"])
        defer { bundle.cleanUp() }
        bundle.spec.process?.noNewPrivileges = true
        bundle.spec.linux?.seccomp = .init(
            defaultAction: "SCMP_ACT_ALLOW",
            syscalls: [.init(names: ["kill"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
                             args: [.init(index: 1, value: 10, op: "SCMP_CMP_EQ")])])
        let output = try bundle.run()
        #expect(output.stdout == "zero-ok\nusr1-denied\n")
    }

    @Test func devicesCgroupAllowsOnlyTheStandardNodes() throws {
        // CAP_MKNOD lets the container make a node for the host's disk (which root could otherwise
        // read), but the devices cgroup refuses to open it.
        let st = try #require(FileSystem.lstatOrNil("/tmp"))
        let (major, minor) = (lighter_major(UInt64(st.st_dev)), lighter_minor(UInt64(st.st_dev)))
        let bundle = try BusyboxBundle(args: ["sh", "-c", "echo x > /dev/null && echo null-ok; mknod /tmp/disk b \(major) \(minor) && head -c 1 /tmp/disk"])
        defer { bundle.cleanUp() }
        let output = try bundle.run()
        #expect(output.stdout == "null-ok\n")
        #expect(output.stderr.contains("Operation not permitted"))
        #expect(output.status.code != 0)
    }

    @Test func specDevicesAreCreated() throws {
        let bundle = try BusyboxBundle(args: ["stat", "-c", "%F %t:%T %a %u:%g", "/dev/fuse"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.devices = [.init(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 0o620, uid: 0, gid: 5)]
        let output = try bundle.run()
        #expect(output.stdout == "character special file a:e5 620 0:5\n", "\(output.stderr)")
    }

    @Test func containerSeesItsOwnCgroupsReadOnly() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; echo 5 > /sys/fs/cgroup/pids/pids.max"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.resources?.memory = .init(limit: 64 << 20)
        bundle.spec.linux?.resources?.pids = .init(limit: 33)
        let output = try bundle.run()
        #expect(output.stdout == "\(64 << 20)\n33\n")
        #expect(output.stderr.contains("Read-only file system"))
    }

    @Test func cgroupLimitsAreWritten() throws {
        let bundle = try BusyboxBundle(args: ["cat", "/proc/self/cgroup"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.resources?.cpu = .init(shares: 512, quota: 50_000, period: 100_000, cpus: "0")
        bundle.spec.linux?.resources?.pids = .init(limit: 64)
        try bundle.writeSpec()
        try bundle.runtime.create(id: bundle.id, bundle: bundle.directory,
                                  stdio: .init(input: -1, output: -1, error: -1))
        let cpu = "/sys/fs/cgroup/cpu\(bundle.cgroupsPath)"
        #expect(try FileSystem.readString("\(cpu)/cpu.shares") == "512\n")
        #expect(try FileSystem.readString("\(cpu)/cpu.cfs_quota_us") == "50000\n")
        #expect(try FileSystem.readString("\(cpu)/cpu.cfs_period_us") == "100000\n")
        #expect(try FileSystem.readString("/sys/fs/cgroup/pids\(bundle.cgroupsPath)/pids.max") == "64\n")
        let state = try bundle.runtime.state(id: bundle.id)
        #expect(try FileSystem.readString("\(cpu)/cgroup.procs") == "\(state.pid)\n")
        let cpuset = "/sys/fs/cgroup/cpuset\(bundle.cgroupsPath)"
        #expect(try FileSystem.readString("\(cpuset)/cpuset.cpus") == "0\n")
        #expect(try FileSystem.readString("\(cpuset)/cpuset.mems") == (try FileSystem.readString("/sys/fs/cgroup/cpuset/cpuset.mems")))
        #expect(try FileSystem.readString("\(cpuset)/cgroup.procs") == "\(state.pid)\n")
        try bundle.runtime.delete(id: bundle.id, force: true)
        #expect(!FileSystem.exists(cpu))
        #expect(!FileSystem.exists(cpuset))
    }
}
