#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterEngine
import LighterHost
import LighterOCI
import LighterStore
import LighterSystem

/// `info` / `system info`: Docker's layout (Client and Server sections) with Lighter's host facts
/// (cgroup controllers, firewall, emulation handlers); `--format` over Docker's JSON keys.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Display system-wide information: containers, images, storage, cgroups, security options and emulation handlers."
    )

    @Option(name: .long, help: "Data root (default: $LIGHTER_ROOT, else /var/lib/lighter).")
    var root: String?

    @Option(name: [.customShort("f"), .long], help: "Format output: 'json', or a Go-style template over Docker's keys such as '{{.Containers}}' or '{{json .}}'.")
    var format: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let dataRoot = DataRoot.resolve(option: root)
            let scratch = FileSystem.isDirectory(dataRoot) ? dataRoot : "/tmp"
            let host = HostInfo(facts: HostFacts.probe(scratch: scratch), dataRoot: dataRoot)
            let report = try SystemInfo(host: host)
            switch format {
            case nil, "", "text":
                Console.out(String(report.text.dropLast()))
                for warning in report.Warnings { Console.error("WARNING: \(warning)") }
            case "json":
                Console.out(String(decoding: try JSON.encode(report), as: UTF8.self))
            case let template?:
                // Docker's info is a typed struct: a field it does not have is an error, not <no value>.
                Console.out(try JSONTemplate.render(template, value: try JSON.encode(report), missingKeyIsError: true))
            }
        }
    }
}

/// `info`'s document, with Docker's keys (`SystemInfo` of the Engine API) and Lighter's own facts after them.
struct SystemInfo: Codable {
    struct PluginsSection: Codable { var Volume: [String]; var Network: [String]; var Authorization: [String]?; var Log: [String] }
    struct RuntimeEntry: Codable { var path: String }
    struct ClientSection: Codable { var Version: String; var Context: String; var Debug: Bool; var Plugins: [String] = []; var Warnings: [String] = [] }
    struct CommitEntry: Codable { var ID: String; var Expected: String }
    struct SwarmSection: Codable {
        var NodeID = "", NodeAddr = "", LocalNodeState = "inactive", Error = ""
        var ControlAvailable = false
        var RemoteManagers: [String] = []
    }
    struct IndexEntry: Codable { var Name: String; var Mirrors: [String]; var Secure: Bool; var Official: Bool }
    /// Docker's defaults: the loopback range insecure, Docker Hub the official index.
    struct RegistrySection: Codable {
        var AllowNondistributableArtifactsCIDRs: [String] = []
        var AllowNondistributableArtifactsHostnames: [String] = []
        var InsecureRegistryCIDRs = ["127.0.0.0/8"]
        var IndexConfigs = ["docker.io": IndexEntry(Name: "docker.io", Mirrors: [], Secure: true, Official: true)]
        var Mirrors: [String] = []
    }
    var ID = ""
    var Containers = 0
    var ContainersRunning = 0
    var ContainersPaused = 0
    var ContainersStopped = 0
    var Images = 0
    var Driver = "overlayfs"
    var DriverStatus: [[String]] = []
    var Plugins = PluginsSection(Volume: ["local"], Network: ["bridge", "host", "none"], Authorization: nil, Log: ["json-file"])
    var MemoryLimit = false
    var SwapLimit = false
    var CpuCfsPeriod = false
    var CpuCfsQuota = false
    var CPUShares = false
    var CPUSet = false
    var PidsLimit = false
    var IPv4Forwarding = false
    var Debug = false
    var OomKillDisable = false
    var SystemTime = ""
    var LoggingDriver = "json-file"
    var CgroupDriver = "cgroupfs"
    var CgroupVersion = ""
    var KernelVersion = ""
    var OperatingSystem = ""
    var OSType = "linux"
    var Architecture = ""
    var IndexServerAddress = "https://index.docker.io/v1/"
    var NCPU = 0
    var MemTotal: Int64 = 0
    var DockerRootDir = ""
    var Name = ""
    var Labels: [String] = []
    var ExperimentalBuild = false
    var ServerVersion = LighterVersion.version
    var Runtimes: [String: RuntimeEntry] = [:]
    var DefaultRuntime = "lighter"
    var LiveRestoreEnabled = false
    var InitBinary = "lighter-init"
    var SecurityOptions: [String] = []
    var Warnings: [String] = []
    var ClientInfo = ClientSection(Version: LighterVersion.version, Context: "default", Debug: false)
    // The rest of Docker 20.10's keys, so that a template naming one prints a value (Docker's typed
    // struct has them all; Lighter has no swarm, cluster store, containerd or proxies of a daemon).
    var SystemStatus: [[String]] = []
    var KernelMemory = false
    var KernelMemoryTCP = false
    var BridgeNfIptables = false
    var BridgeNfIp6tables = false
    var NFd = 0
    var NGoroutines = 1
    var NEventsListener = 0
    var OSVersion = ""
    var RegistryConfig = RegistrySection()
    var GenericResources: [String] = []
    var HttpProxy = ""
    var HttpsProxy = ""
    var NoProxy = ""
    var ClusterStore = ""
    var ClusterAdvertise = ""
    var Swarm = SwarmSection()
    var Isolation = ""
    var ContainerdCommit = CommitEntry(ID: "N/A", Expected: "N/A")
    var RuncCommit = CommitEntry(ID: "N/A", Expected: "N/A")
    var InitCommit = CommitEntry(ID: "N/A", Expected: "N/A")
    var ProductLicense = ""
    var DefaultAddressPools: [String] = []
    // Lighter's facts beyond Docker's keys.
    var CgroupControllers: [String] = []
    var Firewall = ""
    var EmulationHandlers: [String] = []
    var BinfmtMounted = false
    var KernelModulesLoadable = false

    init(host: HostInfo) throws(LighterError) {
        // Counted only when the data root exists: `info` never creates it.
        if host.dataRootExists {
            let engine = try Engine(root: host.dataRoot)
            for id in try engine.allIDs() {
                guard let record = try? engine.inspect(id) else { continue }
                Containers += 1
                switch record.state.status {
                case .running, .restarting: ContainersRunning += 1
                case .paused: ContainersPaused += 1
                default: ContainersStopped += 1
                }
            }
            Images = try engine.images.images().count
        }
        DriverStatus = [["Backing Filesystem", host.backingFilesystem], ["Supports d_type", "true"]]
        let controllers = Set(host.cgroupControllers)
        MemoryLimit = controllers.contains("memory")
        SwapLimit = FileSystem.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") || (host.cgroupMode == .v2 && MemoryLimit)
        CpuCfsPeriod = controllers.contains("cpu")
        CpuCfsQuota = CpuCfsPeriod
        CPUShares = CpuCfsPeriod
        CPUSet = controllers.contains("cpuset")
        PidsLimit = controllers.contains("pids")
        IPv4Forwarding = ((try? FileSystem.readString("/proc/sys/net/ipv4/ip_forward")) ?? "").hasPrefix("1")
        SystemTime = Time.nowRFC3339()
        switch host.cgroupMode {
        case .v1, .hybrid: CgroupVersion = "1"
        case .v2: CgroupVersion = "2"
        case .none: CgroupVersion = ""
        }
        KernelVersion = host.kernelVersion
        OperatingSystem = host.operatingSystem
        Architecture = host.architecture
        NCPU = host.cpus
        MemTotal = host.memoryBytes
        DockerRootDir = host.dataRoot
        var name = [CChar](repeating: 0, count: 256)
        if gethostname(&name, name.count - 1) == 0 { Name = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        Runtimes = ["lighter": RuntimeEntry(path: Engine.currentExecutable)]
        SecurityOptions = host.securityOptions.map { $0 == "seccomp" ? "name=seccomp,profile=builtin" : "name=\($0)" }
        if !MemoryLimit { Warnings.append("No memory limit support") }
        if !SwapLimit { Warnings.append("No swap limit support") }
        if !IPv4Forwarding { Warnings.append("IPv4 forwarding is disabled") }
        Warnings += host.warnings
        CgroupControllers = host.cgroupControllers
        Firewall = host.firewall ?? "none"
        EmulationHandlers = host.emulationHandlers
        BinfmtMounted = host.binfmtMounted
        KernelModulesLoadable = host.modulesLoadable
        KernelMemoryTCP = FileSystem.exists("/sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes")
        BridgeNfIptables = ((try? FileSystem.readString("/proc/sys/net/bridge/bridge-nf-call-iptables")) ?? "").hasPrefix("1")
        BridgeNfIp6tables = ((try? FileSystem.readString("/proc/sys/net/bridge/bridge-nf-call-ip6tables")) ?? "").hasPrefix("1")
        NFd = (try? FileSystem.list("/proc/self/fd").count) ?? 0
        let status = (try? FileSystem.readString("/proc/self/status")) ?? ""
        NGoroutines = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }.flatMap { Int($0.dropFirst(8).trimmed) } ?? 1
        OSVersion = ((try? FileSystem.readString("/etc/os-release")) ?? "").split(separator: "\n")
            .first { $0.hasPrefix("VERSION_ID=") }.map { String($0.dropFirst(11).filter { $0 != "\"" }) } ?? ""
        func environment(_ names: String...) -> String {
            names.lazy.compactMap { getenv($0).map { String(cString: $0) } }.first ?? ""
        }
        HttpProxy = environment("HTTP_PROXY", "http_proxy")
        HttpsProxy = environment("HTTPS_PROXY", "https_proxy")
        NoProxy = environment("NO_PROXY", "no_proxy")
        // The runtime and the init are this binary.
        let commit = LighterVersion.gitCommit.isEmpty ? "unknown" : LighterVersion.gitCommit
        RuncCommit = CommitEntry(ID: commit, Expected: commit)
        InitCommit = CommitEntry(ID: commit, Expected: commit)
    }

    /// Docker's text layout (`docker info`), Lighter's facts in their places.
    var text: String {
        var lines = [
            "Client:",
            " Version:    \(ClientInfo.Version)",
            " Context:    \(ClientInfo.Context)",
            " Debug Mode: false",
            "",
            "Server:",
            " Containers: \(Containers)",
            "  Running: \(ContainersRunning)",
            "  Paused: \(ContainersPaused)",
            "  Stopped: \(ContainersStopped)",
            " Images: \(Images)",
            " Server Version: \(ServerVersion)",
            " Storage Driver: \(Driver)",
        ]
        lines += DriverStatus.map { "  \($0[0]): \($0[1])" }
        lines += [
            " Logging Driver: \(LoggingDriver)",
            " Cgroup Driver: \(CgroupDriver)",
            " Cgroup Version: \(CgroupVersion.isEmpty ? "none (no cgroup file system mounted)" : CgroupVersion)",
            "  Controllers: \(CgroupControllers.joined(separator: " "))",
            " Plugins:",
            "  Volume: \(Plugins.Volume.joined(separator: " "))",
            "  Network: \(Plugins.Network.joined(separator: " "))",
            "  Log: \(Plugins.Log.joined(separator: " "))",
            " Swarm: inactive",
            " Runtimes: \(Runtimes.keys.sorted().joined(separator: " "))",
            " Default Runtime: \(DefaultRuntime)",
            " Init Binary: \(InitBinary)",
            " Security Options:",
        ]
        for option in SecurityOptions {
            let fields = option.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
            for field in fields where field.count == 2 {
                lines.append(field[0] == "name" ? "  \(field[1])" : "   \(field[0].prefix(1).uppercased() + field[0].dropFirst()): \(field[1])")
            }
        }
        lines += [
            " Kernel Version: \(KernelVersion)",
            " Operating System: \(OperatingSystem)",
            " OSType: \(OSType)",
            " Architecture: \(Architecture)",
            " CPUs: \(NCPU)",
            " Total Memory: \(StatsCommand.binarySize(UInt64(max(0, MemTotal))))",
            " Name: \(Name)",
            " Lighter Root Dir: \(DockerRootDir)\(FileSystem.isDirectory(DockerRootDir) ? "" : " (not created yet)")",
            " Debug Mode: false",
            " Firewall: \(Firewall)",
            " Emulation: \(EmulationHandlers.isEmpty ? (BinfmtMounted ? "no QEMU handlers" : "binfmt_misc not mounted") : EmulationHandlers.joined(separator: " "))",
            " Kernel Modules: \(KernelModulesLoadable ? "loadable" : "not loadable")",
            " Experimental: false",
            " Insecure Registries:",
            "  127.0.0.0/8",
            " Live Restore Enabled: false",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
