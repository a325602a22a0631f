#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterOCI
import LighterRuntime
import LighterSystem

/// `lighter runtime …`: the OCI runtime with runc's command line.
struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run OCI bundles (runc-compatible: create, start, state, kill, delete, run, exec, pause, resume, list, ps, features, update, events).",
        discussion: "The global options (--root, --log, --log-format, --debug) may also come before the subcommand, as runc takes them.",
        subcommands: [Spec.self, Create.self, Start.self, State.self, Kill.self, Delete.self, Run.self, Exec.self, Pause.self, Resume.self,
                      List.self, Ps.self, Features.self, Update.self, Events.self, Checkpoint.self, Restore.self]
    )

    struct Spec: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a Docker-like default config.json into the bundle.")
        @OptionGroup var options: Options
        @Option(name: .shortAndLong, help: "The bundle directory.")
        var bundle: String = "."
        @Argument(help: "The container command (default: sh).") var args: [String] = ["sh"]

        func run() throws {
            try options.perform { () throws(LighterError) in
                let path = "\(bundle)/config.json"
                guard !FileSystem.exists(path) else { throw .conflict("\(path) already exists") }
                try FileSystem.writeDurably(RuntimeSpec.dockerDefault(args: args).jsonBytes(pretty: true), to: path)
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a container; its process waits for `start`.")
        @OptionGroup var options: Options
        @Option(name: .shortAndLong, help: "The bundle directory (holds config.json).")
        var bundle: String = "."
        @Option(help: "Unix socket that receives the pseudo-terminal master when process.terminal is set.")
        var consoleSocket: String?
        @Option(help: "Write the container init's pid to this file.")
        var pidFile: String?
        @OptionGroup var setUp: SetUpFlags
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in
                let runtime = try setUp.runtime(options)
                let created = try runtime.create(id: id, bundle: bundle)
                do throws(LighterError) {
                    try RuntimeCommand.writePidFile(created.state.pid, to: pidFile)
                    guard let terminal = created.terminal else {
                        if let consoleSocket {
                            throw .invalidArgument("--console-socket \(consoleSocket): process.terminal is not set, so there is no terminal to send")
                        }
                        return
                    }
                    guard let consoleSocket else {
                        throw .invalidArgument("process.terminal needs --console-socket to hand the terminal to")
                    }
                    try ConsoleSocket.send(terminal, to: consoleSocket)
                } catch {
                    try? options.runtime.delete(id: id, force: true)
                    throw error
                }
            }
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a created container's process.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in try options.runtime.start(id: id) }
        }
    }

    struct State: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in
                let state = try options.runtime.state(id: id)
                let text = state.jsonBytes(pretty: true) + [0x0a]
                _ = text.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            }
        }
    }

    struct Kill: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default TERM) to a container.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String
        @Argument(help: "Signal name or number.") var signal: String = "TERM"
        @Flag(name: .shortAndLong, help: "Send the signal to every process of the container, not only its init.")
        var all = false

        func run() throws {
            try options.perform { () throws(LighterError) in
                let number = try Signals.parse(signal)
                if all { try options.runtime.killAll(id: id, signal: number) } else { try options.runtime.kill(id: id, signal: number) }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a container's cgroups and state.")
        @OptionGroup var options: Options
        @Flag(name: .shortAndLong, help: "Kill the container first if it is still running.")
        var force = false
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in
                do throws(LighterError) { try options.runtime.delete(id: id, force: force) } catch .notFound where force {
                    // runc's --force: a container that is already gone (or never got its state) is not an error.
                    try options.runtime.removeLeftovers(id: id)
                }
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Create, start and wait for a container; exit with its status.")
        @OptionGroup var options: Options
        @Option(name: .shortAndLong, help: "The bundle directory (holds config.json).")
        var bundle: String = "."
        @Option(help: "Write the container init's pid to this file.")
        var pidFile: String?
        @OptionGroup var setUp: SetUpFlags
        @Argument(help: "The container id.") var id: String

        func run() throws {
            var code: Int32 = 0
            try options.perform { () throws(LighterError) in
                code = try setUp.runtime(options).run(id: id, bundle: bundle, forwardSignals: true) { state throws(LighterError) in
                    try RuntimeCommand.writePidFile(state.pid, to: pidFile)
                }.code
            }
            if code != 0 { throw ExitCode(code) }
        }
    }

    struct Exec: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exec",
            abstract: "Run a process in a running container (its namespaces, cgroups, seccomp profile).",
            discussion: "The process is the container's own (config.json) with the command and flags applied, or the one in --process.")
        @OptionGroup var options: Options
        @Option(name: [.customShort("p"), .long], help: "A JSON file holding the process (config.json's process object).")
        var process: String?
        @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-terminal (this process's stdio is relayed to it).")
        var tty = false
        @Option(name: .long, help: "Current working directory in the container.")
        var cwd: String?
        @Option(name: [.customShort("e"), .long], help: "Set an environment variable (NAME=VALUE).")
        var env: [String] = []
        @Option(name: [.customShort("u"), .long], help: "UID[:GID] to run as.")
        var user: String?
        @Flag(name: [.customShort("d"), .long], help: "Detach: return once the process runs.")
        var detach = false
        @Option(help: "With --detach and a terminal: the Unix socket that receives the pseudo-terminal master.")
        var consoleSocket: String?
        @Option(help: "Write the process's pid to this file. With --detach the process then has no reaper of its own: the caller (a sub-reaper, as containerd's shim) waits for it.")
        var pidFile: String?
        @Argument(help: "The container id.") var id: String
        @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (not with --process).") var command: [String] = []

        func run() throws {
            var code: Int32 = 0
            try options.perform { () throws(LighterError) in
                var process = try baseProcess()
                if let cwd {
                    guard cwd.hasPrefix("/") else { throw .invalidArgument("--cwd \(cwd): the working directory must be an absolute path") }
                    process.cwd = cwd
                }
                for entry in env {
                    guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                        throw .invalidArgument("--env \(entry): expected NAME=VALUE")
                    }
                    let name = entry[..<equals]
                    process.env = (process.env ?? []).filter { $0.prefix { $0 != "=" } != name } + [entry]
                }
                if let user { process.user = try Self.parseUser(user) }
                if tty { process.terminal = true }
                if detach && process.terminal == true && consoleSocket == nil {
                    throw .invalidArgument("--detach with a terminal needs --console-socket to hand the terminal to (or drop --tty / process.terminal)")
                }
                if let consoleSocket, !(detach && process.terminal == true) {
                    throw .invalidArgument("--console-socket \(consoleSocket) is for --detach with a terminal (--tty or process.terminal)")
                }
                let status = try options.runtime.exec(id: id, process: process, stdio: .inherit, detach: detach, callerReaps: pidFile != nil,
                                                      forwardSignals: !detach) { pid, terminal throws(LighterError) in
                    if let consoleSocket, let terminal { try ConsoleSocket.send(terminal, to: consoleSocket) }
                    try RuntimeCommand.writePidFile(pid, to: pidFile)
                }
                code = status?.code ?? 0
            }
            if code != 0 { throw ExitCode(code) }
        }

        /// The --process file, or the container's own process running `command`.
        private func baseProcess() throws(LighterError) -> RuntimeSpec.Process {
            if let process {
                guard command.isEmpty else { throw .invalidArgument("--process \(process) and a command are exclusive: give one of them") }
                guard let bytes = try? FileSystem.readFile(process) else { throw .invalidArgument("--process \(process): cannot read the file") }
                let decoded = try RuntimeSpec.Process(jsonBytes: bytes, what: "--process \(process)")
                guard !decoded.args.isEmpty else { throw .invalidArgument("--process \(process): args is empty") }
                return decoded
            }
            guard !command.isEmpty else { throw .invalidArgument("exec needs a command after the container id (or --process FILE)") }
            var base = try options.runtime.process(id: id)
            base.args = command
            base.terminal = nil
            return base
        }

        /// `UID[:GID]`, numbers as runc takes them.
        static func parseUser(_ text: String) throws(LighterError) -> RuntimeSpec.User {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, let uid = UInt32(parts[0]), parts.count == 1 || UInt32(parts[1]) != nil else {
                throw .invalidArgument("--user \(text): expected UID[:GID] (numbers)")
            }
            return RuntimeSpec.User(uid: uid, gid: parts.count == 2 ? UInt32(parts[1])! : 0)
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Freeze every process of a running container.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in try options.runtime.pause(id: id) }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Thaw a paused container.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try options.perform { () throws(LighterError) in try options.runtime.resume(id: id) }
        }
    }
}
