#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterRuntime
import LighterSystem

extension Engine {
    /// The device, cgroup and namespace flags (`KernelSettings`) applied to the container's OCI spec
    /// at start: device nodes and their cgroup rules, supplementary groups, sysctls, /dev/shm, the
    /// namespaces shared with the host or another container, and the cgroup limits beyond the basic ones.
    func apply(_ kernel: KernelSettings, of record: ContainerRecord, to spec: inout RuntimeSpec) throws(LighterError) {
        guard var process = spec.process, var linux = spec.linux else { return }
        var mounts = spec.mounts ?? []
        var resources = linux.resources ?? RuntimeSpec.Resources()

        for mapping in kernel.devices {
            for device in try Self.deviceNodes(mapping) {
                linux.devices = (linux.devices ?? []) + [device]
                resources.devices = (resources.devices ?? []) + [RuntimeSpec.DeviceRule(
                    allow: true, type: device.type, major: device.major, minor: device.minor, access: mapping.permissions)]
            }
        }
        for rule in kernel.deviceCgroupRules { resources.devices = (resources.devices ?? []) + [try Self.deviceRule(parsing: rule)] }
        if !kernel.groupAdd.isEmpty {
            let resolver = UserResolver(rootfs: rootfsPath(record.id))
            var groups = process.user.additionalGids ?? []
            for group in kernel.groupAdd {
                let gid = try resolver.groupID(group)
                if !groups.contains(gid) { groups.append(gid) }
            }
            process.user.additionalGids = groups
        }
        if let adj = kernel.oomScoreAdj { process.oomScoreAdj = adj }
        if !kernel.sysctls.isEmpty { linux.sysctl = kernel.sysctls }
        if let size = kernel.shmSize {
            mounts = mounts.map { mount in
                guard mount.destination == "/dev/shm", mount.type == "tmpfs" else { return mount }
                var m = mount
                m.options = (m.options ?? []).filter { !$0.hasPrefix("size=") } + ["size=\(size)"]
                return m
            }
        }

        var namespaces = linux.namespaces ?? []
        func drop(_ type: String) { namespaces.removeAll { $0.type == type } }
        func join(_ type: String, of owner: String, flag: String) throws(LighterError) {
            let pid = try runningPid(of: owner, flag: flag)
            namespaces.removeAll { $0.type == type }
            namespaces.append(RuntimeSpec.Namespace(type: type, path: "/proc/\(pid)/ns/\(type == "network" ? "net" : type)"))
        }
        switch kernel.pidMode {
        case "host": drop("pid")
        case let mode where mode.hasPrefix("container:"): try join("pid", of: String(mode.dropFirst(10)), flag: "--pid")
        default: break
        }
        switch kernel.ipcMode {
        case "host":
            drop("ipc")
            mounts = mounts.map { mount in
                mount.destination == "/dev/shm" ? RuntimeSpec.Mount(destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind", "rprivate"]) : mount
            }
        case "none":
            mounts.removeAll { $0.destination == "/dev/shm" }
        case "shareable":
            try mountShareableShm(record.id, size: kernel.shmSize)
            mounts = mounts.map { mount in
                mount.destination == "/dev/shm" ? RuntimeSpec.Mount(destination: "/dev/shm", type: "bind", source: shmPath(record.id), options: ["rbind", "rprivate"]) : mount
            }
        case let mode where mode.hasPrefix("container:"):
            let owner = String(mode.dropFirst(10))
            let donor = try self.record(try resolve(owner))
            guard donor.spec.kernel.ipcMode == "shareable" || donor.spec.kernel.ipcMode == "host" else {
                throw .invalidArgument("--ipc \(mode): non-shareable IPC (hint: use --ipc shareable for the donor container)")
            }
            let pid = try runningPid(of: owner, flag: "--ipc")
            drop("ipc")
            let source = donor.spec.kernel.ipcMode == "host" ? "/dev/shm" : shmPath(donor.id)
            if donor.spec.kernel.ipcMode != "host" { namespaces.append(RuntimeSpec.Namespace(type: "ipc", path: "/proc/\(pid)/ns/ipc")) }
            mounts = mounts.map { mount in
                mount.destination == "/dev/shm" ? RuntimeSpec.Mount(destination: "/dev/shm", type: "bind", source: source, options: ["rbind", "rprivate"]) : mount
            }
        default: break
        }
        if kernel.utsMode == "host" {
            drop("uts")
            spec.hostname = nil
        } else if let domainname = kernel.domainname {
            spec.domainname = domainname
        }
        let privateCgroupns = kernel.cgroupnsMode == "private" || (kernel.cgroupnsMode.isEmpty && Self.cgroupV2)
        if privateCgroupns && !namespaces.contains(where: { $0.type == "cgroup" }) { namespaces.append(RuntimeSpec.Namespace(type: "cgroup")) }
        linux.namespaces = namespaces

        if kernel.cpuRealtimePeriod != nil || kernel.cpuRealtimeRuntime != nil || kernel.cpusetMems != nil {
            var cpu = resources.cpu ?? RuntimeSpec.CPU()
            cpu.realtimePeriod = kernel.cpuRealtimePeriod
            cpu.realtimeRuntime = kernel.cpuRealtimeRuntime
            cpu.mems = kernel.cpusetMems
            resources.cpu = cpu
        }
        if kernel.memoryReservation != nil || kernel.memorySwappiness != nil || kernel.kernelMemory != nil || kernel.oomKillDisable {
            var memory = resources.memory ?? RuntimeSpec.Memory()
            memory.reservation = kernel.memoryReservation
            memory.swappiness = kernel.memorySwappiness.map { UInt64($0) }
            memory.kernel = kernel.kernelMemory
            if kernel.oomKillDisable { memory.disableOOMKiller = true }
            resources.memory = memory
        }
        var blockIO = RuntimeSpec.BlockIO()
        blockIO.weight = kernel.blkioWeight
        func throttles(_ values: [DeviceValue], flag: String) throws(LighterError) -> [RuntimeSpec.BlockIO.ThrottleDevice]? {
            if values.isEmpty { return nil }
            var result: [RuntimeSpec.BlockIO.ThrottleDevice] = []
            for value in values {
                let (major, minor) = try Self.blockDevice(value.path, flag: flag)
                result.append(.init(major: major, minor: minor, rate: value.value))
            }
            return result
        }
        if !kernel.blkioWeightDevice.isEmpty {
            var weights: [RuntimeSpec.BlockIO.WeightDevice] = []
            for value in kernel.blkioWeightDevice {
                let (major, minor) = try Self.blockDevice(value.path, flag: "--blkio-weight-device")
                weights.append(.init(major: major, minor: minor, weight: UInt16(value.value)))
            }
            blockIO.weightDevice = weights
        }
        blockIO.throttleReadBpsDevice = try throttles(kernel.deviceReadBps, flag: "--device-read-bps")
        blockIO.throttleWriteBpsDevice = try throttles(kernel.deviceWriteBps, flag: "--device-write-bps")
        blockIO.throttleReadIOPSDevice = try throttles(kernel.deviceReadIOps, flag: "--device-read-iops")
        blockIO.throttleWriteIOPSDevice = try throttles(kernel.deviceWriteIOps, flag: "--device-write-iops")
        if !blockIO.isEmpty { resources.blockIO = blockIO }

        linux.resources = resources
        spec.process = process
        spec.linux = linux
        spec.mounts = mounts
    }

    /// True when /sys/fs/cgroup is the unified hierarchy.
    public static var cgroupV2: Bool { FileSystem.exists("/sys/fs/cgroup/cgroup.controllers") }

    /// The host pid of a running container named by `--pid/--ipc container:NAME`.
    private func runningPid(of name: String, flag: String) throws(LighterError) -> Int32 {
        let owner = try inspect(try resolve(name))
        let pid = owner.state.pid
        guard isRunning(owner), pid > 0 else {
            throw .conflict("\(flag) container:\(name): container \(owner.name) is not running")
        }
        return pid
    }

    /// The device nodes `--device` names: one node, or every node under a directory (as Docker).
    public static func deviceNodes(_ mapping: DeviceMapping) throws(LighterError) -> [RuntimeSpec.Device] {
        var st = stat()
        guard stat(mapping.hostPath, &st) == 0 else {
            throw .invalidArgument("--device \(mapping.hostPath): error gathering device information while adding custom device \"\(mapping.hostPath)\": \(String(cString: strerror(lighter_errno())))")
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFCHR || kind == S_IFBLK {
            return [RuntimeSpec.Device(type: kind == S_IFCHR ? "c" : "b", path: mapping.containerPath,
                                       major: Int64(lighter_major(UInt64(st.st_rdev))), minor: Int64(lighter_minor(UInt64(st.st_rdev))),
                                       fileMode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid)]
        }
        guard kind == S_IFDIR else {
            throw .invalidArgument("--device \(mapping.hostPath): not a device node")
        }
        var nodes: [RuntimeSpec.Device] = []
        for name in (try? FileSystem.list(mapping.hostPath)) ?? [] {
            let child = DeviceMapping(hostPath: "\(mapping.hostPath)/\(name)", containerPath: "\(mapping.containerPath)/\(name)", permissions: mapping.permissions)
            var childStat = stat()
            guard lstat(child.hostPath, &childStat) == 0 else { continue }
            let childKind = childStat.st_mode & S_IFMT
            if childKind == S_IFCHR || childKind == S_IFBLK || childKind == S_IFDIR { nodes += (try? deviceNodes(child)) ?? [] }
        }
        if nodes.isEmpty { throw .invalidArgument("--device \(mapping.hostPath): no device nodes in this directory") }
        return nodes
    }

    /// `--device-cgroup-rule 'c 1:3 mr'` (TYPE a|b|c, MAJOR and MINOR numbers or *, ACCESS some of rwm).
    public static func deviceRule(parsing text: String) throws(LighterError) -> RuntimeSpec.DeviceRule {
        let usage = "--device-cgroup-rule \"\(text)\": expected 'TYPE MAJOR:MINOR ACCESS' such as 'c 189:* rwm'"
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 3, ["a", "b", "c"].contains(parts[0]) else { throw .invalidArgument(usage) }
        let numbers = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard numbers.count == 2 else { throw .invalidArgument(usage) }
        func number(_ text: String) throws(LighterError) -> Int64? {
            if text == "*" { return nil }
            guard let value = Int64(text), value >= 0 else { throw .invalidArgument(usage) }
            return value
        }
        let access = parts[2]
        guard !access.isEmpty, access.allSatisfy({ "rwm".contains($0) }) else { throw .invalidArgument(usage) }
        return RuntimeSpec.DeviceRule(allow: true, type: parts[0], major: try number(numbers[0]), minor: try number(numbers[1]), access: access)
    }

    /// The major and minor numbers of a block device named by a throttle or weight flag.
    public static func blockDevice(_ path: String, flag: String) throws(LighterError) -> (Int64, Int64) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw .invalidArgument("\(flag) \(path): \(String(cString: strerror(lighter_errno())))")
        }
        guard st.st_mode & S_IFMT == S_IFBLK else { throw .invalidArgument("\(flag) \(path): not a block device") }
        return (Int64(lighter_major(UInt64(st.st_rdev))), Int64(lighter_minor(UInt64(st.st_rdev))))
    }
}
