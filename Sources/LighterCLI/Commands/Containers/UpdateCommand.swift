#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterEngine
import LighterSystem

/// `update [OPTIONS] CONTAINER...`: new resource limits (applied at once to running containers) and restart policy.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "Update configuration of one or more containers.")
    @OptionGroup var store: StoreOptions
    @Option(name: .shortAndLong, help: "Memory limit.") var memory: String?
    @Option(name: .long, parsing: .unconditional, help: "Swap limit equal to memory plus swap: -1 to enable unlimited swap.") var memorySwap: String?
    @Option(name: .long, help: "Number of CPUs.") var cpus: String?
    @Option(name: [.customShort("c"), .long], help: "CPU shares (relative weight).") var cpuShares: UInt64?
    @Option(name: .long, help: "Limit CPU CFS (Completely Fair Scheduler) period.") var cpuPeriod: UInt64?
    @Option(name: .long, parsing: .unconditional, help: "Limit CPU CFS (Completely Fair Scheduler) quota (-1: none).") var cpuQuota: Int64?
    @Option(name: .long, help: "CPUs in which to allow execution (0-3, 0,1).") var cpusetCpus: String?
    @Option(name: .long, parsing: .unconditional, help: "Tune container pids limit (set -1 for unlimited).") var pidsLimit: Int64?
    @Option(name: .long, help: "Restart policy to apply when a container exits.") var restart: String?
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        let change: ContainerUpdate
        do {
            change = try makeChange()
        } catch {
            throw reportAndExit(error, code: 1)
        }
        var failed = false
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            for container in containers {
                do {
                    try engine.updateContainer(try engine.resolve(container), change)
                    Console.out(container)
                } catch {
                    Console.error("lighter: Error response from daemon: Cannot update container \(container): \(error)")
                    failed = true
                }
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// The flags, validated with run's rules.
    func makeChange() throws(LighterError) -> ContainerUpdate {
        guard !containers.isEmpty else { throw .invalidArgument("\"update\" requires at least 1 argument") }
        var change = ContainerUpdate()
        if let memory {
            let bytes = try ByteSize.parse(memory, flag: "--memory")
            guard bytes >= 6 * 1024 * 1024 else { throw .invalidArgument("--memory \(memory): minimum memory limit allowed is 6MB") }
            change.memory = bytes
        }
        if let memorySwap {
            if memorySwap == "-1" { change.memorySwap = -1 } else { change.memorySwap = try ByteSize.parse(memorySwap, flag: "--memory-swap") }
        }
        if let cpus {
            let available = Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            guard let value = Double(cpus), value >= 0.01, value <= available else {
                throw .invalidArgument("--cpus \(cpus): range of CPUs is from 0.01 to \(Int(available)).00, as there are only \(Int(available)) CPUs available")
            }
            guard cpuQuota == nil && cpuPeriod == nil else {
                throw .invalidArgument("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set")
            }
            change.cpuPeriod = 100_000
            change.cpuQuota = Int64(value * 100_000)
            change.nanoCpus = Int64(value * 1_000_000_000)
        }
        if let cpuQuota { change.cpuQuota = cpuQuota }
        if let cpuPeriod { change.cpuPeriod = cpuPeriod }
        if let cpuShares {
            guard cpuShares >= 2 else { throw .invalidArgument("--cpu-shares \(cpuShares): the minimum is 2") }
            change.cpuShares = cpuShares
        }
        if let cpusetCpus {
            guard !cpusetCpus.isEmpty, cpusetCpus.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }) else {
                throw .invalidArgument("--cpuset-cpus \(cpusetCpus): expected a list such as 0-2 or 0,1")
            }
            change.cpusetCpus = cpusetCpus
        }
        if let pidsLimit { change.pidsLimit = pidsLimit }
        if let restart { change.restart = try RestartPolicy(parsing: restart) }
        guard !change.isEmpty else { throw .invalidArgument("you must provide one or more flags when using this command") }
        return change
    }
}
