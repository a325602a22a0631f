import LighterEngine
import LighterSystem

/// The raw values of `run`/`create`'s device, cgroup and namespace flags, as typed (numbers too,
/// so "-1" and sizes such as "64m" reach one validator): `apply(to:)` validates them with Docker's
/// rules and messages and sets the spec's `KernelSettings` (applied at each start by the engine).
struct KernelFlags: Equatable, Sendable {
    var device: [String] = []             // --device HOST[:CONTAINER[:PERMS]]
    var deviceCgroupRule: [String] = []   // --device-cgroup-rule 'c 1:3 mr'
    var groupAdd: [String] = []           // --group-add GROUP
    var cpuPeriod: String? = nil          // --cpu-period
    var cpuQuota: String? = nil           // --cpu-quota
    var cpuRtPeriod: String? = nil        // --cpu-rt-period
    var cpuRtRuntime: String? = nil       // --cpu-rt-runtime
    var cpusetMems: String? = nil         // --cpuset-mems
    var memoryReservation: String? = nil  // --memory-reservation
    var memorySwappiness: String? = nil   // --memory-swappiness
    var kernelMemory: String? = nil       // --kernel-memory
    var oomKillDisable = false            // --oom-kill-disable
    var oomScoreAdj: String? = nil        // --oom-score-adj
    var blkioWeight: String? = nil        // --blkio-weight
    var blkioWeightDevice: [String] = []  // --blkio-weight-device
    var deviceReadBps: [String] = []      // --device-read-bps
    var deviceWriteBps: [String] = []     // --device-write-bps
    var deviceReadIops: [String] = []     // --device-read-iops
    var deviceWriteIops: [String] = []    // --device-write-iops
    var shmSize: String? = nil            // --shm-size
    var sysctl: [String] = []             // --sysctl
    var pid: String? = nil                // --pid
    var ipc: String? = nil                // --ipc
    var uts: String? = nil                // --uts
    var cgroupns: String? = nil           // --cgroupns

    /// `--domainname`.
    var domainname: String? = nil

    func apply(to spec: inout ContainerSpec) throws(LighterError) {
        guard self != KernelFlags() else { return }
        var kernel = KernelSettings()
        kernel.devices = try device.map(Self.device)
        for rule in deviceCgroupRule { _ = try Engine.deviceRule(parsing: rule) }
        kernel.deviceCgroupRules = deviceCgroupRule
        for group in groupAdd where group.isEmpty { throw .invalidArgument("--group-add: a group name or number is required") }
        kernel.groupAdd = groupAdd
        try cpu(&spec.resources, &kernel)
        try memory(&spec.resources, &kernel)
        kernel.oomKillDisable = oomKillDisable
        if let oomScoreAdj {
            guard let value = Int(oomScoreAdj), (-1000...1000).contains(value) else {
                throw .invalidArgument("--oom-score-adj \(oomScoreAdj): invalid value, range for oom score adj is [-1000, 1000]")
            }
            kernel.oomScoreAdj = value
        }
        try blockIO(&kernel)
        if let shmSize {
            kernel.shmSize = try ByteSize.parse(shmSize, flag: "--shm-size")
        }
        try namespaces(&kernel, spec: spec)
        for entry in sysctl {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw .invalidArgument("--sysctl \(entry): expected KEY=VALUE") }
            try Self.checkSysctl(parts[0], network: spec.network, ipcMode: kernel.ipcMode)
            kernel.sysctls[parts[0]] = parts[1]
        }
        spec.kernel = kernel
    }

    /// `--device HOST[:CONTAINER[:PERMISSIONS]]` (docker/cli's ValidateDevice).
    static func device(_ text: String) throws(LighterError) -> DeviceMapping {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func isMode(_ mode: String) -> Bool { !mode.isEmpty && mode.count <= 3 && mode.allSatisfy { "rwm".contains($0) } }
        var host = parts[0], container = parts[0], permissions = "rwm"
        switch parts.count {
        case 1: break
        case 2:
            if isMode(parts[1]) { permissions = parts[1] } else { container = parts[1] }
        case 3:
            guard isMode(parts[2]) else { throw .invalidArgument("--device \(text): invalid device mode: \(parts[2])") }
            container = parts[1]
            permissions = parts[2]
        default:
            throw .invalidArgument("--device \(text): bad format for path: \(text)")
        }
        host = host.isEmpty ? container : host
        guard host.hasPrefix("/"), container.hasPrefix("/") else { throw .invalidArgument("--device \(text): \(container) is not an absolute path") }
        let mapping = DeviceMapping(hostPath: host, containerPath: container, permissions: permissions)
        _ = try Engine.deviceNodes(mapping)   // it must exist and be a device (or a directory of them) now
        return mapping
    }

    private func integer(_ text: String?, _ flag: String) throws(LighterError) -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text) else { throw .invalidArgument("invalid argument \"\(text)\" for \"\(flag)\" flag: strconv.ParseInt: parsing \"\(text)\": invalid syntax") }
        return value
    }

    private func cpu(_ resources: inout ResourceLimits, _ kernel: inout KernelSettings) throws(LighterError) {
        if let period = try integer(cpuPeriod, "--cpu-period"), period != 0 {
            guard resources.nanoCpus == nil else { throw .invalidArgument("conflicting options: Nano CPUs and CPU Period cannot both be set") }
            guard (1000...1_000_000).contains(period) else {
                throw .invalidArgument("--cpu-period \(period): CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)")
            }
            resources.cpuPeriod = UInt64(period)
        }
        if let quota = try integer(cpuQuota, "--cpu-quota"), quota != 0 {
            guard resources.nanoCpus == nil else { throw .invalidArgument("conflicting options: Nano CPUs and CPU Quota cannot both be set") }
            guard quota == -1 || quota >= 1000 else { throw .invalidArgument("--cpu-quota \(quota): CPU cfs quota can not be less than 1ms (i.e. 1000)") }
            resources.cpuQuota = quota
        }
        if let period = try integer(cpuRtPeriod, "--cpu-rt-period"), period != 0 {
            guard period > 0 else { throw .invalidArgument("--cpu-rt-period \(period): must be a positive number of microseconds") }
            kernel.cpuRealtimePeriod = UInt64(period)
        }
        if let runtime = try integer(cpuRtRuntime, "--cpu-rt-runtime"), runtime != 0 {
            if let period = kernel.cpuRealtimePeriod, runtime > Int64(period) {
                throw .invalidArgument("--cpu-rt-runtime \(runtime): cpu real-time runtime cannot be higher than cpu real-time period")
            }
            kernel.cpuRealtimeRuntime = runtime
        }
        if let mems = cpusetMems {
            guard !mems.isEmpty, mems.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }) else {
                throw .invalidArgument("--cpuset-mems \(mems): invalid value, expected a list such as 0-1 or 0,1")
            }
            let online = ((try? FileSystem.readString("/sys/devices/system/node/online")) ?? "0").trimmed
            guard CPUList(online).contains(all: CPUList(mems)) else {
                throw .invalidArgument("--cpuset-mems \(mems): Requested memory nodes are not available - requested \(mems), available: \(online)")
            }
            kernel.cpusetMems = mems
        }
    }

    private func memory(_ resources: inout ResourceLimits, _ kernel: inout KernelSettings) throws(LighterError) {
        if let text = memoryReservation {
            let bytes = try ByteSize.parse(text, flag: "--memory-reservation")
            guard bytes >= 6 * 1024 * 1024 else { throw .invalidArgument("--memory-reservation \(text): Minimum memory reservation allowed is 6MB") }
            if let limit = resources.memory, limit < bytes {
                throw .invalidArgument("--memory-reservation \(text): Minimum memory limit can not be less than memory reservation limit, see usage")
            }
            kernel.memoryReservation = bytes
        }
        if let value = try integer(memorySwappiness, "--memory-swappiness"), value != -1 {
            guard (0...100).contains(value) else {
                throw .invalidArgument("--memory-swappiness \(value): Invalid value: \(value), valid memory swappiness range is 0-100")
            }
            kernel.memorySwappiness = value
        }
        if let text = kernelMemory {
            let bytes = try ByteSize.parse(text, flag: "--kernel-memory")
            guard bytes >= 6 * 1024 * 1024 else { throw .invalidArgument("--kernel-memory \(text): Minimum kernel memory limit allowed is 6MB") }
            kernel.kernelMemory = bytes
        }
    }

    private func blockIO(_ kernel: inout KernelSettings) throws(LighterError) {
        if let weight = try integer(blkioWeight, "--blkio-weight"), weight != 0 {
            guard (10...1000).contains(weight) else { throw .invalidArgument("--blkio-weight \(weight): Range of blkio weight is from 10 to 1000") }
            kernel.blkioWeight = UInt16(weight)
        }
        kernel.blkioWeightDevice = try blkioWeightDevice.map { (text) throws(LighterError) -> DeviceValue in
            let (path, value) = try Self.deviceValue(text, flag: "--blkio-weight-device")
            guard let weight = UInt64(value), (10...1000).contains(weight) else {
                throw .invalidArgument("--blkio-weight-device \(text): invalid weight for device: \(text)")
            }
            return DeviceValue(path: path, value: weight)
        }
        func rates(_ entries: [String], _ flag: String, bytes: Bool) throws(LighterError) -> [DeviceValue] {
            var result: [DeviceValue] = []
            for text in entries {
                let (path, value) = try Self.deviceValue(text, flag: flag)
                let rate: Int64?
                if bytes { rate = try? ByteSize.parse(value, flag: flag) } else { rate = Int64(value) }
                guard let rate, rate > 0 else {
                    throw .invalidArgument("\(flag) \(text): invalid rate for device: \(text). The correct format is <device-path>:<number>\(bytes ? "[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb" : ". Number must be a positive integer")")
                }
                result.append(DeviceValue(path: path, value: UInt64(rate)))
            }
            return result
        }
        kernel.deviceReadBps = try rates(deviceReadBps, "--device-read-bps", bytes: true)
        kernel.deviceWriteBps = try rates(deviceWriteBps, "--device-write-bps", bytes: true)
        kernel.deviceReadIOps = try rates(deviceReadIops, "--device-read-iops", bytes: false)
        kernel.deviceWriteIOps = try rates(deviceWriteIops, "--device-write-iops", bytes: false)
    }

    /// `/dev/sda:200` → ("/dev/sda", "200"); the path must be a block device now (named with its flag).
    static func deviceValue(_ text: String, flag: String) throws(LighterError) -> (String, String) {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else { throw .invalidArgument("\(flag) \(text): bad format: \(text)") }
        let path = String(text[..<colon])
        guard path.hasPrefix("/") else { throw .invalidArgument("\(flag) \(text): bad format for device path: \(path)") }
        _ = try Engine.blockDevice(path, flag: flag)
        return (path, String(text[text.index(after: colon)...]))
    }

    private func namespaces(_ kernel: inout KernelSettings, spec: ContainerSpec) throws(LighterError) {
        func mode(_ value: String?, _ flag: String, allowed: [String], container: Bool) throws(LighterError) -> String {
            guard let value, !value.isEmpty else { return "" }
            if allowed.contains(value) { return value }
            if container, value.hasPrefix("container:"), value.count > 10 { return value }
            throw .invalidArgument("\(flag) \(value): invalid \(flag.dropFirst(2).uppercased()) mode (use \((allowed + (container ? ["container:NAME"] : [])).joined(separator: ", ")))")
        }
        kernel.pidMode = try mode(pid, "--pid", allowed: ["host"], container: true)
        kernel.ipcMode = try mode(ipc, "--ipc", allowed: ["private", "shareable", "none", "host"], container: true)
        kernel.utsMode = try mode(uts, "--uts", allowed: ["host"], container: false)
        if let cgroupns, !cgroupns.isEmpty {
            guard cgroupns == "host" || cgroupns == "private" else {
                throw .invalidArgument("--cgroupns \(cgroupns): invalid cgroup namespace mode, only \"host\" and \"private\" are supported")
            }
            kernel.cgroupnsMode = cgroupns
        }
        if kernel.utsMode == "host" && spec.hostname != nil {
            throw .invalidArgument("conflicting options: hostname and the UTS mode")
        }
        if let domainname {
            guard !domainname.isEmpty, domainname.utf8.count <= 64 else { throw .invalidArgument("--domainname \"\(domainname)\": 1 to 64 characters") }
            if kernel.utsMode == "host" { throw .invalidArgument("conflicting options: domainname and the UTS mode") }
            kernel.domainname = domainname
        }
        if spec.userNamespace != nil {
            for (flag, value) in [("--pid", kernel.pidMode), ("--ipc", kernel.ipcMode), ("--uts", kernel.utsMode)] where value == "host" {
                throw .invalidArgument("conflicting options: \(flag) host and --userns-remap (the host's namespaces need --userns host)")
            }
        }
    }

    /// Docker's rule: only namespaced sysctls, and none of a namespace the container shares with the host.
    static func checkSysctl(_ key: String, network: String, ipcMode: String) throws(LighterError) {
        let ipcKeys = ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"]
        if ipcKeys.contains(key) || key.hasPrefix("fs.mqueue.") {
            if ipcMode == "host" { throw .invalidArgument("--sysctl \(key): sysctl \"\(key)\" is not allowed when joining the host's IPC namespace") }
            return
        }
        if key.hasPrefix("net.") {
            if network == "host" { throw .invalidArgument("--sysctl \(key): sysctl \"\(key)\" is not allowed in host network namespace") }
            return
        }
        if key == "kernel.domainname" || key == "kernel.hostname" { return }
        throw .invalidArgument("--sysctl \(key): sysctl \"\(key)\" is not whitelisted (namespaced ones only: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)")
    }
}

/// A list of CPUs or memory nodes such as "0-3,6".
struct CPUList {
    let members: Set<Int>

    init(_ text: String) {
        var set = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmed) }
            if bounds.count == 1 { set.insert(bounds[0]) } else if bounds.count == 2, bounds[0] <= bounds[1] { set.formUnion(bounds[0]...bounds[1]) }
        }
        members = set
    }

    func contains(all other: CPUList) -> Bool { other.members.isSubset(of: members) && !other.members.isEmpty }
}
