import Testing
@testable import LighterEngine
import LighterNetwork
import LighterOCI
import LighterSystem
import LighterTestSupport

/// The hand-written container.json conversion (ContainerRecord+JSON.swift).
@Suite struct ContainerRecordJSONTests {
    static func full() throws -> ContainerRecord {
        var spec = ContainerSpec(image: "busybox:amd64", imageID: try Digest(parsing: "sha256:" + String(repeating: "ab", count: 32)))
        spec.entrypoint = ["/bin/sh", "-c"]
        spec.command = ["echo hi"]
        spec.env = ["A=1"]
        spec.workingDir = "/w"
        spec.user = "1:2"
        spec.hostname = "h"
        spec.tty = true
        spec.interactive = true
        var bind = try BindMount(parsing: "/tmp:/x:ro")
        bind.volume = "data"
        spec.binds = [bind]
        spec.tmpfs = ["/run": "size=1m"]
        var resources = ResourceLimits()
        resources.memory = 1 << 25
        resources.memorySwap = -1
        resources.cpuQuota = 50_000
        resources.cpuPeriod = 100_000
        resources.nanoCpus = 500_000_000
        resources.cpuShares = 512
        resources.cpusetCpus = "0"
        resources.pidsLimit = 64
        spec.resources = resources
        spec.capAdd = ["NET_ADMIN"]
        spec.capDrop = ["CHOWN"]
        spec.privileged = true
        spec.readOnly = true
        spec.seccompProfile = "unconfined"
        spec.noNewPrivileges = true
        spec.network = "bridge"
        spec.restart = .onFailure(maxRetries: 3)
        spec.log = LogOptions(maxSize: 1 << 20, maxFiles: 2)
        spec.log.driver = "none"
        spec.autoRemove = true
        spec.ulimits = [try Ulimit(parsing: "nofile=100:unlimited")]
        spec.stopSignal = "SIGINT"
        spec.stopTimeout = 3
        spec.cgroupParent = "/board"
        spec.initProcess = true
        spec.platform = Platform(architecture: "arm", variant: "v7")
        spec.ports = [PortBinding(proto: "udp", hostIP: "127.0.0.1", hostPort: 53, containerPort: 5353)]
        spec.publishAll = true
        spec.dns = ["10.0.0.1"]
        spec.extraHosts = ["db:10.0.0.2"]
        spec.ipAddress = "172.18.0.9"
        spec.macAddress = "02:42:ac:12:00:09"
        spec.networkAliases = ["web"]
        spec.userNamespace = try UserNamespaceRemap(uid: 100_000, gid: 100_000, size: 65_536)
        spec.labels = ["com.example.app": "web", "empty": ""]
        spec.consoleSize = [24, 80]
        var kernel = KernelSettings()
        kernel.devices = [DeviceMapping(hostPath: "/dev/ttyUSB0", containerPath: "/dev/serial", permissions: "rw")]
        kernel.deviceCgroupRules = ["c 189:* rwm"]
        kernel.groupAdd = ["dialout", "20"]
        kernel.oomScoreAdj = -500
        kernel.oomKillDisable = true
        kernel.shmSize = 1 << 26
        kernel.sysctls = ["net.ipv4.ip_forward": "1"]
        kernel.pidMode = "host"
        kernel.ipcMode = "shareable"
        kernel.utsMode = "host"
        kernel.domainname = "example.test"
        kernel.cgroupnsMode = "private"
        kernel.cpuRealtimePeriod = 1_000_000
        kernel.cpuRealtimeRuntime = 10_000
        kernel.cpusetMems = "0"
        kernel.memoryReservation = 1 << 24
        kernel.memorySwappiness = 10
        kernel.kernelMemory = 1 << 26
        kernel.blkioWeight = 300
        kernel.blkioWeightDevice = [DeviceValue(path: "/dev/sda", value: 200)]
        kernel.deviceReadBps = [DeviceValue(path: "/dev/sda", value: 1 << 20)]
        kernel.deviceWriteBps = [DeviceValue(path: "/dev/sda", value: 1 << 21)]
        kernel.deviceReadIOps = [DeviceValue(path: "/dev/sda", value: 100)]
        kernel.deviceWriteIOps = [DeviceValue(path: "/dev/sda", value: 50)]
        spec.kernel = kernel
        spec.exposedPorts = ["80/tcp", "53/udp"]
        spec.dnsSearch = ["example.test"]
        spec.dnsOptions = ["ndots:2"]
        spec.healthcheck = HealthConfig(Test: ["CMD-SHELL", "true"], Interval: 1, Timeout: 2, StartPeriod: 3, StartInterval: 4, Retries: 5)
        spec.links = ["target:db"]
        var state = ContainerRuntimeState()
        state.status = .running
        state.pid = 42
        state.pidStartTime = 123
        state.monitorPid = 41
        state.exitCode = 137
        state.oomKilled = true
        state.error = "e"
        state.startedAt = "2026-11-29T12:00:00Z"
        state.finishedAt = "2026-11-29T12:00:01Z"
        state.restartCount = 2
        state.stoppedByUser = true
        state.bootID = "0d6b1c49-8a2e-4b8f-9d0c-3f1e2a7b5c61"
        return ContainerRecord(id: String(repeating: "c", count: 64), name: "web", created: "2026-11-29T11:59:59Z", spec: spec,
                               path: "/bin/sh", args: ["-c", "echo hi"], state: state, previousImageID: try Digest(hex: String(repeating: "d", count: 64)))
    }

    @Test func everyFieldIsWrittenAndReadBack() throws {
        let record = try Self.full()
        #expect(JSONCoverage.gaps(in: record, json: record.json) == [])
        let back = try ContainerRecord(jsonBytes: record.jsonBytes(pretty: true), what: "record")
        #expect(back.spec == record.spec)
        #expect(back.state == record.state)
        #expect(back.previousImageID == record.previousImageID)
        #expect(back.jsonBytes() == record.jsonBytes())
    }

    @Test(arguments: [RestartPolicy.no, .always, .unlessStopped, .onFailure(maxRetries: 0), .onFailure(maxRetries: 5)])
    func restartPoliciesRoundTrip(policy: RestartPolicy) throws {
        #expect(try RestartPolicy(json: policy.json, path: JSONPath(what: "p")) == policy)
    }

    /// A record as the Codable-based versions wrote it (synthesized keys, the enum's nested form):
    /// containers made before the change still read.
    @Test func readsRecordsWrittenByCodable() throws {
        let text = """
        {"args":[],"created":"2026-11-29T12:14:44.872344515Z","id":"53bbe71eda5d4b878bc2e3542c40b24b39736509459d96b9ce6dbc76d4058917",
         "name":"fmt","path":"true","spec":{"autoRemove":false,"binds":[{"destination":"/x","readOnly":true,"source":"/tmp"}],
         "capAdd":[],"capDrop":[],"cgroupParent":"/lighter","command":["true"],"dns":[],"env":[],"extraHosts":[],
         "image":"busybox:amd64","imageID":"sha256:8ee9447101d788b49b6e9981acae71695b3c4645222e3d67a0a08f2299fb8612",
         "initProcess":false,"interactive":false,"log":{"maxFiles":3,"maxSize":10485760},"network":"bridge","networkAliases":[],
         "noNewPrivileges":false,"platform":{"architecture":"amd64","os":"linux"},
         "ports":[{"containerPort":80,"hostIP":"","hostPort":8080,"proto":"tcp"}],"privileged":false,"publishAll":false,
         "readOnly":false,"resources":{},"restart":{"onFailure":{"maxRetries":3}},"tmpfs":{"/run":""},"tty":false,
         "ulimits":[{"hard":200,"name":"nofile","soft":100}],"userNamespace":{"gid":100000,"size":65536,"uid":100000}},
         "state":{"error":"","exitCode":0,"monitorPid":0,"oomKilled":false,"pid":0,"pidStartTime":0,"restartCount":0,
         "status":"created","stoppedByUser":false}}
        """
        let record = try ContainerRecord(jsonBytes: Array(text.utf8), what: "record")
        #expect(record.name == "fmt" && record.state.status == .created)
        #expect(record.spec.restart == .onFailure(maxRetries: 3))
        #expect(record.spec.binds.first?.readOnly == true && record.spec.binds.first?.volume == nil)
        #expect(record.spec.ports == [PortBinding(proto: "tcp", hostIP: "", hostPort: 8080, containerPort: 80)])
        #expect(record.spec.ulimits.first?.hard == 200)
        #expect(record.spec.userNamespace?.size == 65_536)
        #expect(record.spec.platform == Platform(architecture: "amd64"))
        #expect(record.spec.tmpfs == ["/run": ""])
    }

    @Test func badRecordsNameTheField() throws {
        var node = try Self.full().json
        guard case var .object(fields) = node, case var .object(spec) = fields["spec"]! else { Issue.record("not objects"); return }
        spec["restart"] = .object(["sometimes": .object([:])])
        fields["spec"] = .object(spec)
        node = .object(fields)
        #expect(throws: LighterError.malformed(what: "record", reason: "bad value at \"spec.restart\": unknown restart policy \"sometimes\"")) {
            try ContainerRecord(jsonBytes: node.serialized(), what: "record")
        }
    }
}
