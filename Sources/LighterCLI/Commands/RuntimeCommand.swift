#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import LighterOCI
import LighterRuntime
import LighterSystem

/// `lighter runtime …`: the OCI runtime with runc's command line.
struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run OCI bundles (runc-compatible: create, start, state, kill, delete, run).",
        subcommands: [Spec.self, Create.self, Start.self, State.self, Kill.self, Delete.self, Run.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Directory for container state.")
        var root: String = Runtime.defaultRoot

        var runtime: Runtime { Runtime(root: root) }
    }

    /// Run `body`; a LighterError prints as "lighter: …" and exits with its exit code (125, 126, 127, 1).
    static func perform(_ body: () throws(LighterError) -> Void) throws {
        do {
            try body()
        } catch {
            let line = Array("lighter: \(error.description)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            throw ExitCode(error.exitCode)
        }
    }

    struct Spec: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "spec", abstract: "Write a Docker-like default config.json into the bundle.")
        @Option(name: .shortAndLong, help: "The bundle directory.")
        var bundle: String = "."
        @Argument(help: "The container command (default: sh).") var args: [String] = ["sh"]

        func run() throws {
            try RuntimeCommand.perform { () throws(LighterError) in
                let path = "\(bundle)/config.json"
                guard !FileSystem.exists(path) else { throw .conflict("\(path) already exists") }
                try FileSystem.writeDurably(try JSON.encode(RuntimeSpec.dockerDefault(args: args), pretty: true), to: path)
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
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try RuntimeCommand.perform { () throws(LighterError) in
                let created = try options.runtime.create(id: id, bundle: bundle)
                guard let terminal = created.terminal else { return }
                do throws(LighterError) {
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
            try RuntimeCommand.perform { () throws(LighterError) in try options.runtime.start(id: id) }
        }
    }

    struct State: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "state", abstract: "Print a container's state as JSON.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String

        func run() throws {
            try RuntimeCommand.perform { () throws(LighterError) in
                let state = try options.runtime.state(id: id)
                let text = Array(try JSON.encode(state, pretty: true)) + [0x0a]
                _ = text.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            }
        }
    }

    struct Kill: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "kill", abstract: "Send a signal (default TERM) to a container.")
        @OptionGroup var options: Options
        @Argument(help: "The container id.") var id: String
        @Argument(help: "Signal name or number.") var signal: String = "TERM"

        func run() throws {
            try RuntimeCommand.perform { () throws(LighterError) in
                try options.runtime.kill(id: id, signal: try Signals.parse(signal))
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
            try RuntimeCommand.perform { () throws(LighterError) in try options.runtime.delete(id: id, force: force) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Create, start and wait for a container; exit with its status.")
        @OptionGroup var options: Options
        @Option(name: .shortAndLong, help: "The bundle directory (holds config.json).")
        var bundle: String = "."
        @Argument(help: "The container id.") var id: String

        func run() throws {
            var code: Int32 = 0
            try RuntimeCommand.perform { () throws(LighterError) in
                code = try options.runtime.run(id: id, bundle: bundle, forwardSignals: true).code
            }
            if code != 0 { throw ExitCode(code) }
        }
    }
}
