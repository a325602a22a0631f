#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import LighterEngine
import LighterSystem

/// `top CONTAINER`: the container's processes as the host sees them, in busybox ps's columns
/// (PID USER TIME COMMAND; host pids, host user names, CPU time as minutes:seconds).
struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The container.") var container: String
    @Argument(parsing: .captureForPassthrough, help: "ps options (not supported).") var psOptions: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard psOptions.isEmpty else {
                throw .unsupported(feature: "ps options for top (\(psOptions.joined(separator: " ")))", fix: "run `lighter top CONTAINER` without them")
            }
            let engine = try store.openEngine()
            let processes = try engine.top(try engine.resolve(container))
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
