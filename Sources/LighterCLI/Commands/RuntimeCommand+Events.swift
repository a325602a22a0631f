#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterRuntime
import LighterSystem

extension RuntimeCommand {
    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events", abstract: "Print a container's resource usage as JSON events.",
            discussion: "One {\"type\":\"stats\",\"id\",\"data\"} line (runc's shape: cpu.usage.total, memory.usage.usage/limit, pids.current, blkio) every --interval until the container stops; with --stats one line.")
        @OptionGroup var options: Options
        @Flag(help: "Print the statistics once and exit.") var stats = false
        @Option(help: "Time between statistics (5s, 500ms, 1m).") var interval: String = "5s"
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in
                let microseconds = try Self.parseInterval(interval)
                while true {
                    let state = try options.runtime.state(id: id)
                    guard state.status != .stopped else {
                        if stats { throw .conflict("container \(id) is not running") }
                        return
                    }
                    Console.out(String(decoding: Self.event(id: id, stats: options.runtime.cgroup(of: state).stats()).serialized(), as: UTF8.self))
                    if stats { return }
                    usleep(microseconds)
                }
            }
        }

        static func event(id: String, stats: CgroupStats) -> JSONNode {
            let cpu = stats.cpuNanoseconds.map { JSONNode.object(["usage": JSONNode.object(["total": $0])]) }
            let memory = stats.memoryUsage.map { JSONNode.object(["usage": JSONNode.object(["usage": $0, "limit": stats.memoryLimit])]) }
            let pids = stats.pids.map { JSONNode.object(["current": $0]) }
            let blkio = stats.blockRead == nil && stats.blockWrite == nil ? nil : JSONNode.object(["read": stats.blockRead, "write": stats.blockWrite])
            return .object(["type": "stats", "id": id, "data": JSONNode.object(["cpu": cpu, "memory": memory, "pids": pids, "blkio": blkio])])
        }

        /// "5s", "500ms", "1m", "1.5s" → microseconds (at least 1 ms).
        static func parseInterval(_ text: String) throws(LighterError) -> UInt32 {
            let units: [(String, Double)] = [("ms", 1_000), ("s", 1_000_000), ("m", 60_000_000)]
            for (suffix, scale) in units where text.hasSuffix(suffix) {
                if let value = Double(text.dropLast(suffix.count)), value > 0, value * scale <= Double(UInt32.max) {
                    return UInt32(max(1_000, value * scale))
                }
                break
            }
            throw .invalidArgument("--interval \(text): expected a duration such as 5s, 500ms or 1m")
        }
    }
}
