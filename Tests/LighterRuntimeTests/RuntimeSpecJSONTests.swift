import Testing
@testable import LighterRuntime
import LighterOCI
import LighterSystem
import LighterTestSupport

/// The hand-written config.json conversion (RuntimeSpec+JSON.swift) against a spec with every field set.
@Suite struct RuntimeSpecJSONTests {
    static let fullResources: RuntimeSpec.Resources = .init(memory: .init(limit: 33_554_432, reservation: 1 << 20, swap: -1, swappiness: 60, disableOOMKiller: false,
                      kernel: 1 << 24, kernelTCP: 1 << 22),
        cpu: .init(shares: 512, quota: 50_000, period: 100_000, cpus: "0-1", mems: "0",
                   realtimePeriod: 1_000_000, realtimeRuntime: 950_000),
        pids: .init(limit: 64),
        devices: [.init(allow: false, type: "a", major: -1, minor: 3, access: "rwm")],
        blockIO: .init(weight: 300, weightDevice: [.init(major: 8, minor: 0, weight: 200)],
                       throttleReadBpsDevice: [.init(major: 8, minor: 0, rate: 1_048_576)],
                       throttleWriteBpsDevice: [.init(major: 8, minor: 16, rate: 2_097_152)],
                       throttleReadIOPSDevice: [.init(major: 8, minor: 0, rate: 100)],
                       throttleWriteIOPSDevice: [.init(major: 8, minor: 0, rate: 50)]),
        hugepageLimits: [.init(pageSize: "2MB", limit: 1 << 21)],
        network: .init(classID: 0x100001, priorities: [.init(name: "eth0", priority: 5)]))

    static let fullHooks = RuntimeSpec.Hooks(
        prestart: [fullHook], createRuntime: [fullHook], createContainer: [fullHook], startContainer: [fullHook],
        poststart: [fullHook], poststop: [fullHook])
    static let fullHook = RuntimeSpec.Hook(path: "/bin/hook", args: ["hook", "x"], env: ["A=1"], timeout: 5)

    static let full = RuntimeSpec(
        ociVersion: "1.0.2",
        process: .init(user: .init(uid: 1, gid: 2, additionalGids: [3, 4], umask: 0o22), args: ["sh", "-c", "echo \"hi\""],
                       env: ["PATH=/bin", "A=é"], cwd: "/work",
                       capabilities: .init(bounding: ["CAP_CHOWN"], effective: ["CAP_KILL"], inheritable: ["CAP_NET_RAW"],
                                           permitted: ["CAP_CHOWN", "CAP_KILL"], ambient: ["CAP_SETUID"]),
                       rlimits: [.init(type: "RLIMIT_NOFILE", hard: UInt64.max, soft: 1024)], noNewPrivileges: true,
                       oomScoreAdj: -500, terminal: true, consoleSize: .init(height: 24, width: 80)),
        root: .init(path: "rootfs", readonly: true),
        hostname: "box",
        mounts: [.init(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec"])],
        linux: .init(namespaces: [.init(type: "pid", path: "/proc/1/ns/pid"), .init(type: "network", path: "/run/netns/x")],
                     uidMappings: [.init(containerID: 0, hostID: 100_000, size: 65_536)],
                     gidMappings: [.init(containerID: 0, hostID: 200_000, size: 65_536)],
                     resources: fullResources,
                     cgroupsPath: "/lighter/abc", maskedPaths: ["/proc/kcore"], readonlyPaths: ["/proc/sys"],
                     seccomp: .init(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1, architectures: ["SCMP_ARCH_X86_64"],
                                    flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                                    syscalls: [.init(names: ["personality"], action: "SCMP_ACT_ALLOW", errnoRet: 38,
                                                     args: [.init(index: 0, value: 8, valueTwo: 0xffff_ffff, op: "SCMP_CMP_MASKED_EQ")])]),
                     sysctl: ["net.ipv4.ip_forward": "1"],
                     devices: [.init(type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0)],
                     rootfsPropagation: "rprivate"),
        annotations: ["org.example": "yes"],
        hooks: fullHooks,
        domainname: "example.org")

    @Test func everyFieldIsWrittenAndReadBack() throws {
        #expect(JSONCoverage.gaps(in: Self.full, json: Self.full.json) == [])
        #expect(try RuntimeSpec(jsonBytes: Self.full.jsonBytes(), what: "spec") == Self.full)
        #expect(try RuntimeSpec(jsonBytes: Self.full.jsonBytes(pretty: true), what: "spec") == Self.full)
    }

    @Test func dockerDefaultRoundTripsAndNamesBadFields() throws {
        let spec = RuntimeSpec.dockerDefault(args: ["true"], hostname: "h")
        #expect(try RuntimeSpec(jsonBytes: spec.jsonBytes(), what: "spec") == spec)
        let bad = #"{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":"sh","cwd":"/"}}"#
        #expect(throws: LighterError.malformed(what: "config.json", reason: "wrong type at \"process.args\": expected an array, found a string")) {
            try RuntimeSpec(jsonBytes: Array(bad.utf8), what: "config.json")
        }
        let missing = #"{"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["sh"]}}"#
        #expect(throws: LighterError.malformed(what: "config.json", reason: "missing field \"process.cwd\"")) {
            try RuntimeSpec(jsonBytes: Array(missing.utf8), what: "config.json")
        }
    }

    @Test func initMessagesRoundTrip() throws {
        let config = InitConfig(rootfs: "/r", bundle: "/b", execFifo: "/f", cgroupMountSources: ["cpu": "/sys/fs/cgroup/cpu/x"],
                                terminalSize: try TerminalSize(json: .object(["rows": 24, "columns": 80]), path: JSONPath(what: "t")),
                                seccompFlags: 2, cgroupJoinFiles: ["/sys/fs/cgroup/pids/x/tasks"], hookState: "{}", waitForHooks: true, sessionKeyring: "_ses.x",
                                noPivot: true, passedFds: 3, listenFds: 1)
        #expect(JSONCoverage.gaps(in: config, json: config.json) == [])
        let back = try InitConfig(jsonBytes: config.jsonBytes(), what: "init")
        #expect(back.jsonBytes() == config.jsonBytes())
        let report = InitReport(created: false, message: "m", exitCode: 127, terminal: true)
        #expect(JSONCoverage.gaps(in: report, json: report.json) == [])
        #expect(try InitReport(jsonBytes: report.jsonBytes(), what: "r").jsonBytes() == report.jsonBytes())
        let exec = ExecConfig(namespaces: 3, process: Self.full.process!, seccomp: Self.full.linux!.seccomp, inUserNamespace: true,
                              terminalSize: config.terminalSize, detached: true, callerReaps: true, rootOf: 42)
        #expect(JSONCoverage.gaps(in: exec, json: exec.json) == [])
        #expect(try ExecConfig(jsonBytes: exec.jsonBytes(), what: "e").jsonBytes() == exec.jsonBytes())
        let execReport = ExecReport(pid: 9, terminal: true, message: "x", exitCode: 1)
        #expect(JSONCoverage.gaps(in: execReport, json: execReport.json) == [])
        #expect(try ExecReport(jsonBytes: execReport.jsonBytes(), what: "r").jsonBytes() == execReport.jsonBytes())
    }

    @Test func stateRoundTrips() throws {
        let state = ContainerState(ociVersion: "1.0.2", id: "c", status: .running, pid: 42, bundle: "/b", rootfs: "/b/rootfs",
                                   created: "2026-11-29T12:00:00Z", annotations: ["a": "b"], pidStartTime: UInt64.max, cgroupsPath: "/lighter/c",
                                   hooks: Self.fullHooks)
        #expect(JSONCoverage.gaps(in: state, json: state.json) == [])
        #expect(try ContainerState(jsonBytes: state.jsonBytes(pretty: true), what: "state") == state)
        #expect(throws: LighterError.malformed(what: "state", reason: "bad value at \"status\": unknown value \"flying\"")) {
            try ContainerState(jsonBytes: Array(#"{"ociVersion":"1","id":"c","status":"flying","pid":1,"bundle":"b","rootfs":"r","created":"c","pidStartTime":1,"cgroupsPath":"p"}"#.utf8), what: "state")
        }
    }
}
