#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterEngine
import LighterSystem

/// `top CONTAINER [ps OPTIONS]`: the container's processes as the host sees them. Without options,
/// busybox ps's columns (PID USER TIME COMMAND; host pids, host user names, CPU time as minutes:seconds);
/// with options (`-ef`, `aux`, `-o pid,comm`), the host's ps run with them and cut to the container's
/// processes, as Docker does.
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The container.") var container: String
    @Argument(parsing: .captureForPassthrough, help: "Options for the host's ps (e.g. -ef, aux, -o pid,comm).") var psOptions: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let processes = try engine.top(try engine.resolve(container))
            if !psOptions.isEmpty {
                for line in try TopCommand.hostPs(psOptions, pids: Set(processes.map(\.pid))) { Console.out(line) }
                return
            }
            let users = TopCommand.hostUsers()
            let ticks = max(1, Int(sysconf(Int32(_SC_CLK_TCK))))
            let rows = processes.map { process in
                let seconds = Int(process.cpuTicks) / ticks
                let time = "\(seconds / 60):" + (seconds % 60 < 10 ? "0" : "") + String(seconds % 60)
                return OutputRow(fields: [("PID", String(process.pid)), ("USER", users[process.uid] ?? String(process.uid)),
                                          ("TIME", time), ("COMMAND", process.command)])
            }
            let renderer = OutputRenderer(columns: [("PID", "PID"), ("USER", "USER"), ("TIME", "TIME"), ("COMMAND", "COMMAND")])
            for line in try renderer.render(rows, format: nil) { Console.out(line) }
        }
    }

    /// The host's `ps OPTIONS`: its header, and the lines whose PID column is one of `pids`.
    static func hostPs(_ options: [String], pids: Set<Int32>) throws(LighterError) -> [String] {
        let result = try HostCommand.capture(["ps"] + options)
        guard result.status == 0 else {
            throw .invalidArgument("ps \(options.joined(separator: " ")) failed: \(result.error.trimmed)")
        }
        let lines = result.output.split(separator: "\n").map(String.init)
        guard let header = lines.first, let column = header.split(separator: " ").firstIndex(of: "PID") else {
            throw .invalidArgument("couldn't find PID field in ps output (ps \(options.joined(separator: " ")))")
        }
        let matching = lines.dropFirst().filter { line in
            let fields = line.split(separator: " ")
            return fields.count > column && Int32(fields[column]).map(pids.contains) == true
        }
        return [header] + matching
    }

    /// uid → name from the host's /etc/passwd (as the host's ps shows them).
    static func hostUsers() -> [UInt32: String] {
        var users: [UInt32: String] = [:]
        for line in ((try? FileSystem.readString("/etc/passwd")) ?? "").split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count > 2, let uid = UInt32(fields[2]), users[uid] == nil { users[uid] = String(fields[0]) }
        }
        return users
    }
}
