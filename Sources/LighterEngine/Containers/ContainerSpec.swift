import LighterNetwork
import LighterOCI
import LighterSystem

/// What `run`/`create` asked for, after parsing and validation: everything needed to (re)start
/// the container, kept in `containers/<id>/container.json`.
public struct ContainerSpec: Sendable, Equatable {
    public var image: String                 // as the user typed it
    public var imageID: Digest
    public var entrypoint: [String]?         // --entrypoint (nil: the image's)
    public var command: [String]             // args after the image (empty: the image's Cmd)
    public var env: [String]                 // -e / --env-file, in order
    public var workingDir: String?
    public var user: String?
    public var hostname: String?
    public var tty: Bool
    public var interactive: Bool
    public var binds: [BindMount]
    public var tmpfs: [String: String]       // path → options
    public var resources: ResourceLimits
    public var capAdd: [String]
    public var capDrop: [String]
    public var privileged: Bool
    public var readOnly: Bool
    public var seccompProfile: String?       // nil: Docker's default; "unconfined"; or a file's contents
    public var noNewPrivileges: Bool
    public var network: String               // none | host | bridge | a user network's name
    public var restart: RestartPolicy
    public var log: LogOptions
    public var autoRemove: Bool
    public var ulimits: [Ulimit]
    public var stopSignal: String?
    public var stopTimeout: Int?
    /// The cgroup under which the container's cgroup is made (`--cgroup-parent`).
    public var cgroupParent: String = "/lighter"
    /// `--init`: run lighter-init as PID 1, which reaps orphans and forwards signals.
    public var initProcess: Bool = false
    /// `--platform`: the image must be of this platform.
    public var platform: Platform?
    /// `-p`: published ports as asked (host port 0: pick one when created).
    public var ports: [PortBinding] = []
    /// `-P`: publish every port the image EXPOSEs onto free host ports.
    public var publishAll: Bool = false
    /// `--dns`: name servers replacing the host's in resolv.conf.
    public var dns: [String] = []
    /// `--add-host NAME:IP` lines for /etc/hosts.
    public var extraHosts: [String] = []
    /// `--ip`, `--mac-address`, `--network-alias` on the first network.
    public var ipAddress: String?
    public var macAddress: String?
    public var networkAliases: [String] = []
    /// `--userns-remap`: run in a user namespace with these host ids (nil: `--userns host`, no user namespace).
    public var userNamespace: UserNamespaceRemap?
    /// `--label`, `--label-file`: the container's own labels (the image's are added at create, as Docker).
    public var labels: [String: String] = [:]
    /// Docker's `ConsoleSize` ([rows, columns]): the terminal's size from its start (with `tty`); nil: none given.
    public var consoleSize: [Int]?
    /// Device, cgroup and namespace settings (`--device`, `--sysctl`, `--pid`, `--blkio-weight` …).
    public var kernel = KernelSettings()
    /// `--expose`: ports ("80/tcp") exposed besides the image's (published by `-P`, shown by inspect).
    public var exposedPorts: [String] = []
    /// `--dns-search`, `--dns-option`: resolv.conf's search and options lines, replacing the host's.
    public var dnsSearch: [String] = []
    public var dnsOptions: [String] = []
    /// `--health-*`, `--no-healthcheck`: the container's own settings, merged over the image's
    /// `Healthcheck` whenever it starts (`Engine.healthConfig`), so a new image brings its own check.
    public var healthcheck: HealthConfig?
    /// `--link CONTAINER[:ALIAS]`: Docker's legacy links, as "CONTAINER:ALIAS" (hosts entry, and on the
    /// default bridge the ALIAS_* environment; see Engine+Links.swift).
    public var links: [String] = []

    /// True when the container gets a veth on a bridge (the default network or a user network).
    public var usesBridge: Bool { network != "none" && network != "host" && !network.hasPrefix("container:") }

    public init(image: String, imageID: Digest) {
        self.image = image
        self.imageID = imageID
        command = []
        env = []
        tty = false
        interactive = false
        binds = []
        tmpfs = [:]
        resources = ResourceLimits()
        capAdd = []
        capDrop = []
        privileged = false
        readOnly = false
        noNewPrivileges = false
        network = "none"
        restart = .no
        log = .default
        autoRemove = false
        ulimits = []
    }
}

/// `-v /host:/ctr[:ro]` (a bind mount), `-v NAME:/ctr[:ro]` (a named volume, created if missing)
/// or `-v /ctr` (an anonymous volume).
public struct BindMount: Sendable, Equatable {
    public var source: String
    public var destination: String
    public var readOnly: Bool
    /// The volume's name for volume mounts ("" until an anonymous one is named at create); nil for binds.
    public var volume: String?

    /// An anonymous volume at `destination` (named and created at `create`).
    public init(anonymousAt destination: String) {
        source = ""
        self.destination = destination
        readOnly = false
        volume = ""
    }

    public init(parsing spec: String) throws(LighterError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let usage = "-v \(spec): expected /host/path:/container/path[:ro|rw], VOLUME:/container/path[:ro|rw] or /container/path"
        if parts.count == 1 {
            guard parts[0].hasPrefix("/"), parts[0] != "/" else { throw .invalidArgument(usage) }
            source = ""
            destination = parts[0]
            readOnly = false
            volume = ""
            return
        }
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            throw .invalidArgument(usage)
        }
        guard parts[1] != "/" else { throw .invalidArgument("-v \(spec): cannot mount over the container's root") }
        destination = parts[1]
        readOnly = false
        if parts.count == 3 {
            for option in parts[2].split(separator: ",") {
                switch option {
                case "ro": readOnly = true
                case "rw": readOnly = false
                case "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared", "nocopy": continue
                default: throw .invalidArgument("-v \(spec): unknown option \"\(option)\" (ro, rw)")
                }
            }
        }
        if parts[0].hasPrefix("/") {
            source = parts[0]
            volume = nil
            guard FileSystem.exists(source) else {
                throw .invalidArgument("-v \(spec): the host path \(source) does not exist")
            }
        } else {
            guard VolumeStore.isValidName(parts[0]) else {
                throw .invalidArgument("-v \(spec): \"\(parts[0])\" is neither an absolute host path nor a valid volume name")
            }
            source = ""
            volume = parts[0]
        }
    }
}

/// `--memory`, `--memory-swap`, `--cpus`, `--cpu-shares`, `--cpuset-cpus`, `--pids-limit`.
public struct ResourceLimits: Sendable, Equatable {
    public var memory: Int64?
    public var memorySwap: Int64?      // memory + swap; -1 unlimited
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?
    public var cpuShares: UInt64?
    public var cpusetCpus: String?
    public var pidsLimit: Int64?
    /// `--cpus` as Docker keeps it (CPUs × 10⁹), besides the quota and period it becomes.
    public var nanoCpus: Int64?
    public init() {}
    public var isEmpty: Bool { self == ResourceLimits() }
}

/// `--ulimit nofile=1024:2048`.
public struct Ulimit: Sendable, Equatable {
    public var name: String
    public var soft: UInt64
    public var hard: UInt64

    public init(parsing spec: String) throws(LighterError) {
        let pieces = spec.split(separator: "=", maxSplits: 1).map(String.init)
        let known = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as"]
        guard pieces.count == 2, known.contains(pieces[0]) else {
            throw .invalidArgument("--ulimit \(spec): expected NAME=SOFT[:HARD] with NAME one of \(known.joined(separator: ", "))")
        }
        let values = pieces[1].split(separator: ":").map(String.init)
        func number(_ text: String) throws(LighterError) -> UInt64 {
            if text == "-1" || text == "unlimited" { return UInt64.max }
            guard let value = UInt64(text) else { throw .invalidArgument("--ulimit \(spec): \(text) is not a number") }
            return value
        }
        guard values.count == 1 || values.count == 2 else { throw .invalidArgument("--ulimit \(spec): expected SOFT[:HARD]") }
        name = pieces[0]
        soft = try number(values[0])
        hard = values.count == 2 ? try number(values[1]) : soft
        guard soft <= hard else { throw .invalidArgument("--ulimit \(spec): soft limit is above the hard limit") }
    }
}

/// `--restart no|on-failure[:N]|always|unless-stopped`.
public enum RestartPolicy: Sendable, Equatable, CustomStringConvertible {
    case no
    case onFailure(maxRetries: Int)
    case always
    case unlessStopped

    public init(parsing text: String) throws(LighterError) {
        switch text {
        case "no", "": self = .no
        case "always": self = .always
        case "unless-stopped": self = .unlessStopped
        case "on-failure": self = .onFailure(maxRetries: 0)
        default:
            if text.hasPrefix("on-failure:"), let n = Int(text.dropFirst("on-failure:".count)), n >= 0 {
                self = .onFailure(maxRetries: n)
            } else {
                throw .invalidArgument("--restart \(text): use no, on-failure[:max-retries], always or unless-stopped")
            }
        }
    }

    public var description: String {
        switch self {
        case .no: return "no"
        case .always: return "always"
        case .unlessStopped: return "unless-stopped"
        case let .onFailure(n): return n > 0 ? "on-failure:\(n)" : "on-failure"
        }
    }

    /// Should a container that exited with `code` start again, after `restarts` restarts,
    /// unless a user stopped it?
    public func shouldRestart(exitCode code: Int32, restarts: Int, stoppedByUser: Bool) -> Bool {
        if stoppedByUser { return false }
        switch self {
        case .no: return false
        case .always, .unlessStopped: return true
        case let .onFailure(max): return code != 0 && (max == 0 || restarts < max)
        }
    }
}
