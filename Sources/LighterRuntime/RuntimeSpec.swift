/// The subset of the OCI runtime-spec `config.json` that Lighter's runtime supports.
/// Field names follow the spec exactly; unknown fields are ignored, unsupported values are
/// rejected by `RuntimeSpec.validate()` with an error naming the field.
public struct RuntimeSpec: Sendable, Equatable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var mounts: [Mount]?
    public var linux: Linux?
    public var annotations: [String: String]?
    /// Programs run at points of the container's life (OCI `hooks`), each given the state JSON on stdin.
    public var hooks: Hooks?
    /// `domainname` (the uts namespace's NIS domain name).
    public var domainname: String?

    public init(ociVersion: String = "1.0.2", process: Process? = nil, root: Root? = nil, hostname: String? = nil,
                mounts: [Mount]? = nil, linux: Linux? = nil, annotations: [String: String]? = nil, hooks: Hooks? = nil,
                domainname: String? = nil) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.mounts = mounts
        self.linux = linux
        self.annotations = annotations
        self.hooks = hooks
        self.domainname = domainname
    }

    /// OCI hooks by phase: prestart (deprecated) and createRuntime run by the runtime in its own
    /// namespaces once the container's exist; createContainer by the init in the container's
    /// namespaces before pivot_root; startContainer by the init just before the process execs;
    /// poststart by `start` once it did; poststop by `delete`.
    public struct Hooks: Sendable, Equatable {
        public var prestart: [Hook]?
        public var createRuntime: [Hook]?
        public var createContainer: [Hook]?
        public var startContainer: [Hook]?
        public var poststart: [Hook]?
        public var poststop: [Hook]?

        public init(prestart: [Hook]? = nil, createRuntime: [Hook]? = nil, createContainer: [Hook]? = nil,
                    startContainer: [Hook]? = nil, poststart: [Hook]? = nil, poststop: [Hook]? = nil) {
            self.prestart = prestart
            self.createRuntime = createRuntime
            self.createContainer = createContainer
            self.startContainer = startContainer
            self.poststart = poststart
            self.poststop = poststop
        }
    }

    public struct Hook: Sendable, Equatable {
        public var path: String
        public var args: [String]?
        public var env: [String]?
        /// Seconds; the hook is killed and fails after it.
        public var timeout: Int?

        public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
            self.path = path
            self.args = args
            self.env = env
            self.timeout = timeout
        }
    }

    public struct Process: Sendable, Equatable {
        public var terminal: Bool?
        public var user: User
        public var args: [String]
        public var env: [String]?
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        public var oomScoreAdj: Int?
        /// `consoleSize` of the pseudo-terminal (with `terminal`), before the caller's own size.
        public var consoleSize: ConsoleSize?

        public init(user: User = User(), args: [String], env: [String]? = nil, cwd: String = "/",
                    capabilities: Capabilities? = nil, rlimits: [Rlimit]? = nil, noNewPrivileges: Bool? = nil,
                    oomScoreAdj: Int? = nil, terminal: Bool? = nil, consoleSize: ConsoleSize? = nil) {
            self.consoleSize = consoleSize
            self.user = user
            self.args = args
            self.env = env
            self.cwd = cwd
            self.capabilities = capabilities
            self.rlimits = rlimits
            self.noNewPrivileges = noNewPrivileges
            self.oomScoreAdj = oomScoreAdj
            self.terminal = terminal
        }
    }

    public struct ConsoleSize: Sendable, Equatable {
        public var height: UInt16
        public var width: UInt16

        public init(height: UInt16, width: UInt16) {
            self.height = height
            self.width = width
        }
    }

    public struct User: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var additionalGids: [UInt32]?
        public var umask: UInt32?

        public init(uid: UInt32 = 0, gid: UInt32 = 0, additionalGids: [UInt32]? = nil, umask: UInt32? = nil) {
            self.uid = uid
            self.gid = gid
            self.additionalGids = additionalGids
            self.umask = umask
        }
    }

    /// Capability names as in the spec ("CAP_CHOWN", ...).
    public struct Capabilities: Sendable, Equatable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?

        public init(bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
                    permitted: [String]? = nil, ambient: [String]? = nil) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
    }

    public struct Rlimit: Sendable, Equatable {
        public var type: String
        public var hard: UInt64
        public var soft: UInt64

        public init(type: String, hard: UInt64, soft: UInt64) {
            self.type = type
            self.hard = hard
            self.soft = soft
        }
    }

    public struct Root: Sendable, Equatable {
        public var path: String
        public var readonly: Bool?

        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }

    public struct Mount: Sendable, Equatable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?

        public init(destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    public struct Linux: Sendable, Equatable {
        public var namespaces: [Namespace]?
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        public var resources: Resources?
        public var cgroupsPath: String?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        public var seccomp: Seccomp?
        public var sysctl: [String: String]?
        public var devices: [Device]?
        public var rootfsPropagation: String?

        public init(namespaces: [Namespace]? = nil, uidMappings: [IDMapping]? = nil, gidMappings: [IDMapping]? = nil,
                    resources: Resources? = nil, cgroupsPath: String? = nil, maskedPaths: [String]? = nil,
                    readonlyPaths: [String]? = nil, seccomp: Seccomp? = nil, sysctl: [String: String]? = nil,
                    devices: [Device]? = nil, rootfsPropagation: String? = nil) {
            self.namespaces = namespaces
            self.uidMappings = uidMappings
            self.gidMappings = gidMappings
            self.resources = resources
            self.cgroupsPath = cgroupsPath
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
            self.seccomp = seccomp
            self.sysctl = sysctl
            self.devices = devices
            self.rootfsPropagation = rootfsPropagation
        }
    }

    /// `type` is one of pid, network, mount, ipc, uts, user, cgroup; `path` joins an existing namespace.
    public struct Namespace: Sendable, Equatable {
        public var type: String
        public var path: String?

        public init(type: String, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    public struct IDMapping: Sendable, Equatable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32

        public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
            self.containerID = containerID
            self.hostID = hostID
            self.size = size
        }
    }

    public struct Resources: Sendable, Equatable {
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public var devices: [DeviceRule]?
        public var blockIO: BlockIO?
        public var hugepageLimits: [HugepageLimit]?
        public var network: Network?

        public init(memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil, devices: [DeviceRule]? = nil, blockIO: BlockIO? = nil,
                    hugepageLimits: [HugepageLimit]? = nil, network: Network? = nil) {
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
            self.devices = devices
            self.blockIO = blockIO
            self.hugepageLimits = hugepageLimits
            self.network = network
        }
    }

    /// `hugepageLimits`: bytes of huge pages of one size ("2MB", "1GB") the container may use.
    public struct HugepageLimit: Sendable, Equatable {
        public var pageSize: String
        public var limit: UInt64

        public init(pageSize: String, limit: UInt64) {
            self.pageSize = pageSize
            self.limit = limit
        }
    }

    /// `network`: the net_cls class id and net_prio priorities (cgroup v1 only).
    public struct Network: Sendable, Equatable {
        public var classID: UInt32?
        public var priorities: [Priority]?

        public init(classID: UInt32? = nil, priorities: [Priority]? = nil) {
            self.classID = classID
            self.priorities = priorities
        }

        public var isEmpty: Bool { classID == nil && (priorities ?? []).isEmpty }

        public struct Priority: Sendable, Equatable {
            public var name: String
            public var priority: UInt32

            public init(name: String, priority: UInt32) {
                self.name = name
                self.priority = priority
            }
        }
    }

    /// `linux.resources.blockIO`: weights (10–1000) and per-device throttles (bytes or operations per second).
    public struct BlockIO: Sendable, Equatable {
        public var weight: UInt16?
        public var weightDevice: [WeightDevice]?
        public var throttleReadBpsDevice: [ThrottleDevice]?
        public var throttleWriteBpsDevice: [ThrottleDevice]?
        public var throttleReadIOPSDevice: [ThrottleDevice]?
        public var throttleWriteIOPSDevice: [ThrottleDevice]?

        public init(weight: UInt16? = nil, weightDevice: [WeightDevice]? = nil, throttleReadBpsDevice: [ThrottleDevice]? = nil,
                    throttleWriteBpsDevice: [ThrottleDevice]? = nil, throttleReadIOPSDevice: [ThrottleDevice]? = nil,
                    throttleWriteIOPSDevice: [ThrottleDevice]? = nil) {
            self.weight = weight
            self.weightDevice = weightDevice
            self.throttleReadBpsDevice = throttleReadBpsDevice
            self.throttleWriteBpsDevice = throttleWriteBpsDevice
            self.throttleReadIOPSDevice = throttleReadIOPSDevice
            self.throttleWriteIOPSDevice = throttleWriteIOPSDevice
        }

        public var isEmpty: Bool { self == BlockIO() }

        public struct WeightDevice: Sendable, Equatable {
            public var major: Int64
            public var minor: Int64
            public var weight: UInt16

            public init(major: Int64, minor: Int64, weight: UInt16) {
                self.major = major
                self.minor = minor
                self.weight = weight
            }
        }

        public struct ThrottleDevice: Sendable, Equatable {
            public var major: Int64
            public var minor: Int64
            public var rate: UInt64

            public init(major: Int64, minor: Int64, rate: UInt64) {
                self.major = major
                self.minor = minor
                self.rate = rate
            }
        }
    }

    /// Bytes; `swap` is memory+swap as in the spec (runc semantics), -1 = unlimited.
    public struct Memory: Sendable, Equatable {
        public var limit: Int64?
        public var reservation: Int64?
        public var swap: Int64?
        public var swappiness: UInt64?
        public var disableOOMKiller: Bool?
        /// Kernel memory limit (cgroup v1 `memory.kmem.limit_in_bytes`; deprecated by the kernel).
        public var kernel: Int64?
        /// Kernel TCP buffer limit (cgroup v1 `memory.kmem.tcp.limit_in_bytes`).
        public var kernelTCP: Int64?

        public init(limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, swappiness: UInt64? = nil,
                    disableOOMKiller: Bool? = nil, kernel: Int64? = nil, kernelTCP: Int64? = nil) {
            self.limit = limit
            self.reservation = reservation
            self.swap = swap
            self.swappiness = swappiness
            self.disableOOMKiller = disableOOMKiller
            self.kernel = kernel
            self.kernelTCP = kernelTCP
        }
    }

    public struct CPU: Sendable, Equatable {
        public var shares: UInt64?
        public var quota: Int64?
        public var period: UInt64?
        public var cpus: String?
        public var mems: String?
        /// Real-time scheduling: period and runtime in microseconds (cgroup v1 `cpu.rt_period_us`, `cpu.rt_runtime_us`).
        public var realtimePeriod: UInt64?
        public var realtimeRuntime: Int64?

        public init(shares: UInt64? = nil, quota: Int64? = nil, period: UInt64? = nil, cpus: String? = nil,
                    mems: String? = nil, realtimePeriod: UInt64? = nil, realtimeRuntime: Int64? = nil) {
            self.shares = shares
            self.quota = quota
            self.period = period
            self.cpus = cpus
            self.mems = mems
            self.realtimePeriod = realtimePeriod
            self.realtimeRuntime = realtimeRuntime
        }
    }

    public struct Pids: Sendable, Equatable {
        public var limit: Int64

        public init(limit: Int64) { self.limit = limit }
    }

    /// A devices-cgroup rule: `type` a/c/b, `access` some of "rwm"; nil major/minor = all.
    public struct DeviceRule: Sendable, Equatable {
        public var allow: Bool
        public var type: String?
        public var major: Int64?
        public var minor: Int64?
        public var access: String?

        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Seccomp: Sendable, Equatable {
        public var defaultAction: String
        public var defaultErrnoRet: UInt32?
        public var architectures: [String]?
        public var flags: [String]?
        public var syscalls: [SyscallRule]?

        public init(defaultAction: String, defaultErrnoRet: UInt32? = nil, architectures: [String]? = nil,
                    flags: [String]? = nil, syscalls: [SyscallRule]? = nil) {
            self.defaultAction = defaultAction
            self.defaultErrnoRet = defaultErrnoRet
            self.architectures = architectures
            self.flags = flags
            self.syscalls = syscalls
        }
    }

    public struct SyscallRule: Sendable, Equatable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt32?
        public var args: [SyscallArg]?

        public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [SyscallArg]? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }

    public struct SyscallArg: Sendable, Equatable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64?
        public var op: String

        public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }

    /// A device node to create in the container's /dev.
    public struct Device: Sendable, Equatable {
        public var type: String
        public var path: String
        public var major: Int64
        public var minor: Int64
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?

        public init(type: String, path: String, major: Int64, minor: Int64, fileMode: UInt32? = nil,
                    uid: UInt32? = nil, gid: UInt32? = nil) {
            self.type = type
            self.path = path
            self.major = major
            self.minor = minor
            self.fileMode = fileMode
            self.uid = uid
            self.gid = gid
        }
    }
}
