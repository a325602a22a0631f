import ArgumentParser
import LighterEngine
import LighterNetwork
import LighterOCI
import LighterSystem

#if canImport(Glibc)
import Glibc
#endif

/// The flags `run` and `create` share, with Docker's names.
struct ContainerCreateOptions: ParsableArguments {
    @Option(name: .long, help: "Assign a name to the container.") var name: String?
    @Option(name: [.customShort("e"), .long], help: "Set environment variables (KEY=VALUE, or KEY to pass the host's value).") var env: [String] = []
    @Option(name: .long, help: "Read in a file of environment variables.") var envFile: [String] = []
    @Option(name: [.customShort("w"), .long], help: "Working directory inside the container.") var workdir: String?
    @Option(name: [.customShort("u"), .long], help: "Username or UID (format: <name|uid>[:<group|gid>]).") var user: String?
    @Option(name: .long, help: "Overwrite the default ENTRYPOINT of the image.") var entrypoint: String?
    @Option(name: [.customShort("h"), .long], help: "Container host name.") var hostname: String?
    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-TTY.") var tty = false
    @Flag(name: [.customShort("i"), .long], help: "Keep STDIN open.") var interactive = false
    @Option(name: [.customShort("v"), .long], help: "Bind mount a volume (/host:/container[:ro]).") var volume: [String] = []
    @Option(name: .long, help: "Mount a tmpfs directory (PATH[:OPTIONS]).") var tmpfs: [String] = []
    @Option(name: [.customShort("m"), .long], help: "Memory limit (e.g. 32m).") var memory: String?
    @Option(name: .long, help: "Memory plus swap limit; -1 for unlimited swap.") var memorySwap: String?
    @Option(name: .long, help: "Number of CPUs (e.g. 1.5).") var cpus: String?
    @Option(name: [.customShort("c"), .long], help: "CPU shares (relative weight).") var cpuShares: UInt64?
    @Option(name: .long, help: "CPUs in which to allow execution (0-3, 0,1).") var cpusetCpus: String?
    @Option(name: .long, help: "Tune container pids limit (-1 for unlimited).") var pidsLimit: Int64?
    @Option(name: .long, help: "Add Linux capabilities.") var capAdd: [String] = []
    @Option(name: .long, help: "Drop Linux capabilities.") var capDrop: [String] = []
    @Flag(name: .long, help: "Give extended privileges to this container.") var privileged = false
    @Flag(name: .long, help: "Mount the container's root filesystem as read only.") var readOnly = false
    @Option(name: .long, help: "Security options: seccomp=unconfined|PROFILE.json, no-new-privileges.") var securityOpt: [String] = []
    @Option(name: .long, help: "Connect a container to a network: bridge (default; LIGHTER_DEFAULT_NETWORK overrides), none, host, or a network's name.") var network: String?
    @Option(name: [.customShort("p"), .long], help: "Publish a container's port(s) to the host ([ip:][hostPort:]containerPort[/tcp|udp], ranges allowed).") var publish: [String] = []
    @Flag(name: [.customShort("P"), .long], help: "Publish all exposed ports to free host ports.") var publishAll = false
    @Option(name: .long, help: "Set custom DNS servers.") var dns: [String] = []
    @Option(name: .long, help: "Add a custom host-to-IP mapping (host:ip).") var addHost: [String] = []
    @Option(name: .long, help: "IPv4 address on a user-defined network.") var ip: String?
    @Option(name: .long, help: "Container MAC address (e.g. 02:42:ac:11:00:02).") var macAddress: String?
    @Option(name: .long, help: "Add a network-scoped alias for the container.") var networkAlias: [String] = []
    @Option(name: .long, help: "Restart policy: no, on-failure[:max-retries], always, unless-stopped.") var restart: String = "no"
    @Option(name: .long, help: "Log driver options: max-size (default 10m), max-file (default 3).") var logOpt: [String] = []
    @Option(name: .long, help: "Ulimit options (NAME=SOFT[:HARD]).") var ulimit: [String] = []
    @Option(name: .long, help: "Signal to stop the container.") var stopSignal: String?
    @Option(name: .long, help: "Timeout (in seconds) to stop a container.") var stopTimeout: Int?
    @Option(name: .long, help: "Parent cgroup for the container (default /lighter).") var cgroupParent: String?
    @Flag(name: .long, help: "Run an init inside the container that forwards signals and reaps processes.") var `init` = false
    @Option(name: .long, help: "Set platform if the image is multi-platform (checked against the image).") var platform: String?
    @Option(name: .long, help: "User namespace: host (no user namespace, the default).") var userns: String?
    @Option(name: .long, help: "Run in a user namespace whose root is an unprivileged host id: default (the lighter ranges of /etc/subuid and /etc/subgid, added if missing) or UID:GID:SIZE.") var usernsRemap: String?

    /// Validate every flag and build the container spec (bad values are errors, never ignored).
    func spec(image: String, command: [String], autoRemove: Bool) throws(LighterError) -> ContainerSpec {
        var spec = ContainerSpec(image: image, imageID: try Digest(hex: String(repeating: "0", count: 64)))
        spec.command = command
        spec.entrypoint = entrypoint.map { $0.isEmpty ? [] : [$0] }
        for file in envFile { spec.env += try Self.environmentFile(file) }
        for entry in env { if let value = try Self.environmentEntry(entry) { spec.env.append(value) } }
        if let workdir {
            guard workdir.hasPrefix("/") else { throw .invalidArgument("-w \(workdir): the working directory must be an absolute path") }
            spec.workingDir = workdir
        }
        spec.user = user
        spec.hostname = hostname
        if let hostname, hostname.isEmpty || hostname.count > 64 { throw .invalidArgument("--hostname \"\(hostname)\": 1 to 64 characters") }
        spec.tty = tty
        spec.interactive = interactive
        spec.binds = try volume.map { (v) throws(LighterError) -> BindMount in try BindMount(parsing: v) }
        for entry in tmpfs {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts[0].hasPrefix("/") else { throw .invalidArgument("--tmpfs \(entry): the path must be absolute") }
            spec.tmpfs[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
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
        guard !network.isEmpty, !network.hasPrefix("container:") else {
            throw .unsupported(feature: "--network \(network)", fix: "use bridge, none, host or a network made with `lighter network create`")
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
        spec.autoRemove = autoRemove
        spec.ulimits = try ulimit.map { (u) throws(LighterError) -> Ulimit in try Ulimit(parsing: u) }
        spec.stopSignal = stopSignal
        spec.initProcess = `init`
        spec.stopTimeout = stopTimeout
        if let platform { spec.platform = try Platform(parsing: platform) }
        spec.userNamespace = try userNamespace(network: spec.network)
        if let cgroupParent {
            let parts = cgroupParent.split(separator: "/")
            guard !parts.isEmpty, !parts.contains(".."), parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || "_.-".contains($0) } }) else {
                throw .invalidArgument("--cgroup-parent \(cgroupParent): expected a path such as /lighter or /boards/app")
            }
            spec.cgroupParent = "/" + parts.joined(separator: "/")
        }
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
            limits.cpuQuota = Int64(value * 100_000)
        }
        if let cpuShares {
            guard cpuShares >= 2 else { throw .invalidArgument("--cpu-shares \(cpuShares): the minimum is 2") }
            limits.cpuShares = cpuShares
        }
        if let cpusetCpus {
            guard cpusetCpus.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }), !cpusetCpus.isEmpty else {
                throw .invalidArgument("--cpuset-cpus \(cpusetCpus): expected a list such as 0-2 or 0,1")
            }
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

extension ContainerCreateOptions {
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
