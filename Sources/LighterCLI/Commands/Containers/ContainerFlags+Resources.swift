import LighterEngine
import LighterSystem

/// The raw values of `run`/`create`'s device, cgroup and namespace flags, as typed (numbers too,
/// so "-1" and sizes such as "64m" reach one validator): `apply(to:)` validates them with Docker's
/// rules and sets the spec.
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

    func apply(to spec: inout ContainerSpec) throws(LighterError) {
        guard self == KernelFlags() else {
            throw .unsupported(feature: "device, cgroup and namespace flags", fix: "not implemented yet")
        }
    }
}
