#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterRuntime
import LighterSystem

extension RuntimeCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the containers under --root.", aliases: ["ls"])
        @OptionGroup var options: Options
        @Option(name: .shortAndLong, help: "table or json.")
        var format: String = "table"
        @Flag(name: .shortAndLong, help: "Print only the container ids.")
        var quiet = false

        func run() throws {
            try options.perform { () throws(LighterError) in
                guard format == "table" || format == "json" else { throw .invalidArgument("--format \(format): use table or json") }
                let states = try options.runtime.list()
                if quiet {
                    for state in states { Console.out(state.id) }
                    return
                }
                let users = TopCommand.hostUsers()
                func owner(_ state: ContainerState) -> String {
                    guard let info = FileSystem.lstatOrNil("\(options.root)/\(state.id)") else { return "" }
                    return users[info.st_uid] ?? "#\(info.st_uid)"
                }
                if format == "json" {
                    let items = states.map { state in
                        JSONNode.object(["ociVersion": state.ociVersion, "id": state.id, "pid": state.pid, "status": state.status.rawValue,
                                         "bundle": state.bundle, "rootfs": state.rootfs, "created": state.created,
                                         "annotations": state.annotations, "owner": owner(state)])
                    }
                    Console.out(String(decoding: JSONNode.array(items).serialized(), as: UTF8.self))
                    return
                }
                let rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]] + states.map { state in
                    [state.id, String(state.status == .stopped ? 0 : state.pid), state.status.rawValue, state.bundle, state.created, owner(state)]
                }
                let widths = (0..<6).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    let padded = row.enumerated().map { column, text in
                        column == 5 ? text : text + String(repeating: " ", count: widths[column] - text.count + 3)
                    }
                    Console.out(padded.joined())
                }
            }
        }
    }

    struct Ps: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ps", abstract: "List the processes of a container.",
            discussion: "With --format table (the default) the host's ps runs with the given options (default -ef) and only the container's lines are kept.")
        @OptionGroup var options: Options
        @Option(name: .shortAndLong, help: "table or json (a JSON array of the pids).")
        var format: String = "table"
        @Argument(help: "The container id.") var id: String
        @Argument(parsing: .captureForPassthrough, help: "Options for ps.") var psOptions: [String] = []

        func run() throws {
            try options.perform { () throws(LighterError) in
                guard format == "table" || format == "json" else { throw .invalidArgument("--format \(format): use table or json") }
                let pids = try options.runtime.processes(id: id).sorted()
                if format == "json" {
                    Console.out(String(decoding: JSONNode.array(pids.map(\.json)).serialized(), as: UTF8.self))
                    return
                }
                for line in try TopCommand.hostPs(psOptions.isEmpty ? ["-ef"] : psOptions, pids: Set(pids)) { Console.out(line) }
            }
        }
    }
}
