import LighterOCI
import LighterSystem

/// `POST /containers/create`'s body (Docker's Config with HostConfig and NetworkingConfig) read into
/// the same `ContainerFlags` the CLI's `create` fills, so both validate alike. A field Lighter does not
/// support is refused by name when it holds anything but its zero value (what docker CLIs send for
/// every field they know); unknown fields are refused the same way.
struct DockerCreateRequest {
    var flags = ContainerFlags()
    var image = ""
    var command: [String] = []
    var entrypoint: [String]?
    var autoRemove = false
    /// Config.Healthcheck (compose's `healthcheck:`), as the spec keeps it; nil when absent or zero.
    var healthcheck: HealthConfig?
    /// Config.Volumes: anonymous volumes, unless a bind or mount of HostConfig has the same target
    /// (docker-py and compose send both for `vol:/data`; Docker mounts the named one only).
    private var configVolumes: [String] = []

    init(_ body: [String: JSONNode]) throws(LighterError) {
        var config = body
        let host = try Self.object(config.removeValue(forKey: "HostConfig"), "HostConfig")
        let networking = try Self.object(config.removeValue(forKey: "NetworkingConfig"), "NetworkingConfig")
        guard case let .string(image)? = config["Image"], !image.isEmpty else { throw .invalidArgument("Config.Image: an image is required") }
        self.image = image
        for (key, value) in config.sorted(by: { $0.key < $1.key }) {
            try readConfig(key, value)
        }
        for (key, value) in host.sorted(by: { $0.key < $1.key }) {
            try readHostConfig(key, value)
        }
        let targets = Set(flags.volume.map(Self.bindTarget) + flags.mount.compactMap(Self.mountTarget))
        flags.volume += configVolumes.filter { !targets.contains($0) }
        if case let .object(endpoints)? = networking["EndpointsConfig"], let (name, endpoint) = endpoints.first {
            if endpoints.count > 1 { throw .invalidArgument("NetworkingConfig.EndpointsConfig: one network at create (connect the others after)") }
            if (flags.network == nil || flags.network == "default") && name != "default" { flags.network = name }
            if case let .object(fields) = endpoint {
                flags.networkAlias += try Self.strings(fields["Aliases"], "NetworkingConfig.EndpointsConfig.\(name).Aliases")
                if case let .object(ipam)? = fields["IPAMConfig"], case let .string(ip)? = ipam["IPv4Address"], !ip.isEmpty { flags.ip = ip }
            }
        }
    }

    private mutating func readConfig(_ key: String, _ value: JSONNode) throws(LighterError) {
        let field = "Config.\(key)"
        switch key {
        case "Image", "AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce", "ArgsEscaped", "Domainname":
            if key == "Domainname", case let .string(name) = value, !name.isEmpty { flags.kernel.domainname = name }
        case "Hostname": if let v = try Self.string(value, field), !v.isEmpty { flags.hostname = v }
        case "User": if let v = try Self.string(value, field), !v.isEmpty { flags.user = v }
        case "WorkingDir": if let v = try Self.string(value, field), !v.isEmpty { flags.workdir = v }
        case "Env": flags.env = try Self.strings(value, field)
        case "Cmd": command = try Self.strings(value, field)
        case "Entrypoint":
            if value != .null { entrypoint = try Self.strings(value, field) }
        case "Tty": flags.tty = try Self.bool(value, field)
        case "OpenStdin": flags.interactive = try Self.bool(value, field)
        case "Labels": flags.label = try Self.object(value, field).sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }
        case "ExposedPorts": flags.expose = try Self.object(value, field).keys.sorted()
        case "Volumes": configVolumes = try Self.object(value, field).keys.sorted()
        case "StopSignal": if let v = try Self.string(value, field), !v.isEmpty { flags.stopSignal = v }
        case "StopTimeout": if value != .null { flags.stopTimeout = try Self.integer(value, field) }
        case "MacAddress": if let v = try Self.string(value, field), !v.isEmpty { flags.macAddress = v }
        case "Healthcheck": healthcheck = try Self.healthcheck(value)
        default: try Self.refuseUnlessZero(field, value)
        }
    }

    private mutating func readHostConfig(_ key: String, _ value: JSONNode) throws(LighterError) {
        let field = "HostConfig.\(key)"
        switch key {
        case "Binds": flags.volume += try Self.strings(value, field)
        case "NetworkMode": if let v = try Self.string(value, field), !v.isEmpty, v != "default" { flags.network = v }
        case "PortBindings":
            for (port, bindings) in try Self.object(value, field).sorted(by: { $0.key < $1.key }) {
                guard case let .array(list) = bindings, !list.isEmpty else { flags.publish.append(port); continue }
                for case let .object(binding) in list {
                    let ip = Self.text(binding["HostIp"] ?? .null), hostPort = Self.text(binding["HostPort"] ?? .null)
                    flags.publish.append(ip.isEmpty ? "\(hostPort):\(port)" : "\(ip):\(hostPort):\(port)")
                }
            }
        case "PublishAllPorts": flags.publishAll = try Self.bool(value, field)
        case "RestartPolicy":
            let policy = try Self.object(value, field)
            let name = Self.text(policy["Name"] ?? .null)
            let retries = Self.text(policy["MaximumRetryCount"] ?? .null)
            if !name.isEmpty { flags.restart = name == "on-failure" && retries != "0" && !retries.isEmpty ? "on-failure:\(retries)" : name }
        case "AutoRemove": autoRemove = try Self.bool(value, field)
        case "CapAdd": flags.capAdd = try Self.strings(value, field)
        case "CapDrop": flags.capDrop = try Self.strings(value, field)
        case "Dns": flags.dns = try Self.strings(value, field)
        case "DnsOptions": flags.dnsOption = try Self.strings(value, field)
        case "DnsSearch": flags.dnsSearch = try Self.strings(value, field)
        case "ExtraHosts": flags.addHost = try Self.strings(value, field)
        case "Privileged": flags.privileged = try Self.bool(value, field)
        case "ReadonlyRootfs": flags.readOnly = try Self.bool(value, field)
        case "SecurityOpt": flags.securityOpt = try Self.strings(value, field)
        case "Init": if value != .null { flags.`init` = try Self.bool(value, field) }
        case "Tmpfs": flags.tmpfs = try Self.object(value, field).sorted { $0.key < $1.key }.map { Self.text($0.value).isEmpty ? $0.key : "\($0.key):\(Self.text($0.value))" }
        case "Memory": if let n = try Self.nonZero(value, field) { flags.memory = String(n) }
        case "MemorySwap": if let n = try Self.nonZero(value, field) { flags.memorySwap = String(n) }
        case "NanoCpus": if let n = try Self.nonZero(value, field) { flags.cpus = String(Double(n) / 1e9) }
        case "CpuShares": if let n = try Self.nonZero(value, field) { flags.cpuShares = n }
        case "CpusetCpus": if let v = try Self.string(value, field), !v.isEmpty { flags.cpusetCpus = v }
        case "PidsLimit": if let n = try Self.nonZero(value, field) { flags.pidsLimit = n }
        case "CgroupParent": if let v = try Self.string(value, field), !v.isEmpty { flags.cgroupParent = v }
        case "VolumesFrom": flags.volumesFrom = try Self.strings(value, field)
        case "Sysctls": flags.kernel.sysctl = try Self.object(value, field).sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }
        case "ShmSize": if let n = try Self.nonZero(value, field) { flags.kernel.shmSize = String(n) }
        case "OomScoreAdj": if let n = try Self.nonZero(value, field) { flags.kernel.oomScoreAdj = String(n) }
        case "PidMode": if let v = try Self.string(value, field), !v.isEmpty { flags.kernel.pid = v }
        case "IpcMode": if let v = try Self.string(value, field), !v.isEmpty, v != "private" { flags.kernel.ipc = v }
        case "UTSMode": if let v = try Self.string(value, field), !v.isEmpty { flags.kernel.uts = v }
        case "CgroupnsMode": if let v = try Self.string(value, field), !v.isEmpty { flags.kernel.cgroupns = v }
        case "GroupAdd": flags.kernel.groupAdd = try Self.strings(value, field)
        case "Devices":   // compose's `devices:`, as the CLI's --device HOST:CONTAINER:PERMS
            guard case let .array(list) = value else { if value == .null { break }; throw .invalidArgument("\(field): expected an array") }
            for case let .object(device) in list {
                let host = Self.text(device["PathOnHost"] ?? .null), inside = Self.text(device["PathInContainer"] ?? .null)
                let permissions = Self.text(device["CgroupPermissions"] ?? .null)
                flags.kernel.device.append("\(host):\(inside.isEmpty ? host : inside):\(permissions.isEmpty ? "rwm" : permissions)")
            }
        case "DeviceCgroupRules": flags.kernel.deviceCgroupRule = try Self.strings(value, field)
        case "CpuPeriod": if let n = try Self.nonZero(value, field) { flags.kernel.cpuPeriod = String(n) }
        case "CpuQuota": if let n = try Self.nonZero(value, field) { flags.kernel.cpuQuota = String(n) }
        case "CpusetMems": if let v = try Self.string(value, field), !v.isEmpty { flags.kernel.cpusetMems = v }
        case "MemoryReservation": if let n = try Self.nonZero(value, field) { flags.kernel.memoryReservation = String(n) }
        case "BlkioWeight": if let n = try Self.nonZero(value, field) { flags.kernel.blkioWeight = String(n) }
        case "Ulimits":
            guard case let .array(list) = value else { if value == .null { break }; throw .invalidArgument("\(field): expected an array") }
            for case let .object(limit) in list {
                flags.ulimit.append("\(Self.text(limit["Name"] ?? .null))=\(Self.text(limit["Soft"] ?? .null)):\(Self.text(limit["Hard"] ?? .null))")
            }
        case "Mounts":
            guard case let .array(list) = value else { if value == .null { break }; throw .invalidArgument("\(field): expected an array") }
            for case let .object(mount) in list {
                for key in mount.keys where !["Type", "Source", "Target", "ReadOnly", "Consistency", "TmpfsOptions"].contains(key) {
                    try Self.refuseUnlessZero("\(field).\(key)", mount[key]!)
                }
                var text = "type=\(Self.text(mount["Type"] ?? .null)),target=\(Self.text(mount["Target"] ?? .null))"
                let source = Self.text(mount["Source"] ?? .null)
                if !source.isEmpty { text += ",source=\(source)" }
                if mount["ReadOnly"] == .bool(true) { text += ",readonly" }
                // compose's `tmpfs: {size: …}`: SizeBytes, and Mode as a number (the CLI's tmpfs-mode is octal).
                let tmpfs = try Self.object(mount["TmpfsOptions"], "\(field).TmpfsOptions")
                for key in tmpfs.keys.sorted() where !["SizeBytes", "Mode"].contains(key) {
                    try Self.refuseUnlessZero("\(field).TmpfsOptions.\(key)", tmpfs[key]!)
                }
                if let size = try tmpfs["SizeBytes"].flatMap({ (v) throws(LighterError) in try Self.nonZero(v, "\(field).TmpfsOptions.SizeBytes") }) {
                    text += ",tmpfs-size=\(size)"
                }
                if let mode = try tmpfs["Mode"].flatMap({ (v) throws(LighterError) in try Self.nonZero(v, "\(field).TmpfsOptions.Mode") }) {
                    text += ",tmpfs-mode=\(String(mode, radix: 8))"
                }
                flags.mount.append(text)
            }
        case "LogConfig":
            let log = try Self.object(value, field)
            let type = Self.text(log["Type"] ?? .null)
            if !type.isEmpty { flags.logDriver = type }
            flags.logOpt = try Self.object(log["Config"] ?? .null, "\(field).Config").sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.text($0.value))" }
        case "Links": flags.link = try Self.strings(value, field)   // "name:alias", as the CLI's --link
        case "ConsoleSize":
            // [rows, columns] of the terminal from its start; [0, 0] (or null) when the client has none.
            guard value != .null else { break }
            guard case let .array(size) = value, size.count == 2 else { throw .invalidArgument("\(field): expected [rows, columns]") }
            let rows = try Self.integer(size[0], field), columns = try Self.integer(size[1], field)
            guard (0...65535).contains(rows), (0...65535).contains(columns) else { throw .invalidArgument("\(field): rows and columns from 0 to 65535") }
            if rows != 0 || columns != 0 { flags.consoleSize = [Int(rows), Int(columns)] }
        case "ContainerIDFile", "Isolation", "MemorySwappiness", "OomKillDisable", "Runtime":
            // Zero values only (what every docker CLI sends); anything else names the field below.
            if key == "MemorySwappiness", value == .number("-1") { break }   // the CLI's "unset"
            if key == "Runtime", case let .string(name) = value, name.isEmpty || name == "runc" || name == "lighter" { break }
            try Self.refuseUnlessZero(field, value)
        default: try Self.refuseUnlessZero(field, value)
        }
    }

    /// Docker's HealthConfig: Test `[]` (the image's), `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", command]`;
    /// durations in nanoseconds, 0 (the default) or at least 1 ms, as dockerd checks them.
    static func healthcheck(_ value: JSONNode) throws(LighterError) -> HealthConfig? {
        let fields = try object(value, "Config.Healthcheck")
        if fields.values.allSatisfy(isZero) { return nil }
        let test = try strings(fields["Test"], "Config.Healthcheck.Test")
        if let kind = test.first, !["NONE", "CMD", "CMD-SHELL"].contains(kind) || (kind != "NONE" && test.count < 2) {
            throw .invalidArgument("Config.Healthcheck.Test: expected [\"NONE\"], [\"CMD\", args…] or [\"CMD-SHELL\", command], found \(test)")
        }
        var durations: [Int64] = []
        for key in ["Interval", "Timeout", "StartPeriod", "StartInterval"] {
            let n = try fields[key].map { (v) throws(LighterError) in v == .null ? 0 : try integer(v, "Config.Healthcheck.\(key)") } ?? 0
            if n < 0 || (n > 0 && n < 1_000_000) { throw .invalidArgument("Config.Healthcheck.\(key) in Healthcheck cannot be less than 1ms") }
            durations.append(n)
        }
        let retries = try fields["Retries"].map { (v) throws(LighterError) in v == .null ? 0 : try integer(v, "Config.Healthcheck.Retries") } ?? 0
        if retries < 0 { throw .invalidArgument("Config.Healthcheck.Retries cannot be negative") }
        for key in fields.keys where !["Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"].contains(key) {
            try refuseUnlessZero("Config.Healthcheck.\(key)", fields[key]!)
        }
        return HealthConfig(Test: test.isEmpty ? nil : test, Interval: durations[0], Timeout: durations[1], StartPeriod: durations[2],
                            StartInterval: durations[3], Retries: Int(retries))
    }

    /// The container path of a `-v` text: `DEST`, `SRC:DEST` or `SRC:DEST:OPTIONS`.
    static func bindTarget(_ text: String) -> String {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return String(parts.count >= 2 ? parts[1] : parts[0])
    }

    /// The `target=` of a `--mount` text this reader wrote.
    static func mountTarget(_ text: String) -> String? {
        text.split(separator: ",").first { $0.hasPrefix("target=") }.map { String($0.dropFirst("target=".count)) }
    }

    // MARK: Reading values

    static func refuseUnlessZero(_ field: String, _ value: JSONNode) throws(LighterError) {
        guard isZero(value) else { throw .invalidArgument("\(field) is not supported by Lighter (it was set to \(String(decoding: value.serialized(), as: UTF8.self)))") }
    }

    static func isZero(_ value: JSONNode) -> Bool {
        switch value {
        case .null: return true
        case let .bool(b): return !b
        case let .number(n): return Double(n) == 0
        case let .string(s): return s.isEmpty
        case let .array(a): return a.isEmpty
        case let .object(o): return o.values.allSatisfy(isZero)
        }
    }

    static func object(_ value: JSONNode?, _ field: String) throws(LighterError) -> [String: JSONNode] {
        switch value {
        case nil, .null?: return [:]
        case let .object(fields)?: return fields
        case let other?: throw .invalidArgument("\(field): expected an object, found \(other.kind)")
        }
    }

    static func strings(_ value: JSONNode?, _ field: String) throws(LighterError) -> [String] {
        switch value {
        case nil, .null?: return []
        case let .string(s)?: return [s]
        case let .array(items)?:
            var result: [String] = []
            for item in items {
                guard case let .string(s) = item else { throw .invalidArgument("\(field): expected strings, found \(item.kind)") }
                result.append(s)
            }
            return result
        case let other?: throw .invalidArgument("\(field): expected an array of strings, found \(other.kind)")
        }
    }

    static func string(_ value: JSONNode, _ field: String) throws(LighterError) -> String? {
        switch value {
        case .null: return nil
        case let .string(s): return s
        default: throw .invalidArgument("\(field): expected a string, found \(value.kind)")
        }
    }

    static func bool(_ value: JSONNode, _ field: String) throws(LighterError) -> Bool {
        switch value {
        case .null: return false
        case let .bool(b): return b
        default: throw .invalidArgument("\(field): expected a boolean, found \(value.kind)")
        }
    }

    static func integer(_ value: JSONNode, _ field: String) throws(LighterError) -> Int64 {
        guard case let .number(text) = value, let n = Int64(text) else { throw .invalidArgument("\(field): expected an integer, found \(value.kind)") }
        return n
    }

    static func nonZero(_ value: JSONNode, _ field: String) throws(LighterError) -> Int64? {
        if value == .null { return nil }
        let n = try integer(value, field)
        return n == 0 ? nil : n
    }

    /// A scalar as text (labels, log options, port numbers sent as numbers or strings).
    static func text(_ value: JSONNode) -> String {
        switch value {
        case let .string(s): return s
        case let .number(n): return n
        case let .bool(b): return b ? "true" : "false"
        default: return ""
        }
    }
}
