import LighterRuntime
import LighterSystem

/// What `update` changes; nil leaves a setting as it is.
public struct ContainerUpdate: Sendable, Equatable {
    public var memory: Int64?
    public var memorySwap: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?
    public var cpuShares: UInt64?
    public var cpusetCpus: String?
    public var pidsLimit: Int64?
    /// `--cpus` as Docker keeps it (CPUs × 10⁹), besides the quota and period it becomes.
    public var nanoCpus: Int64?
    public var restart: RestartPolicy?
    public init() {}
    public var isEmpty: Bool { self == ContainerUpdate() }
}

extension Engine {
    /// `update`: new limits for a container — its record, and its cgroups at once when it runs — and a
    /// new restart policy. The record changes only once the kernel took the limits.
    @discardableResult
    public func updateContainer(_ id: String, _ change: ContainerUpdate) throws(LighterError) -> ContainerRecord {
        try update(id) { (record) throws(LighterError) in
            if let restart = change.restart {
                if record.spec.autoRemove && restart != .no {
                    throw .invalidArgument("Restart policy cannot be updated because AutoRemove is enabled for the container")
                }
                record.spec.restart = restart
            }
            var limits = record.spec.resources
            if let memory = change.memory {
                limits.memory = memory
                // Docker's rule: a memory limit above the old memory+swap without a new one lifts swap to twice it.
                if change.memorySwap == nil, let swap = limits.memorySwap, swap >= 0, swap < memory { limits.memorySwap = memory * 2 }
            }
            if let swap = change.memorySwap {
                guard limits.memory != nil || swap < 0 else { throw .invalidArgument("--memory-swap needs a memory limit: give --memory as well") }
                if swap >= 0, let memory = limits.memory, swap < memory {
                    throw .invalidArgument("Minimum memoryswap limit should be larger than memory limit, see usage")
                }
                limits.memorySwap = swap
            }
            if let quota = change.cpuQuota { limits.cpuQuota = quota }
            // --cpus keeps Docker's NanoCpus; a quota or period given alone replaces it.
            if change.nanoCpus != nil || change.cpuQuota != nil || change.cpuPeriod != nil { limits.nanoCpus = change.nanoCpus }
            if let period = change.cpuPeriod { limits.cpuPeriod = period }
            if let shares = change.cpuShares { limits.cpuShares = shares }
            if let cpus = change.cpusetCpus { limits.cpusetCpus = cpus }
            if let pids = change.pidsLimit { limits.pidsLimit = pids > 0 ? pids : nil }
            if [.running, .paused, .restarting].contains(record.state.status), record.state.pid > 0 {
                var resources = RuntimeSpec.Resources()
                if change.memory != nil || change.memorySwap != nil {
                    resources.memory = RuntimeSpec.Memory(limit: limits.memory ?? -1, swap: change.memorySwap != nil || limits.memorySwap != record.spec.resources.memorySwap ? limits.memorySwap : nil)
                }
                if change.cpuQuota != nil || change.cpuPeriod != nil || change.cpuShares != nil || change.cpusetCpus != nil {
                    resources.cpu = RuntimeSpec.CPU(shares: change.cpuShares, quota: change.cpuQuota.map { _ in limits.cpuQuota ?? -1 },
                                                    period: change.cpuPeriod ?? (change.cpuQuota != nil ? limits.cpuPeriod : nil), cpus: change.cpusetCpus)
                }
                if let pids = change.pidsLimit { resources.pids = RuntimeSpec.Pids(limit: pids) }
                try runtime.update(id: record.id, resources: resources)
            }
            record.spec.resources = limits
            emit("update", record)
        }
    }
}
