import LighterEngine
import LighterOCI
import LighterSystem

/// The rest of `run`/`create`'s flags as Docker's create body (`Config`, `HostConfig`,
/// `NetworkingConfig`), the fields the daemon's `DockerCreateRequest` reads back. Files named by
/// flags (`--env-file`, `--label-file`) are read here, on the client, as Docker's CLI reads them.
extension RemoteCreate {
    /// The flags set in `f` that have no form in the Engine API (or none this client sends): refused by name.
    static func refused(_ f: ContainerFlags) -> [String] {
        let k = f.kernel
        var names: [String] = []
        func check(_ set: Bool, _ name: String) { if set { names.append(name) } }
        check(f.volumeDriver != nil, "--volume-driver")
        check(!f.storageOpt.isEmpty, "--storage-opt")
        check(f.gpus != nil, "--gpus")
        check(f.userns != nil, "--userns")
        check(f.usernsRemap != nil, "--userns-remap")
        check(f.ip6 != nil, "--ip6")
        check(!f.linkLocalIp.isEmpty, "--link-local-ip")
        check(f.isolation.map { $0 != "default" } ?? false, "--isolation")
        check(f.runtime.map { !["runc", "lighter"].contains($0) } ?? false, "--runtime")
        check(k.cpuRtPeriod != nil, "--cpu-rt-period")
        check(k.cpuRtRuntime != nil, "--cpu-rt-runtime")
        check(k.kernelMemory != nil, "--kernel-memory")
        check(k.oomKillDisable, "--oom-kill-disable")
        check(k.memorySwappiness.map { $0 != "-1" } ?? false, "--memory-swappiness")
        check(!k.blkioWeightDevice.isEmpty, "--blkio-weight-device")
        check(!k.deviceReadBps.isEmpty, "--device-read-bps")
        check(!k.deviceWriteBps.isEmpty, "--device-write-bps")
        check(!k.deviceReadIops.isEmpty, "--device-read-iops")
        check(!k.deviceWriteIops.isEmpty, "--device-write-iops")
        // A seccomp profile file would be read on the daemon's machine, not this one.
        check(f.securityOpt.contains { ($0.hasPrefix("seccomp=") || $0.hasPrefix("seccomp:")) && $0.dropFirst(8) != "unconfined" },
              "--security-opt seccomp=FILE")
        return names
    }

    /// Fill `config`, `host` and the network endpoint from every flag that maps onto them.
    static func translate(_ f: ContainerFlags, config: inout [String: JSONNode], host: inout [String: JSONNode],
                          networking: inout [String: JSONNode]) throws(LighterError) {
        func strings(_ list: [String]) -> JSONNode { .array(list.map(JSONNode.string)) }
        func number(_ n: Int64) -> JSONNode { .number(String(n)) }
        func integer(_ text: String, _ flag: String) throws(LighterError) -> Int64 {
            guard let n = Int64(text) else { throw .invalidArgument("invalid argument \"\(text)\" for \"\(flag)\" flag: expected a number") }
            return n
        }
        func pairs(_ list: [String]) -> JSONNode {
            .object(Dictionary(list.map { (String($0.prefix { $0 != "=" }), JSONNode.string(String($0.drop { $0 != "=" }.dropFirst()))) }) { $1 })
        }

        // Config
        if let v = f.hostname { config["Hostname"] = .string(v) }
        if let v = f.kernel.domainname { config["Domainname"] = .string(v) }
        if let v = f.user { config["User"] = .string(v) }
        if let v = f.workdir { config["WorkingDir"] = .string(v) }
        if let v = f.entrypoint { config["Entrypoint"] = strings([v]) }
        if let v = f.stopSignal { config["StopSignal"] = .string(v) }
        if let v = f.stopTimeout { config["StopTimeout"] = number(v) }
        if let v = f.macAddress { config["MacAddress"] = .string(v) }
        var env: [String] = []
        for file in f.envFile { env += try ContainerFlags.environmentFile(file) }
        for entry in f.env { if let value = try ContainerFlags.environmentEntry(entry) { env.append(value) } }
        if !env.isEmpty { config["Env"] = strings(env) }
        var labels: [String] = []
        for file in f.labelFile {
            guard let text = try? FileSystem.readString(file) else { throw .invalidArgument("--label-file \(file): cannot read the file") }
            labels += text.split(separator: "\n").map { String($0).trimmed }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        labels += f.label
        if !labels.isEmpty { config["Labels"] = pairs(labels) }
        if !f.expose.isEmpty {
            var exposed = config["ExposedPorts"]?.members ?? [:]
            for port in f.expose { exposed[port.contains("/") ? port : "\(port)/tcp"] = .object([:]) }
            config["ExposedPorts"] = .object(exposed)
        }
        var probe = ContainerSpec(image: "", imageID: try Digest(hex: String(repeating: "0", count: 64)))
        try f.health.apply(to: &probe)
        if let health = probe.healthcheck {
            config["Healthcheck"] = try JSONNode.parse(try JSON.encode(health), what: "the health check")
        }

        // HostConfig
        if f.privileged { host["Privileged"] = .bool(true) }
        if f.readOnly { host["ReadonlyRootfs"] = .bool(true) }
        if f.`init` { host["Init"] = .bool(true) }
        if f.publishAll { host["PublishAllPorts"] = .bool(true) }
        if !f.capAdd.isEmpty { host["CapAdd"] = strings(f.capAdd) }
        if !f.capDrop.isEmpty { host["CapDrop"] = strings(f.capDrop) }
        if !f.dns.isEmpty { host["Dns"] = strings(f.dns) }
        if !f.dnsOption.isEmpty { host["DnsOptions"] = strings(f.dnsOption) }
        if !f.dnsSearch.isEmpty { host["DnsSearch"] = strings(f.dnsSearch) }
        if !f.addHost.isEmpty { host["ExtraHosts"] = strings(f.addHost) }
        if !f.securityOpt.isEmpty { host["SecurityOpt"] = strings(f.securityOpt) }
        if !f.volumesFrom.isEmpty { host["VolumesFrom"] = strings(f.volumesFrom) }
        if !f.link.isEmpty { host["Links"] = strings(f.link.map { $0.contains(":") ? $0 : "\($0):\($0)" }) }
        if let v = f.cgroupParent { host["CgroupParent"] = .string(v) }
        if let v = f.cpusetCpus { host["CpusetCpus"] = .string(v) }
        if let v = f.cpuShares { host["CpuShares"] = number(v) }
        if let v = f.pidsLimit { host["PidsLimit"] = number(v) }
        if let v = f.memory { host["Memory"] = number(try ByteSize.parse(v, flag: "--memory")) }
        if let v = f.memorySwap { host["MemorySwap"] = number(v == "-1" ? -1 : try ByteSize.parse(v, flag: "--memory-swap")) }
        if let v = f.cpus {
            guard let cpus = Double(v), cpus > 0 else { throw .invalidArgument("invalid argument \"\(v)\" for \"--cpus\" flag: expected a number of CPUs") }
            host["NanoCpus"] = number(Int64((cpus * 1e9).rounded()))
        }
        if !f.tmpfs.isEmpty {
            host["Tmpfs"] = .object(Dictionary(f.tmpfs.map { (String($0.prefix { $0 != ":" }), JSONNode.string(String($0.drop { $0 != ":" }.dropFirst()))) }) { $1 })
        }
        if !f.ulimit.isEmpty { host["Ulimits"] = .array(try f.ulimit.map(ulimit)) }
        if f.logDriver != nil || !f.logOpt.isEmpty {
            host["LogConfig"] = .object(["Type": .string(f.logDriver ?? ""), "Config": pairs(f.logOpt)])
        }
        if !f.mount.isEmpty { host["Mounts"] = .array(try f.mount.map(mount)) }
        let k = f.kernel
        if !k.device.isEmpty { host["Devices"] = .array(k.device.map(device)) }
        if !k.deviceCgroupRule.isEmpty { host["DeviceCgroupRules"] = strings(k.deviceCgroupRule) }
        if !k.groupAdd.isEmpty { host["GroupAdd"] = strings(k.groupAdd) }
        if !k.sysctl.isEmpty { host["Sysctls"] = pairs(k.sysctl) }
        if let v = k.shmSize { host["ShmSize"] = number(try ByteSize.parse(v, flag: "--shm-size")) }
        if let v = k.memoryReservation { host["MemoryReservation"] = number(try ByteSize.parse(v, flag: "--memory-reservation")) }
        if let v = k.cpuPeriod { host["CpuPeriod"] = number(try integer(v, "--cpu-period")) }
        if let v = k.cpuQuota { host["CpuQuota"] = number(try integer(v, "--cpu-quota")) }
        if let v = k.blkioWeight { host["BlkioWeight"] = number(try integer(v, "--blkio-weight")) }
        if let v = k.oomScoreAdj { host["OomScoreAdj"] = number(try integer(v, "--oom-score-adj")) }
        if let v = k.cpusetMems { host["CpusetMems"] = .string(v) }
        if let v = k.pid { host["PidMode"] = .string(v) }
        if let v = k.ipc { host["IpcMode"] = .string(v) }
        if let v = k.uts { host["UTSMode"] = .string(v) }
        if let v = k.cgroupns { host["CgroupnsMode"] = .string(v) }

        // NetworkingConfig: the one network's aliases and address.
        if !f.networkAlias.isEmpty || f.ip != nil {
            var endpoint: [String: JSONNode] = [:]
            if !f.networkAlias.isEmpty { endpoint["Aliases"] = strings(f.networkAlias) }
            if let ip = f.ip { endpoint["IPAMConfig"] = .object(["IPv4Address": .string(ip)]) }
            networking["EndpointsConfig"] = .object([f.network ?? "default": .object(endpoint)])
        }
    }

    /// `--ulimit NAME=SOFT[:HARD]` → `{"Name", "Soft", "Hard"}`.
    static func ulimit(_ text: String) throws(LighterError) -> JSONNode {
        let name = String(text.prefix { $0 != "=" })
        let values = text.drop { $0 != "=" }.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard !name.isEmpty, (1...2).contains(values.count), let soft = Int64(values[0]), let hard = Int64(values.last!) else {
            throw .invalidArgument("invalid argument \"\(text)\" for \"--ulimit\" flag: use NAME=SOFT[:HARD]")
        }
        return .object(["Name": .string(name), "Soft": .number(String(soft)), "Hard": .number(String(hard))])
    }

    /// `--device HOST[:CONTAINER][:PERMISSIONS]` → `{"PathOnHost", "PathInContainer", "CgroupPermissions"}`.
    static func device(_ text: String) -> JSONNode {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var permissions = "rwm"
        if parts.count > 1, let last = parts.last, !last.hasPrefix("/"), !last.isEmpty, last.allSatisfy({ "rwm".contains($0) }) {
            permissions = last
            parts.removeLast()
        }
        let onHost = parts[0], inside = parts.count > 1 ? parts[1] : parts[0]
        return .object(["PathOnHost": .string(onHost), "PathInContainer": .string(inside), "CgroupPermissions": .string(permissions)])
    }

    /// `--mount type=…,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…]` → Docker's Mount.
    static func mount(_ text: String) throws(LighterError) -> JSONNode {
        var fields: [String: JSONNode] = ["Type": .string("volume")]
        var tmpfs: [String: JSONNode] = [:]
        for item in text.split(separator: ",") {
            let key = String(item.prefix { $0 != "=" }).lowercased()
            let value = String(item.drop { $0 != "=" }.dropFirst())
            switch key {
            case "type": fields["Type"] = .string(value)
            case "source", "src": fields["Source"] = .string(value)
            case "target", "destination", "dst": fields["Target"] = .string(value)
            case "readonly", "ro":
                guard value.isEmpty || ["true", "1", "false", "0"].contains(value) else { throw .invalidArgument("--mount \(text): invalid value for \(key): \(value)") }
                fields["ReadOnly"] = .bool(value.isEmpty || value == "true" || value == "1")
            case "tmpfs-size": tmpfs["SizeBytes"] = .number(String(try ByteSize.parse(value, flag: "--mount tmpfs-size")))
            case "tmpfs-mode":
                guard let mode = Int(value, radix: 8) else { throw .invalidArgument("--mount \(text): tmpfs-mode is an octal mode") }
                tmpfs["Mode"] = .number(String(mode))
            default:
                throw .unsupported(feature: "--mount option \(key) against a remote daemon", fix: "use type, source, target, readonly, tmpfs-size and tmpfs-mode, or `docker -H …`")
            }
        }
        if !tmpfs.isEmpty { fields["TmpfsOptions"] = .object(tmpfs) }
        return .object(fields)
    }
}
