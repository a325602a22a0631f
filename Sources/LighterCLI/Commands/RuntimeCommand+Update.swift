#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterRuntime
import LighterSystem

extension RuntimeCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update", abstract: "Change a container's cgroup limits.",
            discussion: "From a linux.resources JSON (-r FILE, - for stdin, as containerd's shim sends it) and/or the flags (which win).")
        @OptionGroup var options: Options
        @Option(name: [.customShort("r"), .long], help: "A JSON file of linux.resources (- reads stdin).")
        var resources: String?
        @Option(help: "Memory limit (bytes, or with a unit: 64m).") var memory: String?
        @Option(help: "Memory soft limit.") var memoryReservation: String?
        @Option(help: "Memory plus swap limit (-1: unlimited).") var memorySwap: String?
        @Option(help: "CPU shares (relative weight).") var cpuShare: UInt64?
        @Option(help: "CPU CFS period (µs).") var cpuPeriod: UInt64?
        @Option(help: "CPU CFS quota (µs).") var cpuQuota: Int64?
        @Option(help: "Real-time period (µs).") var cpuRtPeriod: UInt64?
        @Option(help: "Real-time runtime (µs).") var cpuRtRuntime: Int64?
        @Option(help: "CPUs the container may use (0-3, 0,1).") var cpusetCpus: String?
        @Option(help: "Memory nodes the container may use.") var cpusetMems: String?
        @Option(help: "Maximum number of tasks (0 or -1: unlimited).") var pidsLimit: Int64?
        @Option(help: "Block I/O weight (10-1000).") var blkioWeight: UInt16?
        @Option(help: "Kernel memory limit (refused: cgroup v2 and recent kernels have none).") var kernelMemory: String?
        @Option(help: "Kernel TCP memory limit (refused).") var kernelMemoryTcp: String?
        @Option(help: "Intel RDT L3 cache schema (refused).") var l3CacheSchema: String?
        @Option(help: "Intel RDT memory bandwidth schema (refused).") var memBwSchema: String?
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in
                for (flag, value) in [("--kernel-memory", kernelMemory), ("--kernel-memory-tcp", kernelMemoryTcp),
                                      ("--l3-cache-schema", l3CacheSchema), ("--mem-bw-schema", memBwSchema)] where value != nil {
                    throw .unsupported(feature: flag, fix: "Lighter does not set kernel memory or Intel RDT limits; drop \(flag)")
                }
                var update = try fromFile()
                func size(_ text: String?, _ flag: String) throws(LighterError) -> Int64? {
                    guard let text else { return nil }
                    if let number = Int64(text), number >= -1 { return number }
                    return try ByteSize.parse(text, flag: flag)
                }
                let memoryFlags = (try size(memory, "--memory"), try size(memoryReservation, "--memory-reservation"), try size(memorySwap, "--memory-swap"))
                if memoryFlags.0 != nil || memoryFlags.1 != nil || memoryFlags.2 != nil {
                    var value = update.memory ?? RuntimeSpec.Memory()
                    if let limit = memoryFlags.0 { value.limit = limit }
                    if let reservation = memoryFlags.1 { value.reservation = reservation }
                    if let swap = memoryFlags.2 { value.swap = swap }
                    update.memory = value
                }
                if cpuShare != nil || cpuPeriod != nil || cpuQuota != nil || cpuRtPeriod != nil || cpuRtRuntime != nil || cpusetCpus != nil || cpusetMems != nil {
                    var value = update.cpu ?? RuntimeSpec.CPU()
                    if let cpuShare { value.shares = cpuShare }
                    if let cpuPeriod { value.period = cpuPeriod }
                    if let cpuQuota { value.quota = cpuQuota }
                    if let cpuRtPeriod { value.realtimePeriod = cpuRtPeriod }
                    if let cpuRtRuntime { value.realtimeRuntime = cpuRtRuntime }
                    if let cpusetCpus { value.cpus = cpusetCpus }
                    if let cpusetMems { value.mems = cpusetMems }
                    update.cpu = value
                }
                if let pidsLimit { update.pids = RuntimeSpec.Pids(limit: pidsLimit) }
                if let blkioWeight {
                    var value = update.blockIO ?? RuntimeSpec.BlockIO()
                    value.weight = blkioWeight
                    update.blockIO = value
                }
                try options.runtime.update(id: id, resources: update)
            }
        }

        private func fromFile() throws(LighterError) -> RuntimeSpec.Resources {
            guard let resources else { return RuntimeSpec.Resources() }
            let bytes: [UInt8]
            if resources == "-" {
                var all: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = try syscall("read", "stdin") { read(0, &buffer, buffer.count) }
                    if n == 0 { break }
                    all += buffer[0..<n]
                }
                bytes = all
            } else {
                guard let read = try? FileSystem.readFile(resources) else { throw .invalidArgument("--resources \(resources): cannot read the file") }
                bytes = read
            }
            return try RuntimeSpec.Resources(jsonBytes: bytes, what: "--resources \(resources)")
        }
    }

    /// `checkpoint` and `restore`: refused (no CRIU support), with every runc flag accepted so the
    /// refusal, not a usage error, is what the caller sees.
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Checkpoint a container (not available: Lighter has no CRIU support).")
        @OptionGroup var options: Options
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []

        func run() throws {
            try options.perform { () throws(LighterError) in
                throw .unsupported(feature: "checkpoint", fix: "Lighter's runtime does not checkpoint containers (no CRIU support); stop and recreate the container instead")
            }
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a container (not available: Lighter has no CRIU support).")
        @OptionGroup var options: Options
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []

        func run() throws {
            try options.perform { () throws(LighterError) in
                throw .unsupported(feature: "restore", fix: "Lighter's runtime does not restore checkpoints (no CRIU support); create the container from its bundle instead")
            }
        }
    }
}
