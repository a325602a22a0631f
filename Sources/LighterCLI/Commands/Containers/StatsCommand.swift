#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterEngine
import LighterSystem

/// `stats [--no-stream] [-a] [--no-trunc] [--format] [CONTAINER...]`: usage from the containers' cgroups.
/// NET I/O from the container's network namespace (/proc/PID/net/dev), BLOCK I/O from its blkio/io cgroup.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Display a live stream of container(s) resource usage statistics.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: [.customShort("a"), .long], help: "Show all containers (default shows just running).") var all = false
    @Flag(name: .long, help: "Disable streaming stats and only pull the first result.") var noStream = false
    @Flag(name: .long, help: "Do not truncate output.") var noTrunc = false
    @Argument(help: "Containers (default: all running).") var containers: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            var ids: [String]
            if containers.isEmpty {
                ids = try engine.allIDs().filter { id in
                    guard let record = try? engine.inspect(id) else { return false }
                    return all || record.state.status == .running || record.state.status == .paused
                }
            } else {
                ids = try containers.map { (name) throws(LighterError) -> String in try engine.resolve(name) }
            }
            let renderer = StatsCommand.renderer
            while true {
                // Containers removed while streaming drop out.
                if !noStream { ids = ids.filter { (try? engine.record($0)) != nil } }
                let rows = try engine.stats(ids, interval: noStream ? 500_000 : 1_000_000).map(row)
                let lines = try renderer.render(rows, format: output.format)
                if noStream {
                    for line in lines { Console.out(line) }
                    return
                }
                Console.out("\u{1b}[2J\u{1b}[H" + lines.joined(separator: "\n"))
            }
        }
    }

    private func row(_ stats: ContainerStats) -> OutputRow {
        StatsCommand.row(id: stats.id, name: stats.name, cpuPercent: stats.cpuPercent, memory: (stats.memoryUsage, stats.memoryLimit),
                         network: (stats.networkReceived, stats.networkSent), block: (stats.blockRead, stats.blockWrite),
                         pids: stats.pids, noTrunc: noTrunc)
    }

    static let renderer = OutputRenderer(columns: [("ID", "CONTAINER ID"), ("Name", "NAME"), ("CPUPerc", "CPU %"),
                                                   ("MemUsage", "MEM USAGE / LIMIT"), ("MemPerc", "MEM %"), ("NetIO", "NET I/O"),
                                                   ("BlockIO", "BLOCK I/O"), ("PIDs", "PIDS")])

    /// One container's row (shared with the remote `stats`).
    static func row(id: String, name: String, cpuPercent: Double, memory: (usage: UInt64, limit: UInt64), network: (UInt64, UInt64),
                    block: (UInt64, UInt64), pids: UInt64, noTrunc: Bool) -> OutputRow {
        let shown = noTrunc ? id : String(id.prefix(12))
        let memoryPercent = memory.limit == 0 ? 0 : Double(memory.usage) * 100 / Double(memory.limit)
        return OutputRow(fields: [
            ("ID", shown), ("Container", shown), ("Name", name),
            ("CPUPerc", percent(cpuPercent)),
            ("MemUsage", "\(binarySize(memory.usage)) / \(binarySize(memory.limit))"),
            ("MemPerc", percent(memoryPercent)),
            ("NetIO", "\(decimalSize(network.0)) / \(decimalSize(network.1))"),
            ("BlockIO", "\(decimalSize(block.0)) / \(decimalSize(block.1))"),
            ("PIDs", String(pids)),
        ])
    }

    /// "12.34%".
    static func percent(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
    }

    /// Docker's units.HumanSizeWithPrecision(_, 3): decimal units, three significant digits ("1.23kB", "648B").
    static func decimalSize(_ bytes: UInt64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1000 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        var rounded = (value * scale).rounded() / scale
        if rounded >= 1000 && index < units.count - 1 { rounded /= 1000; index += 1 }
        var text = String(Int64(rounded))
        let fraction = Int64(((rounded - Double(Int64(rounded))) * scale).rounded())
        if decimals > 0 && fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: decimals - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + units[index]
    }

    /// Docker's units.BytesSize: four significant digits, binary units ("1.5MiB", "7.765GiB", "512B").
    static func binarySize(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024 && index < units.count - 1 {
            value /= 1024
            index += 1
        }
        var integerDigits = 1
        var magnitude = 10.0
        while value >= magnitude && integerDigits < 4 { integerDigits += 1; magnitude *= 10 }
        var scale = 1.0
        for _ in 0..<(4 - integerDigits) { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = Int64(scale)
        var text = String(scaled / whole)
        if whole > 1 {
            var fraction = String(scaled % whole)
            fraction = String(repeating: "0", count: String(whole).count - 1 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return text + units[index]
    }
}
