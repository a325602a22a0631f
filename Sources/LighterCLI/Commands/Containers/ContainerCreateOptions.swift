import ArgumentParser
import LighterEngine
import LighterSystem

/// The flags `run` and `create` share, with Docker's names, for ArgumentParser (its help, and the
/// forms ContainerCommandLine leaves to it); `flags` hands their values to ContainerFlags.
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

    @Option(name: .long, help: "Add a host device to the container (HOST[:CONTAINER[:PERMISSIONS]]).") var device: [String] = []
    @Option(name: .long, help: "Add a rule to the cgroup allowed devices list.") var deviceCgroupRule: [String] = []
    @Option(name: .long, help: "Add additional groups to join.") var groupAdd: [String] = []
    @Option(name: .long, help: "Limit CPU CFS (Completely Fair Scheduler) period.") var cpuPeriod: String?
    @Option(name: .long, help: "Limit CPU CFS (Completely Fair Scheduler) quota.") var cpuQuota: String?
    @Option(name: .long, help: "Limit CPU real-time period in microseconds.") var cpuRtPeriod: String?
    @Option(name: .long, help: "Limit CPU real-time runtime in microseconds.") var cpuRtRuntime: String?
    @Option(name: .long, help: "MEMs in which to allow execution (0-3, 0,1).") var cpusetMems: String?
    @Option(name: .long, help: "Memory soft limit.") var memoryReservation: String?
    @Option(name: .long, help: "Tune container memory swappiness (0 to 100).") var memorySwappiness: String?
    @Option(name: .long, help: "Kernel memory limit.") var kernelMemory: String?
    @Flag(name: .long, help: "Disable OOM Killer.") var oomKillDisable = false
    @Option(name: .long, help: "Tune host's OOM preferences (-1000 to 1000).") var oomScoreAdj: String?
    @Option(name: .long, help: "Block IO (relative weight), between 10 and 1000.") var blkioWeight: String?
    @Option(name: .long, help: "Block IO weight (relative device weight).") var blkioWeightDevice: [String] = []
    @Option(name: .long, help: "Limit read rate (bytes per second) from a device.") var deviceReadBps: [String] = []
    @Option(name: .long, help: "Limit write rate (bytes per second) to a device.") var deviceWriteBps: [String] = []
    @Option(name: .long, help: "Limit read rate (IO per second) from a device.") var deviceReadIops: [String] = []
    @Option(name: .long, help: "Limit write rate (IO per second) to a device.") var deviceWriteIops: [String] = []
    @Option(name: .long, help: "Size of /dev/shm.") var shmSize: String?
    @Option(name: .long, help: "Sysctl options.") var sysctl: [String] = []
    @Option(name: .long, help: "PID namespace to use.") var pid: String?
    @Option(name: .long, help: "IPC mode to use.") var ipc: String?
    @Option(name: .long, help: "UTS namespace to use.") var uts: String?
    @Option(name: .long, help: "Cgroup namespace to use (host|private).") var cgroupns: String?

    /// The flags as plain values (what the spec is built from).
    var flags: ContainerFlags {
        var flags = ContainerFlags()
        flags.name = name
        flags.env = env
        flags.envFile = envFile
        flags.workdir = workdir
        flags.user = user
        flags.entrypoint = entrypoint
        flags.hostname = hostname
        flags.tty = tty
        flags.interactive = interactive
        flags.volume = volume
        flags.tmpfs = tmpfs
        flags.memory = memory
        flags.memorySwap = memorySwap
        flags.cpus = cpus
        flags.cpuShares = cpuShares
        flags.cpusetCpus = cpusetCpus
        flags.pidsLimit = pidsLimit
        flags.capAdd = capAdd
        flags.capDrop = capDrop
        flags.privileged = privileged
        flags.readOnly = readOnly
        flags.securityOpt = securityOpt
        flags.network = network
        flags.publish = publish
        flags.publishAll = publishAll
        flags.dns = dns
        flags.addHost = addHost
        flags.ip = ip
        flags.macAddress = macAddress
        flags.networkAlias = networkAlias
        flags.restart = restart
        flags.logOpt = logOpt
        flags.ulimit = ulimit
        flags.stopSignal = stopSignal
        flags.stopTimeout = stopTimeout
        flags.cgroupParent = cgroupParent
        flags.`init` = `init`
        flags.platform = platform
        flags.userns = userns
        flags.usernsRemap = usernsRemap
        flags.kernel.device = device
        flags.kernel.deviceCgroupRule = deviceCgroupRule
        flags.kernel.groupAdd = groupAdd
        flags.kernel.cpuPeriod = cpuPeriod
        flags.kernel.cpuQuota = cpuQuota
        flags.kernel.cpuRtPeriod = cpuRtPeriod
        flags.kernel.cpuRtRuntime = cpuRtRuntime
        flags.kernel.cpusetMems = cpusetMems
        flags.kernel.memoryReservation = memoryReservation
        flags.kernel.memorySwappiness = memorySwappiness
        flags.kernel.kernelMemory = kernelMemory
        flags.kernel.oomKillDisable = oomKillDisable
        flags.kernel.oomScoreAdj = oomScoreAdj
        flags.kernel.blkioWeight = blkioWeight
        flags.kernel.blkioWeightDevice = blkioWeightDevice
        flags.kernel.deviceReadBps = deviceReadBps
        flags.kernel.deviceWriteBps = deviceWriteBps
        flags.kernel.deviceReadIops = deviceReadIops
        flags.kernel.deviceWriteIops = deviceWriteIops
        flags.kernel.shmSize = shmSize
        flags.kernel.sysctl = sysctl
        flags.kernel.pid = pid
        flags.kernel.ipc = ipc
        flags.kernel.uts = uts
        flags.kernel.cgroupns = cgroupns
        return flags
    }

    func spec(image: String, command: [String], autoRemove: Bool) throws(LighterError) -> ContainerSpec {
        try flags.spec(image: image, command: command, autoRemove: autoRemove)
    }
}
