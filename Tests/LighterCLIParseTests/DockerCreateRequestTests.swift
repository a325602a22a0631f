import LighterSystem
import Testing
@testable import LighterCLI

/// `POST /containers/create` bodies read into the flags `lighter create` fills: the same container spec
/// as the equivalent command line, and fields Lighter cannot apply refused by name.
@Suite struct DockerCreateRequestTests {
    static func read(_ json: String) throws -> DockerCreateRequest {
        guard case let .object(fields) = try JSONNode.parse(Array(json.utf8), what: "test") else { throw CancellationError() }
        return try DockerCreateRequest(fields)
    }

    @Test func readsWhatTheDockerCLISends() throws {
        let request = try Self.read("""
            {"Hostname":"","User":"1000:1000","Env":["A=1"],"Cmd":["sh","-c","echo hi"],"Image":"busybox","Entrypoint":null,
             "WorkingDir":"/srv","Labels":{"app":"web"},"Tty":true,"OpenStdin":false,"ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},
             "StopSignal":"SIGINT","StopTimeout":5,
             "HostConfig":{"Binds":["/tmp:/host:ro"],"NetworkMode":"default","PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},
               "RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3},"AutoRemove":true,"CapAdd":["NET_ADMIN"],"Memory":67108864,
               "NanoCpus":1500000000,"PidsLimit":null,"Init":true,"Tmpfs":{"/run":"size=1m"},"ConsoleSize":[0,0],"MemorySwappiness":-1,
               "LogConfig":{"Type":"json-file","Config":{"max-size":"1m"}},"Privileged":false,"Isolation":"","Mounts":[{"Type":"volume","Source":"v","Target":"/v"}]},
             "NetworkingConfig":{"EndpointsConfig":{"default":{}}}}
            """)
        #expect(request.image == "busybox")
        #expect(request.command == ["sh", "-c", "echo hi"])
        #expect(request.entrypoint == nil)
        #expect(request.autoRemove)
        let flags = request.flags
        #expect(flags.user == "1000:1000" && flags.env == ["A=1"] && flags.workdir == "/srv" && flags.tty)
        #expect(flags.label == ["app=web"] && flags.expose == ["80/tcp"] && flags.volume == ["/tmp:/host:ro", "/data"])
        #expect(flags.stopSignal == "SIGINT" && flags.stopTimeout == 5)
        #expect(flags.network == nil)
        #expect(flags.publish == ["127.0.0.1:8080:80/tcp"])
        #expect(flags.restart == "on-failure:3")
        #expect(flags.capAdd == ["NET_ADMIN"] && flags.memory == "67108864" && flags.cpus == "1.5" && flags.`init`)
        #expect(flags.tmpfs == ["/run:size=1m"] && flags.logDriver == "json-file" && flags.logOpt == ["max-size=1m"])
        #expect(flags.mount == ["type=volume,target=/v,source=v"])
    }

    /// docker-py and compose send a named volume twice: Config.Volumes {"/data":{}} and Binds
    /// ["vol:/data:rw"] (or a Mount). Docker mounts the named volume only; no anonymous one beside it.
    @Test func aVolumeTargetNamedByABindOrMountIsNotAnonymousToo() throws {
        let request = try Self.read("""
            {"Image":"busybox","Volumes":{"/data":{},"/www":{},"/cache":{}},
             "HostConfig":{"Binds":["pyvol:/data:rw"],"Mounts":[{"Type":"volume","Source":"site","Target":"/www"}]}}
            """)
        #expect(request.flags.volume == ["pyvol:/data:rw", "/cache"])
        #expect(request.flags.mount == ["type=volume,target=/www,source=site"])
    }

    /// compose's `devices:`, `device_cgroup_rules:`, `cpu_quota:`/`cpu_period:`, `cpuset` mems,
    /// `mem_reservation:` and `blkio_config.weight`: the CLI's flags for them (they were refused by name).
    @Test func readsDevicesAndTheOtherResourceFieldsComposeSends() throws {
        let request = try Self.read("""
            {"Image":"busybox","HostConfig":{"Devices":[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"rwm"},
              {"PathOnHost":"/dev/zero","PathInContainer":"","CgroupPermissions":"r"}],"DeviceCgroupRules":["c 1:3 mr"],
              "CpuPeriod":100000,"CpuQuota":50000,"CpusetMems":"0","MemoryReservation":33554432,"BlkioWeight":300}}
            """)
        let kernel = request.flags.kernel
        #expect(kernel.device == ["/dev/null:/dev/mynull:rwm", "/dev/zero:/dev/zero:r"] && kernel.deviceCgroupRule == ["c 1:3 mr"])
        #expect(kernel.cpuPeriod == "100000" && kernel.cpuQuota == "50000" && kernel.cpusetMems == "0")
        #expect(kernel.memoryReservation == "33554432" && kernel.blkioWeight == "300")
        let zero = try Self.read(#"{"Image":"b","HostConfig":{"Devices":[],"DeviceCgroupRules":null,"CpuPeriod":0,"CpuQuota":0,"CpusetMems":"","MemoryReservation":0,"BlkioWeight":0}}"#)
        #expect(zero.flags.kernel.device.isEmpty && zero.flags.kernel.cpuQuota == nil && zero.flags.kernel.blkioWeight == nil)
    }

    /// compose's `tmpfs: {size: …}` on a long-syntax volume: TmpfsOptions SizeBytes and Mode (a number; the
    /// CLI's tmpfs-mode is octal); other TmpfsOptions keys are refused by name.
    @Test func readsTmpfsOptionsOfMounts() throws {
        let request = try Self.read(#"{"Image":"b","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/tm","TmpfsOptions":{"SizeBytes":1000000,"Mode":1023}}]}}"#)
        #expect(request.flags.mount == ["type=tmpfs,target=/tm,tmpfs-size=1000000,tmpfs-mode=1777"])
        #expect(try Self.read(#"{"Image":"b","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{}}]}}"#).flags.mount == ["type=tmpfs,target=/t"])
        #expect(throws: LighterError.self) { try Self.read(#"{"Image":"b","HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"Options":[["exec"]]}}]}}"#) }
    }

    /// Config.Healthcheck (compose's `healthcheck:`, durations in nanoseconds) kept as the spec's.
    @Test func readsHealthchecks() throws {
        let request = try Self.read("""
            {"Image":"busybox","Healthcheck":{"Test":["CMD","wget","-qO-","http://localhost/"],"Interval":1000000000,"Timeout":2000000000,"Retries":4,"StartPeriod":0}}
            """)
        let health = try #require(request.healthcheck)
        #expect(health.Test == ["CMD", "wget", "-qO-", "http://localhost/"] && health.Interval == 1_000_000_000 && health.Timeout == 2_000_000_000)
        #expect(health.StartPeriod == 0 && health.StartInterval == 0 && health.Retries == 4)
        #expect(try Self.read(#"{"Image":"b","Healthcheck":{"Test":["NONE"]}}"#).healthcheck?.Test == ["NONE"])
        #expect(try Self.read(#"{"Image":"b","Healthcheck":{"Test":[],"Interval":0}}"#).healthcheck == nil)
        #expect(throws: LighterError.self) { try Self.read(#"{"Image":"b","Healthcheck":{"Test":["SHELL","true"]}}"#) }
        #expect(throws: LighterError.self) { try Self.read(#"{"Image":"b","Healthcheck":{"Test":["CMD"]}}"#) }
        #expect(throws: LighterError.self) { try Self.read(#"{"Image":"b","Healthcheck":{"Test":["CMD","true"],"Interval":500}}"#) }
        #expect(throws: LighterError.self) { try Self.read(#"{"Image":"b","Healthcheck":{"Test":["CMD","true"],"Retries":-1}}"#) }
    }

    @Test func refusesWhatLighterCannotApplyByName() {
        for (json, field) in [(#"{"Image":"b","HostConfig":{"Runtime":"nvidia"}}"#, "HostConfig.Runtime"),
                              (#"{"Image":"b","Healthcheck":{"Test":["CMD","true"],"Probe":1}}"#, "Config.Healthcheck.Probe"),
                              (#"{"Image":"b","HostConfig":{"DeviceRequests":[{"Count":-1}]}}"#, "HostConfig.DeviceRequests"),
                              (#"{"Image":"b","HostConfig":{"Mounts":[{"Type":"bind","Target":"/x","BindOptions":{"Propagation":"shared"}}]}}"#, "HostConfig.Mounts.BindOptions"),
                              (#"{"Image":"b","NewField":1}"#, "Config.NewField")] {
            #expect(throws: LighterError.invalidArgument("\(field) is not supported by Lighter (it was set to \(Self.setTo(json, field)))")) {
                try Self.read(json)
            }
        }
        #expect(throws: LighterError.self) { try Self.read(#"{"Cmd":["true"]}"#) }
        #expect(throws: LighterError.self) { try Self.read(#"{"Image":"b","Env":"A=1 B=2","Cmd":[1]}"#) }
    }

    /// What the refusal quotes: the field's value as JSON.
    static func setTo(_ json: String, _ field: String) -> String {
        switch field {
        case "HostConfig.Runtime": return #""nvidia""#
        case "Config.Healthcheck.Probe": return "1"
        case "HostConfig.DeviceRequests": return #"[{"Count":-1}]"#
        case "HostConfig.Mounts.BindOptions": return #"{"Propagation":"shared"}"#
        default: return "1"
        }
    }

    @Test func zeroValuesOfUnsupportedFieldsPass() throws {
        let request = try Self.read(#"{"Image":"b","Healthcheck":null,"HostConfig":{"DeviceRequests":[],"Runtime":"","KernelMemoryTCP":0,"Links":null},"OnBuild":null}"#)
        #expect(request.image == "b")
    }

    /// `HostConfig.Links` ("name:alias", what `docker run --link` sends) becomes the CLI's --link.
    @Test func linksAreTheCLIsLinkFlag() throws {
        let request = try Self.read(#"{"Image":"b","HostConfig":{"Links":["db:database","cache"]}}"#)
        #expect(request.flags.link == ["db:database", "cache"])
    }
}
