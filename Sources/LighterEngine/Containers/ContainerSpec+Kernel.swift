import LighterSystem

/// What `run`/`create`'s device, cgroup and namespace flags asked for (`--device`, `--sysctl`,
/// `--pid`, `--blkio-weight` …), validated by the CLI and applied at each start
/// (`Engine.applyKernelSettings`). Device paths are kept as typed and resolved at start, as Docker does.
public struct KernelSettings: Sendable, Equatable {
    /// `--device HOST[:CONTAINER[:PERMISSIONS]]`.
    public var devices: [DeviceMapping] = []
    /// `--device-cgroup-rule 'TYPE MAJOR:MINOR ACCESS'`, kept as typed (validated at parse).
    public var deviceCgroupRules: [String] = []
    /// `--group-add`: group names (looked up in the container's /etc/group) or numbers.
    public var groupAdd: [String] = []
    public var oomScoreAdj: Int?
    public var oomKillDisable = false
    /// `--shm-size` in bytes (nil: Docker's 64 MiB).
    public var shmSize: Int64?
    public var sysctls: [String: String] = [:]
    /// `--pid`: "" (own namespace), "host" or "container:NAME".
    public var pidMode = ""
    /// `--ipc`: "" (private), "private", "shareable", "none", "host" or "container:NAME".
    public var ipcMode = ""
    /// `--uts`: "" (own namespace) or "host".
    public var utsMode = ""
    /// `--domainname`: the uts namespace's NIS domain name.
    public var domainname: String?
    /// `--cgroupns`: "" (Docker's default for the host: host on cgroup v1, private on v2), "host" or "private".
    public var cgroupnsMode = ""
    public var cpuRealtimePeriod: UInt64?
    public var cpuRealtimeRuntime: Int64?
    public var cpusetMems: String?
    public var memoryReservation: Int64?
    public var memorySwappiness: Int64?
    public var kernelMemory: Int64?
    public var blkioWeight: UInt16?
    public var blkioWeightDevice: [DeviceValue] = []
    public var deviceReadBps: [DeviceValue] = []
    public var deviceWriteBps: [DeviceValue] = []
    public var deviceReadIOps: [DeviceValue] = []
    public var deviceWriteIOps: [DeviceValue] = []

    public init() {}
    public var isEmpty: Bool { self == KernelSettings() }
}

/// `--device /dev/ttyUSB0:/dev/serial:rw`.
public struct DeviceMapping: Sendable, Equatable {
    public var hostPath: String
    public var containerPath: String
    /// Some of "rwm" (cgroup access).
    public var permissions: String

    public init(hostPath: String, containerPath: String, permissions: String) {
        self.hostPath = hostPath
        self.containerPath = containerPath
        self.permissions = permissions
    }
}

/// A block device and a number: `--blkio-weight-device /dev/sda:200`, `--device-read-bps /dev/sda:1mb`.
public struct DeviceValue: Sendable, Equatable {
    public var path: String
    public var value: UInt64

    public init(path: String, value: UInt64) {
        self.path = path
        self.value = value
    }
}

extension KernelSettings: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init()
        devices = try f.value("devices", default: devices)
        deviceCgroupRules = try f.value("deviceCgroupRules", default: deviceCgroupRules)
        groupAdd = try f.value("groupAdd", default: groupAdd)
        oomScoreAdj = try f.optional("oomScoreAdj")
        oomKillDisable = try f.value("oomKillDisable", default: oomKillDisable)
        shmSize = try f.optional("shmSize")
        sysctls = try f.value("sysctls", default: sysctls)
        pidMode = try f.value("pidMode", default: pidMode)
        ipcMode = try f.value("ipcMode", default: ipcMode)
        utsMode = try f.value("utsMode", default: utsMode)
        domainname = try f.optional("domainname")
        cgroupnsMode = try f.value("cgroupnsMode", default: cgroupnsMode)
        cpuRealtimePeriod = try f.optional("cpuRealtimePeriod")
        cpuRealtimeRuntime = try f.optional("cpuRealtimeRuntime")
        cpusetMems = try f.optional("cpusetMems")
        memoryReservation = try f.optional("memoryReservation")
        memorySwappiness = try f.optional("memorySwappiness")
        kernelMemory = try f.optional("kernelMemory")
        blkioWeight = try f.optional("blkioWeight")
        blkioWeightDevice = try f.value("blkioWeightDevice", default: blkioWeightDevice)
        deviceReadBps = try f.value("deviceReadBps", default: deviceReadBps)
        deviceWriteBps = try f.value("deviceWriteBps", default: deviceWriteBps)
        deviceReadIOps = try f.value("deviceReadIOps", default: deviceReadIOps)
        deviceWriteIOps = try f.value("deviceWriteIOps", default: deviceWriteIOps)
    }

    public var json: JSONNode {
        .object(["devices": devices, "deviceCgroupRules": deviceCgroupRules, "groupAdd": groupAdd, "oomScoreAdj": oomScoreAdj,
                 "oomKillDisable": oomKillDisable, "shmSize": shmSize, "sysctls": sysctls, "pidMode": pidMode, "ipcMode": ipcMode,
                 "utsMode": utsMode, "domainname": domainname, "cgroupnsMode": cgroupnsMode, "cpuRealtimePeriod": cpuRealtimePeriod,
                 "cpuRealtimeRuntime": cpuRealtimeRuntime, "cpusetMems": cpusetMems, "memoryReservation": memoryReservation,
                 "memorySwappiness": memorySwappiness, "kernelMemory": kernelMemory, "blkioWeight": blkioWeight,
                 "blkioWeightDevice": blkioWeightDevice, "deviceReadBps": deviceReadBps, "deviceWriteBps": deviceWriteBps,
                 "deviceReadIOps": deviceReadIOps, "deviceWriteIOps": deviceWriteIOps])
    }
}

extension DeviceMapping: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(hostPath: try f.required("hostPath"), containerPath: try f.required("containerPath"), permissions: try f.required("permissions"))
    }

    public var json: JSONNode { .object(["hostPath": hostPath, "containerPath": containerPath, "permissions": permissions]) }
}

extension DeviceValue: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(path: try f.required("path"), value: try f.required("value"))
    }

    public var json: JSONNode { .object(["path": path, "value": value]) }
}
