import LighterEngine
import LighterNetwork
import LighterOCI
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The values of the flags `run` and `create` share (declared once in ContainerOption+Table.swift,
/// read by ContainerCommandLine), and the container spec they make.
struct ContainerFlags: Equatable, Sendable {
    var name: String? = nil
    var env: [String] = []
    var envFile: [String] = []
    var workdir: String? = nil
    var user: String? = nil
    var entrypoint: String? = nil
    var hostname: String? = nil
    var tty = false
    /// The API's `ConsoleSize` ([rows, columns]; the daemon's create only).
    var consoleSize: [Int]?
    var interactive = false
    var volume: [String] = []
    var tmpfs: [String] = []
    var memory: String? = nil
    var memorySwap: String? = nil
    var cpus: String? = nil
    var cpuShares: Int64? = nil
    var cpusetCpus: String? = nil
    var pidsLimit: Int64? = nil
    var capAdd: [String] = []
    var capDrop: [String] = []
    var privileged = false
    var readOnly = false
    var securityOpt: [String] = []
    var network: String? = nil
    var publish: [String] = []
    var publishAll = false
    var dns: [String] = []
    var addHost: [String] = []
    var ip: String? = nil
    var macAddress: String? = nil
    var networkAlias: [String] = []
    var restart: String = "no"
    var logOpt: [String] = []
    var ulimit: [String] = []
    var stopSignal: String? = nil
    var stopTimeout: Int64? = nil
    var cgroupParent: String? = nil
    var `init` = false
    var platform: String? = nil
    var userns: String? = nil
    var usernsRemap: String? = nil
    var label: [String] = []
    var labelFile: [String] = []
    var mount: [String] = []
    var pull = "missing"
    var quiet = false
    var expose: [String] = []
    var cidfile: String? = nil
    var dnsOption: [String] = []
    var dnsSearch: [String] = []
    var link: [String] = []
    var ip6: String? = nil
    var linkLocalIp: [String] = []
    var logDriver: String? = nil
    var attach: [String] = []
    var detachKeys: String? = nil
    var sigProxy = true
    var volumesFrom: [String] = []
    var volumeDriver: String? = nil
    var storageOpt: [String] = []
    var runtime: String? = nil
    var isolation: String? = nil
    var disableContentTrust = true
    var gpus: String? = nil
    /// Resource, device and namespace flags: raw values, validated and applied in ContainerFlags+Resources.swift.
    var kernel = KernelFlags()
    /// `--health-*`, `--no-healthcheck` (ContainerFlags+Health.swift).
    var health = HealthFlags()

    /// Validate every flag and build the container spec (bad values are errors, never ignored).
    func spec(image: String, command: [String], autoRemove: Bool) throws(LighterError) -> ContainerSpec {
        var spec = ContainerSpec(image: image, imageID: try Digest(hex: String(repeating: "0", count: 64)))
        spec.command = command
        spec.entrypoint = entrypoint.map { $0.isEmpty ? [] : [$0] }
        for file in envFile { spec.env += try Self.environmentFile(file) }
        for entry in env { if let value = try Self.environmentEntry(entry) { spec.env.append(value) } }
        try Self.checkArgumentSize(env: spec.env, command: command + (entrypoint.map { [$0] } ?? []))
        if let workdir {
            guard workdir.hasPrefix("/") else { throw .invalidArgument("-w \(workdir): the working directory must be an absolute path") }
            spec.workingDir = workdir
        }
        spec.user = user
        spec.hostname = hostname
        if let hostname, hostname.isEmpty || hostname.count > 64 { throw .invalidArgument("--hostname \"\(hostname)\": 1 to 64 characters") }
        spec.tty = tty
        if consoleSize != nil && !tty { throw .invalidArgument("ConsoleSize needs a terminal: create the container with Tty") }
        spec.consoleSize = consoleSize
        spec.interactive = interactive
        spec.binds = try volume.map { (v) throws(LighterError) -> BindMount in try BindMount(parsing: v) }
        for entry in tmpfs {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts[0].hasPrefix("/") else { throw .invalidArgument("--tmpfs \(entry): the path must be absolute") }
            spec.tmpfs[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        try applyMetadata(to: &spec)
        spec.resources = try resources()
        spec.capAdd = capAdd
        spec.capDrop = capDrop
        spec.privileged = privileged
        spec.readOnly = readOnly
        for option in securityOpt {
            if option == "no-new-privileges" || option == "no-new-privileges:true" || option == "no-new-privileges=true" {
                spec.noNewPrivileges = true
            } else if option.hasPrefix("seccomp=") || option.hasPrefix("seccomp:") {
                let value = String(option.dropFirst("seccomp=".count))
                if value == "unconfined" {
                    spec.seccompProfile = "unconfined"
                } else {
                    guard let text = try? FileSystem.readString(value) else {
                        throw .invalidArgument("--security-opt seccomp=\(value): cannot read the profile file")
                    }
                    spec.seccompProfile = text
                }
            } else {
                throw .invalidArgument("--security-opt \(option): supported are seccomp=unconfined|FILE and no-new-privileges")
            }
        }
        let network = network ?? Self.defaultNetwork
        guard !network.isEmpty, network != "container:" else {
            throw .unsupported(feature: "--network \(network)", fix: "use bridge, none, host, container:NAME or a network made with `lighter network create`")
        }
        // Docker's conflicts: a container in another's network namespace has that one's names and DNS.
        if network.hasPrefix("container:") && (hostname != nil || !dns.isEmpty || !addHost.isEmpty || !dnsSearch.isEmpty || !dnsOption.isEmpty) {
            throw .invalidArgument("conflicting options: --hostname, --dns and --add-host cannot be used with --network \(network)")
        }
        spec.network = network == "default" ? "bridge" : network
        spec.ports = []
        for text in publish { spec.ports += try PortBinding.parse(text) }
        spec.publishAll = publishAll
        if !spec.usesBridge && (!spec.ports.isEmpty || publishAll) {
            throw .invalidArgument("conflicting options: port publishing and --network \(network)")
        }
        for server in dns where IPv4Address(server) == nil && !server.contains(":") {
            throw .invalidArgument("--dns \(server) is not an IP address")
        }
        spec.dns = dns
        for entry in addHost {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, IPv4Address(parts[1]) != nil || parts[1].contains(":") || parts[1] == "host-gateway" else {
                throw .invalidArgument("--add-host \(entry): expected NAME:IP")
            }
            spec.extraHosts.append(entry)
        }
        if (ip != nil || macAddress != nil || !networkAlias.isEmpty) && !spec.usesBridge {
            throw .invalidArgument("--ip, --mac-address and --network-alias need a bridge network (not --network \(network))")
        }
        spec.ipAddress = ip
        spec.macAddress = macAddress
        spec.networkAliases = networkAlias
        spec.restart = try RestartPolicy(parsing: restart)
        if autoRemove && spec.restart != .no {
            throw .invalidArgument("conflicting options: cannot specify both --restart and --rm")
        }
        spec.log = try LogOptions(parsing: logOpt)
        if let logDriver { spec.log.driver = logDriver }
        spec.autoRemove = autoRemove
        spec.ulimits = try ulimit.map { (u) throws(LighterError) -> Ulimit in try Ulimit(parsing: u) }
        spec.stopSignal = stopSignal
        spec.initProcess = `init`
        spec.stopTimeout = stopTimeout.map { Int($0) }
        if let platform { spec.platform = try Platform(parsing: platform) }
        spec.userNamespace = try userNamespace(network: spec.network)
        if let cgroupParent {
            let parts = cgroupParent.split(separator: "/")
            guard !parts.isEmpty, !parts.contains(".."), parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || "_.-".contains($0) } }) else {
                throw .invalidArgument("--cgroup-parent \(cgroupParent): expected a path such as /lighter or /boards/app")
            }
            spec.cgroupParent = "/" + parts.joined(separator: "/")
        }
        try kernel.apply(to: &spec)
        try health.apply(to: &spec)
        return spec
    }

    /// `--userns host` (no user namespace) or `--userns-remap default|UID:GID:SIZE`.
    private func userNamespace(network: String) throws(LighterError) -> UserNamespaceRemap? {
        if let userns, userns != "host" {
            throw .invalidArgument("--userns \(userns): the only mode is host (no user namespace); use --userns-remap to remap ids")
        }
        guard let usernsRemap else { return nil }
        if userns != nil { throw .invalidArgument("conflicting options: --userns host and --userns-remap \(usernsRemap)") }
        if privileged { throw .invalidArgument("conflicting options: --privileged and --userns-remap (privileged containers need --userns host)") }
        if network == "host" { throw .invalidArgument("conflicting options: --network host and --userns-remap (the host's network needs --userns host)") }
        return try UserNamespaceRemap(parsing: usernsRemap, subuid: Self.environment("LIGHTER_SUBUID") ?? "/etc/subuid",
                                      subgid: Self.environment("LIGHTER_SUBGID") ?? "/etc/subgid")
    }

    private func resources() throws(LighterError) -> ResourceLimits {
        var limits = ResourceLimits()
        if let memory {
            let bytes = try ByteSize.parse(memory, flag: "--memory")
            guard bytes >= 6 * 1024 * 1024 else { throw .invalidArgument("--memory \(memory): minimum memory limit allowed is 6MB") }
            limits.memory = bytes
        }
        if let memorySwap {
            if memorySwap == "-1" {
                limits.memorySwap = -1
            } else {
                let bytes = try ByteSize.parse(memorySwap, flag: "--memory-swap")
                guard let memory = limits.memory else { throw .invalidArgument("--memory-swap needs --memory as well") }
                guard bytes >= memory else { throw .invalidArgument("--memory-swap \(memorySwap): must be at least the --memory limit") }
                limits.memorySwap = bytes
            }
        }
        if let cpus {
            let available = Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            guard let value = Double(cpus), value >= 0.01, value <= available else {
                throw .invalidArgument("--cpus \(cpus): range of CPUs is from 0.01 to \(Int(available)).00, as there are only \(Int(available)) CPUs available")
            }
            limits.cpuPeriod = 100_000
            limits.nanoCpus = Int64(value * 1_000_000_000)
            limits.cpuQuota = Int64(value * 100_000)
        }
        if let cpuShares {
            guard cpuShares >= 2 else { throw .invalidArgument("--cpu-shares \(cpuShares): the minimum is 2") }
            limits.cpuShares = UInt64(cpuShares)
        }
        if let cpusetCpus {
            guard cpusetCpus.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }), !cpusetCpus.isEmpty else {
                throw .invalidArgument("--cpuset-cpus \(cpusetCpus): expected a list such as 0-2 or 0,1")
            }
            try Self.checkCPUsAvailable(cpusetCpus)
            limits.cpusetCpus = cpusetCpus
        }
        if let pidsLimit, pidsLimit > 0 { limits.pidsLimit = pidsLimit }
        return limits
    }

    /// `--env-file FILE` (run, create, exec): one `KEY=VALUE` or `KEY` a line; blank lines and `#` comments skipped.
    static func environmentFile(_ file: String) throws(LighterError) -> [String] {
        guard let text = try? FileSystem.readString(file) else { throw .invalidArgument("--env-file \(file): cannot read the file") }
        var entries: [String] = []
        for line in text.split(separator: "\n") {
            let entry = line.trimmed
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            do {
                if let value = try environmentEntry(entry) { entries.append(value) }
            } catch {
                throw .invalidArgument("--env-file \(file): invalid environment variable: \(entry)")
            }
        }
        return entries
    }

    /// `KEY=VALUE`, or `KEY` to take the value from this process's environment (dropped if unset).
    static func environmentEntry(_ entry: String) throws(LighterError) -> String? {
        guard let first = entry.first, first != "=" else { throw .invalidArgument("invalid environment variable: \(entry)") }
        if entry.contains("=") { return entry }
        return getenv(entry).map { "\(entry)=\(String(cString: $0))" }
    }
}

extension ContainerFlags {
    /// A non-empty environment variable of this process.
    static func environment(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    /// `bridge`, unless LIGHTER_DEFAULT_NETWORK names another (e.g. `none` on hosts without nftables).
    static var defaultNetwork: String {
        guard let raw = getenv("LIGHTER_DEFAULT_NETWORK") else { return "bridge" }
        let value = String(cString: raw)
        return value.isEmpty ? "bridge" : value
    }
}
