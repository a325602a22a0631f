import LighterEngine
import LighterNetwork
import LighterOCI
import LighterRuntime
import LighterStore
import LighterSystem

/// `inspect CONTAINER`: Docker 20.10's document, key for key (moby's api/types ContainerJSON), built
/// field by field. Keys Docker leaves out when empty (`omitempty`: Config.ExposedPorts, StopSignal,
/// StopTimeout, HostConfig.Init, Tmpfs, Sysctls) are left out alike; the others carry Docker's zero
/// value, `null` where Docker writes null (a nil slice or map) and `[]`/`{}` where it writes those.
/// Settings Lighter has no flag for carry Docker's zero values.
enum ContainerInspectDocument {
    static func build(_ r: ContainerRecord, engine: Engine) -> JSONNode {
        let directory = "\(engine.images.paths.containers)/\(r.id)"
        let imageConfig = (try? engine.images.config(of: r.spec.imageID))?.config ?? ContainerConfig()
        let running = [.running, .paused, .restarting].contains(r.state.status)
        var doc: [String: JSONNode] = [
            "Id": .string(r.id),
            "Created": .string(r.created),
            "Path": .string(r.path),
            "Args": .array(r.args.map(JSONNode.string)),
            "State": state(r, health: engine.health(of: r)),
            "Image": .string(r.spec.imageID.description),
            "ResolvConfPath": .string("\(directory)/resolv.conf"),
            "HostnamePath": .string("\(directory)/hostname"),
            "HostsPath": .string("\(directory)/hosts"),
            "LogPath": .string("\(directory)/\(r.id)-json.log"),
            "Name": .string("/" + r.name),
            "RestartCount": number(r.state.restartCount),
            "Driver": .string("overlay2"),
            "Platform": .string("linux"),
            "MountLabel": .string(""),
            "ProcessLabel": .string(""),
            "AppArmorProfile": .string(""),
            "ExecIDs": .null,
        ]
        doc["HostConfig"] = hostConfig(r.spec, name: r.name)
        doc["GraphDriver"] = graphDriver(r, directory: directory, engine: engine)
        doc["Mounts"] = .array(r.spec.binds.map(mountEntry))
        doc["Config"] = config(r, image: imageConfig)
        doc["NetworkSettings"] = networkSettings(r, running: running, exposed: exposedPorts(r.spec, image: imageConfig), engine: engine)
        return .object(doc)
    }

    // MARK: State

    static func state(_ r: ContainerRecord, health: HealthState? = nil) -> JSONNode {
        let s = r.state
        var state: [String: JSONNode] = [
            "Status": .string(s.status.rawValue),
            "Running": .bool(s.status == .running || s.status == .paused || s.status == .restarting),
            "Paused": .bool(s.status == .paused),
            "Restarting": .bool(s.status == .restarting),
            "OOMKilled": .bool(s.oomKilled),
            "Dead": .bool(s.status == .dead),
            "Pid": number(s.pid),
            "ExitCode": number(s.exitCode),
            "Error": .string(s.error),
            "StartedAt": .string(s.startedAt ?? zeroTime),
            "FinishedAt": .string(s.finishedAt ?? zeroTime),
        ]
        // Docker's State.Health (omitempty): once a container with a health check has started.
        if let health { state["Health"] = health.json }
        return .object(state)
    }

    /// Go's zero time, as Docker writes a container that never started or never ended.
    static let zeroTime = "0001-01-01T00:00:00Z"

    // MARK: HostConfig

    static func hostConfig(_ spec: ContainerSpec, name: String) -> JSONNode {
        let resources = spec.resources
        let (restartName, retries): (String, Int) = switch spec.restart {
        case .no: ("no", 0)
        case .always: ("always", 0)
        case .unlessStopped: ("unless-stopped", 0)
        case let .onFailure(n): ("on-failure", n)
        }
        var securityOpt: [String] = []
        if spec.seccompProfile == "unconfined" { securityOpt.append("seccomp=unconfined") }
        else if let profile = spec.seccompProfile { securityOpt.append("seccomp=\(profile)") }
        if spec.noNewPrivileges { securityOpt.append("no-new-privileges") }
        let kernel = spec.kernel
        func devices(_ values: [DeviceValue], key: String) -> JSONNode {
            values.isEmpty ? .null : .array(values.map { .object(["Path": .string($0.path), key: number($0.value)]) })
        }
        var h: [String: JSONNode] = [
            "Binds": nullIfEmpty(spec.binds.compactMap(bindSpec)),
            "ContainerIDFile": .string(""),
            "LogConfig": .object(["Type": .string(spec.log.driver), "Config": spec.log.driver == "none" ? .object([:]) : .object([
                "max-size": .string(sizeText(spec.log.maxSize)), "max-file": .string(String(spec.log.maxFiles)),
            ])]),
            "NetworkMode": .string(spec.network),
            "PortBindings": portBindings(spec.ports),
            "RestartPolicy": .object(["Name": .string(restartName), "MaximumRetryCount": number(retries)]),
            "AutoRemove": .bool(spec.autoRemove),
            "VolumeDriver": .string(""),
            "VolumesFrom": .null,
            "CapAdd": nullIfEmpty(spec.capAdd),
            "CapDrop": nullIfEmpty(spec.capDrop),
            "CgroupnsMode": .string(kernel.cgroupnsMode.isEmpty ? (Engine.cgroupV2 ? "private" : "host") : kernel.cgroupnsMode),
            "Dns": strings(spec.dns),
            "DnsOptions": strings(spec.dnsOptions),
            "DnsSearch": strings(spec.dnsSearch),
            "ExtraHosts": nullIfEmpty(spec.extraHosts),
            "GroupAdd": nullIfEmpty(kernel.groupAdd),
            "IpcMode": .string(kernel.ipcMode.isEmpty ? "private" : kernel.ipcMode),
            "Cgroup": .string(""),
            "Links": spec.links.isEmpty ? .null : strings(Engine.inspectLinks(spec, name: name)),
            "OomScoreAdj": number(kernel.oomScoreAdj ?? 0),
            "PidMode": .string(kernel.pidMode),
            "Privileged": .bool(spec.privileged),
            "PublishAllPorts": .bool(spec.publishAll),
            "ReadonlyRootfs": .bool(spec.readOnly),
            "SecurityOpt": nullIfEmpty(securityOpt),
            "UTSMode": .string(kernel.utsMode),
            "UsernsMode": .string(""),
            "ShmSize": number(kernel.shmSize ?? 67_108_864),
            "Runtime": .string("lighter"),
            "ConsoleSize": .array((spec.consoleSize ?? [0, 0]).map { number($0) }),
            "Isolation": .string(""),
            "CpuShares": number(resources.cpuShares ?? 0),
            "Memory": number(resources.memory ?? 0),
            "NanoCpus": number(resources.nanoCpus ?? 0),
            "CgroupParent": .string(spec.cgroupParent == "/lighter" ? "" : spec.cgroupParent),
            "BlkioWeight": number(kernel.blkioWeight ?? 0),
            "BlkioWeightDevice": .array(kernel.blkioWeightDevice.map { .object(["Path": .string($0.path), "Weight": number($0.value)]) }),
            "BlkioDeviceReadBps": devices(kernel.deviceReadBps, key: "Rate"),
            "BlkioDeviceWriteBps": devices(kernel.deviceWriteBps, key: "Rate"),
            "BlkioDeviceReadIOps": devices(kernel.deviceReadIOps, key: "Rate"),
            "BlkioDeviceWriteIOps": devices(kernel.deviceWriteIOps, key: "Rate"),
            "CpuPeriod": number(resources.nanoCpus == nil ? Int64(resources.cpuPeriod ?? 0) : 0),
            "CpuQuota": number(resources.nanoCpus == nil ? resources.cpuQuota ?? 0 : 0),
            "CpuRealtimePeriod": number(kernel.cpuRealtimePeriod ?? 0),
            "CpuRealtimeRuntime": number(kernel.cpuRealtimeRuntime ?? 0),
            "CpusetCpus": .string(resources.cpusetCpus ?? ""),
            "CpusetMems": .string(kernel.cpusetMems ?? ""),
            "Devices": .array(kernel.devices.map { .object(["PathOnHost": .string($0.hostPath), "PathInContainer": .string($0.containerPath),
                                                           "CgroupPermissions": .string($0.permissions)]) }),
            "DeviceCgroupRules": nullIfEmpty(kernel.deviceCgroupRules),
            "DeviceRequests": .null,
            "KernelMemory": number(kernel.kernelMemory ?? 0),
            "KernelMemoryTCP": number(0),
            "MemoryReservation": number(kernel.memoryReservation ?? 0),
            "MemorySwap": number(resources.memorySwap ?? 0),
            "MemorySwappiness": kernel.memorySwappiness.map { number($0) } ?? .null,
            "OomKillDisable": .bool(kernel.oomKillDisable),
            "PidsLimit": resources.pidsLimit.map { number($0) } ?? .null,
            "Ulimits": spec.ulimits.isEmpty ? .null : .array(spec.ulimits.map { limit in
                .object(["Name": .string(limit.name), "Soft": rlimit(limit.soft), "Hard": rlimit(limit.hard)])
            }),
            "CpuCount": number(0),
            "CpuPercent": number(0),
            "IOMaximumIOps": number(0),
            "IOMaximumBandwidth": number(0),
            "MaskedPaths": spec.privileged ? .null : strings(RuntimeSpec.dockerMaskedPaths),
            "ReadonlyPaths": spec.privileged ? .null : strings(RuntimeSpec.dockerReadonlyPaths),
        ]
        if spec.initProcess { h["Init"] = .bool(true) }
        if !kernel.sysctls.isEmpty { h["Sysctls"] = .object(kernel.sysctls.mapValues(JSONNode.string)) }
        if !spec.tmpfs.isEmpty { h["Tmpfs"] = .object(spec.tmpfs.mapValues(JSONNode.string)) }
        return .object(h)
    }

    /// `-v` as Docker keeps it in Binds: binds and named volumes; anonymous volumes are not there
    /// (they are in Config.Volumes).
    static func bindSpec(_ bind: BindMount) -> String? {
        if let volume = bind.volume, isAnonymous(volume) { return nil }
        return "\(bind.volume ?? bind.source):\(bind.destination)\(bind.readOnly ? ":ro" : "")"
    }

    static func isAnonymous(_ volume: String) -> Bool { volume.isEmpty || (volume.count == 64 && volume.allSatisfy(\.isHexDigit)) }

    /// `{"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}`: the ports as published (`{}` when none).
    static func portBindings(_ ports: [PortBinding]) -> JSONNode {
        var result: [String: [JSONNode]] = [:]
        for p in ports {
            result["\(p.containerPort)/\(p.proto)", default: []].append(
                .object(["HostIp": .string(p.hostIP), "HostPort": .string(p.hostPort == 0 ? "" : String(p.hostPort))]))
        }
        return .object(result.mapValues(JSONNode.array))
    }

    /// Docker's units for log sizes (`10m`), as `--log-opt max-size` takes them.
    static func sizeText(_ bytes: Int64) -> String {
        for (unit, factor) in [("g", Int64(1) << 30), ("m", Int64(1) << 20), ("k", Int64(1) << 10)] where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return String(bytes)
    }

    /// An rlimit value: unlimited is -1 in Docker's Ulimits.
    static func rlimit(_ value: UInt64) -> JSONNode { value == UInt64.max ? number(-1) : number(value) }

    // MARK: GraphDriver, Mounts

    /// The overlay of the container: the image's snapshots (top first) below its upper directory.
    static func graphDriver(_ r: ContainerRecord, directory: String, engine: Engine) -> JSONNode {
        let layers = (try? engine.images.image(id: r.spec.imageID))?.layers ?? []
        let lower = layers.reversed().map { engine.images.snapshots.path(of: $0.chainID) }.joined(separator: ":")
        var data: [String: JSONNode] = [
            "MergedDir": .string("\(directory)/rootfs"),
            "UpperDir": .string("\(directory)/upper"),
            "WorkDir": .string("\(directory)/work"),
        ]
        if !lower.isEmpty { data["LowerDir"] = .string(lower) }
        return .object(["Name": .string("overlay2"), "Data": .object(data)])
    }

    /// A `Mounts` entry: binds, named and anonymous volumes, as the container mounts them.
    static func mountEntry(_ bind: BindMount) -> JSONNode {
        var m: [String: JSONNode] = [
            "Destination": .string(bind.destination),
            "RW": .bool(!bind.readOnly),
            "Source": .string(bind.source),
        ]
        if let volume = bind.volume {
            m["Type"] = .string("volume")
            m["Name"] = .string(volume)
            m["Driver"] = .string("local")
            m["Mode"] = .string(bind.readOnly ? "ro" : (isAnonymous(volume) ? "" : "z"))
            m["Propagation"] = .string("")
        } else {
            m["Type"] = .string("bind")
            m["Mode"] = .string(bind.readOnly ? "ro" : "")
            m["Propagation"] = .string("rprivate")
        }
        return .object(m)
    }

    // MARK: Config

    static func config(_ r: ContainerRecord, image: ContainerConfig) -> JSONNode {
        let spec = r.spec
        let entrypoint: [String]?
        let cmd: [String]?
        if let given = spec.entrypoint {
            entrypoint = given.filter { !$0.isEmpty }
            cmd = spec.command.isEmpty ? nil : spec.command
        } else {
            entrypoint = image.Entrypoint
            cmd = spec.command.isEmpty ? image.Cmd : spec.command
        }
        var volumes: [String: JSONNode] = [:]
        for path in (image.Volumes ?? [:]).keys { volumes[path] = .object([:]) }
        for bind in spec.binds where bind.volume.map(isAnonymous) == true { volumes[bind.destination] = .object([:]) }
        var c: [String: JSONNode] = [
            "Hostname": .string(spec.hostname ?? r.shortID),
            "Domainname": .string(""),
            "User": .string(spec.user ?? image.User ?? ""),
            "AttachStdin": .bool(false),
            "AttachStdout": .bool(false),
            "AttachStderr": .bool(false),
            "Tty": .bool(spec.tty),
            "OpenStdin": .bool(spec.interactive),
            "StdinOnce": .bool(false),
            "Env": nullIfEmpty(environment(image: image.Env ?? [], overrides: spec.env)),
            "Cmd": cmd.map(strings) ?? .null,
            "Image": .string(spec.image),
            "Volumes": volumes.isEmpty ? .null : .object(volumes),
            "WorkingDir": .string(spec.workingDir ?? image.WorkingDir ?? ""),
            "Entrypoint": entrypoint.map(strings) ?? .null,
            "OnBuild": .null,
            "Labels": .object(spec.labels.mapValues(JSONNode.string)),
        ]
        let exposed = exposedPorts(spec, image: image)
        if !exposed.isEmpty { c["ExposedPorts"] = .object(Dictionary(uniqueKeysWithValues: exposed.map { ($0, JSONNode.object([:])) })) }
        if let signal = spec.stopSignal ?? image.StopSignal { c["StopSignal"] = .string(signal) }
        if let timeout = spec.stopTimeout { c["StopTimeout"] = number(timeout) }
        if let health = healthcheck(spec, image: image) { c["Healthcheck"] = health }
        return .object(c)
    }

    /// Docker's Config.Healthcheck (omitempty): the container's settings over the image's, zero
    /// durations left out as Go's omitempty leaves them.
    static func healthcheck(_ spec: ContainerSpec, image: ContainerConfig) -> JSONNode? {
        let merged = (spec.healthcheck ?? HealthConfig()).over(image.Healthcheck)
        guard let test = merged.Test, !test.isEmpty else { return nil }
        var h: [String: JSONNode] = ["Test": strings(test)]
        for (key, value) in [("Interval", merged.Interval), ("Timeout", merged.Timeout), ("StartPeriod", merged.StartPeriod),
                             ("StartInterval", merged.StartInterval)] {
            if let value, value != 0 { h[key] = .number(String(value)) }
        }
        if let retries = merged.Retries, retries != 0 { h["Retries"] = number(retries) }
        return .object(h)
    }

    /// The image's Env with `-e` overriding by name (Docker's Config.Env; HOSTNAME is not there).
    static func environment(image: [String], overrides: [String]) -> [String] {
        var result: [String] = []
        for entry in image + overrides {
            let key = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            if let index = result.firstIndex(where: { ($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) == key }) {
                result[index] = entry
            } else {
                result.append(entry)
            }
        }
        return result
    }

    /// `80/tcp` keys: the image's EXPOSE and the published ports.
    static func exposedPorts(_ spec: ContainerSpec, image: ContainerConfig) -> Set<String> {
        var ports = Set((image.ExposedPorts ?? [:]).keys.map { $0.contains("/") ? $0 : "\($0)/tcp" })
        for p in spec.ports { ports.insert("\(p.containerPort)/\(p.proto)") }
        for p in spec.exposedPorts { ports.insert(p.contains("/") ? p : "\(p)/tcp") }
        return ports
    }

    // MARK: NetworkSettings

    /// Ports and addresses: the top-level address fields are the default bridge's, as Docker's;
    /// `Ports` lists published ports (and exposed ones as null) while the container runs, `{}` else.
    static func networkSettings(_ r: ContainerRecord, running: Bool, exposed: Set<String>, engine: Engine) -> JSONNode {
        let manager = engine.networks
        var networks: [String: JSONNode] = [:]
        var primary: [String: JSONNode] = [:]
        for endpoint in (try? manager.store.endpoints(container: r.id)) ?? [] {
            guard let network = try? manager.store.network(endpoint.network) else { continue }
            // On a user network Docker (API ≤ 1.43) lists the short ID among the aliases (its hosts files
            // resolve it, as Lighter's do); compose 1.29 reconnects a container whose aliases lack it.
            let shortID = String(r.id.prefix(12))
            let aliases = network.isDefault || endpoint.aliases.contains(shortID) ? endpoint.aliases : endpoint.aliases + [shortID]
            let fields = endpointFields(networkID: network.id, endpointID: "\(network.id.prefix(16))\(r.id.prefix(16))",
                                        gateway: "\(network.gateway)", address: "\(endpoint.address)", prefix: network.subnet.prefix,
                                        mac: endpoint.mac, aliases: aliases)
            networks[endpoint.network] = .object(fields)
            if network.isDefault || primary.isEmpty { primary = fields }
        }
        if networks.isEmpty, r.spec.network == "none" || r.spec.network == "host" {
            networks[r.spec.network] = .object(endpointFields(networkID: r.spec.network, endpointID: "", gateway: "", address: "",
                                                              prefix: 0, mac: "", aliases: []))
        }
        var ports: [String: JSONNode] = [:]
        if running {
            for port in exposed { ports[port] = .null }
            var published: [String: [JSONNode]] = [:]
            for binding in (try? manager.store.ports(container: r.id)) ?? [] {
                published["\(binding.containerPort)/\(binding.proto)", default: []].append(.object([
                    "HostIp": .string(binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP), "HostPort": .string(String(binding.hostPort)),
                ]))
            }
            for (key, list) in published { ports[key] = .array(list) }
        }
        let isBridge = r.spec.network == NetworkRecord.defaultName
        return .object([
            "Bridge": .string(""),
            "SandboxID": .string(""),
            "HairpinMode": .bool(false),
            "LinkLocalIPv6Address": .string(""),
            "LinkLocalIPv6PrefixLen": number(0),
            "Ports": .object(ports),
            "SandboxKey": .string(running && r.state.pid > 0 && r.spec.network != "host" ? "/proc/\(r.state.pid)/ns/net" : ""),
            "SecondaryIPAddresses": .null,
            "SecondaryIPv6Addresses": .null,
            "EndpointID": isBridge ? primary["EndpointID"] ?? .string("") : .string(""),
            "Gateway": isBridge ? primary["Gateway"] ?? .string("") : .string(""),
            "GlobalIPv6Address": .string(""),
            "GlobalIPv6PrefixLen": number(0),
            "IPAddress": isBridge ? primary["IPAddress"] ?? .string("") : .string(""),
            "IPPrefixLen": isBridge ? primary["IPPrefixLen"] ?? number(0) : number(0),
            "IPv6Gateway": .string(""),
            "MacAddress": isBridge ? primary["MacAddress"] ?? .string("") : .string(""),
            "Networks": .object(networks),
        ])
    }

    static func endpointFields(networkID: String, endpointID: String, gateway: String, address: String, prefix: Int,
                               mac: String, aliases: [String]) -> [String: JSONNode] {
        [
            "IPAMConfig": .null,
            "Links": .null,
            "Aliases": nullIfEmpty(aliases),
            "NetworkID": .string(networkID),
            "EndpointID": .string(endpointID),
            "Gateway": .string(gateway),
            "IPAddress": .string(address),
            "IPPrefixLen": number(prefix),
            "IPv6Gateway": .string(""),
            "GlobalIPv6Address": .string(""),
            "GlobalIPv6PrefixLen": number(0),
            "MacAddress": .string(mac),
            "DriverOpts": .null,
        ]
    }

    // MARK: values

    static func number<T: BinaryInteger>(_ value: T) -> JSONNode { .number(String(value)) }
    static func strings(_ values: [String]) -> JSONNode { .array(values.map(JSONNode.string)) }
    /// A Go nil slice: `null` when empty.
    static func nullIfEmpty(_ values: [String]) -> JSONNode { values.isEmpty ? .null : strings(values) }
}
