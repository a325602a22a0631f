import LighterArguments
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension LighterCommand {
    /// Entry point: takes Docker-style global options before the subcommand (`lighter --root DIR
    /// binfmt status`), refuses an unknown command as Docker does, then runs the command.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        // Docker's global options in any order before the subcommand: --root, -H/--host and the TLS flags.
        var root: String?
        var hostFlags = RemoteHost.Flags()
        var arguments = arguments
        while true {
            let (taken, afterRoot) = takeGlobalOptions(arguments)
            if let taken { root = taken }
            let (flags, rest) = RemoteHost.takeFlags(afterRoot, into: hostFlags)
            hostFlags = flags
            if rest == arguments { break }
            arguments = rest
        }
        // Every command, nested or not, with or without a --root option of its own, reads the data
        // root through LIGHTER_ROOT; a --root after the subcommand still wins (it is read first).
        if let root { setenv("LIGHTER_ROOT", root, 1) }
        if let unknown = unknownCommand(arguments) {
            Console.error("lighter: '\(unknown.words)' is not a lighter command.\nSee '\(unknown.help) --help'")
            POSIX.exit(1)
        }
        // A host (-H, LIGHTER_HOST, DOCKER_HOST): the command runs against that Engine API. The daemon
        // and the OCI runtime serve this machine whatever the environment says.
        if hostFlags.host == nil, ["daemon", "runtime"].contains(arguments.first ?? "") {
            // Nor do the lighter processes the daemon starts (`build`, monitors) inherit a host.
            unsetenv("LIGHTER_HOST")
            unsetenv("DOCKER_HOST")
        } else {
            let host: RemoteHost?
            do throws(LighterError) {
                host = try RemoteHost.resolve(hostFlags) { name in getenv(name).map { String(cString: $0) } }
            } catch {
                Console.error("lighter: \(error)")
                POSIX.exit(125)
            }
            if let host { RemoteCommand.main(host, arguments) }
        }
        // The container commands are parsed on their own, without walking the whole command tree.
        // They name "lighter" as their super command, so usage and help read the same.
        // runc's callers put its global options before the subcommand: `runtime --root R create …`.
        if arguments.first == "runtime" {
            RuntimeCommandLine.run(RuntimeCommandLine.reorder(Array(arguments.dropFirst())))
        }
        // `run` and `create` skip LighterArguments altogether (ContainerOption's table, ContainerCommandLine).
        if let word = arguments.first, word == "run" || word == "create" {
            ContainerCommandMain.main(word, Array(arguments.dropFirst()))
        }
        if arguments.count > 1, arguments[0] == "container", arguments[1] == "run" || arguments[1] == "create" {
            ContainerCommandMain.main(arguments[1], Array(arguments.dropFirst(2)))
        }
        if let word = arguments.first, let command = directCommands.first(where: { $0._commandName == word }) {
            run(command, Array(arguments.dropFirst()))
        }
        run(LighterCommand.self, arguments)
    }

    /// The commands parsed directly, without the root.
    static let directCommands: [any ParsableCommand.Type] = [
        RunCommand.self, CreateCommand.self, StartCommand.self, StopCommand.self, KillCommand.self, RmCommand.self,
        WaitCommand.self, ExecCommand.self, PsCommand.self, InspectCommand.self, LogsCommand.self,
    ]

    /// Parse and run; usage errors exit with 125 as Docker's CLI does (help and version with 0).
    static func run(_ type: any ParsableCommand.Type, _ arguments: [String]) -> Never {
        var command = parseOrExit(type, arguments)
        do {
            try command.run()
            POSIX.exit(0)
        } catch {
            exit(type, error)
        }
    }

    /// The parsed command, or the usage error (or help) printed and the process ended.
    static func parseOrExit(_ type: any ParsableCommand.Type, _ arguments: [String]) -> any ParsableCommand {
        do {
            return try type.parseAsRoot(arguments)
        } catch {
            exit(type, error)
        }
    }

    private static func exit(_ type: any ParsableCommand.Type, _ error: any Error) -> Never {
        // A command's own exit status (a container's, which may well be 64) passes unchanged.
        if let code = error as? ExitCode { POSIX.exit(code.rawValue) }
        if type.exitCode(for: error) == .validationFailure {
            // Parsed as a root, a direct command's hint would lack the "lighter " before its name.
            let bare = "See '\(type._commandName) "
            let message = type.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false).map { line in
                let text = line.drop { $0 == " " }
                guard type != LighterCommand.self, text.hasPrefix(bare) else { return String(line) }
                return line.prefix(line.count - text.count) + "See 'lighter " + text.dropFirst(5)
            }.joined(separator: "\n")
            // Every error of Lighter's starts with "lighter: ", as Docker's with "docker: ".
            if message.hasPrefix("Error: ") { Console.error("lighter: " + message.dropFirst(7)) } else if !message.isEmpty { Console.error(message) }
            POSIX.exit(125)
        }
        type.exit(withError: error)
    }

    /// `--root DIR` / `--root=DIR` before the subcommand path: its value and the other arguments.
    static func takeGlobalOptions(_ arguments: [String]) -> (root: String?, rest: [String]) {
        var root: String?
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--root") {
            if first == "--root", rest.count >= 2 {
                root = rest.dropFirst().first
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--root=") {
                root = String(first.dropFirst(7))
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        return (root, Array(rest))
    }

    /// The command words of an unknown command (`bogus`, `container bogus`) and the command whose
    /// help to point at; nil when the words name commands (options and arguments are the command's).
    static func unknownCommand(_ arguments: [String]) -> (words: String, help: String)? {
        var type: any ParsableCommand.Type = LighterCommand.self
        var path: [String] = []
        for word in arguments {
            let subcommands = type.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            guard let sub = subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else {
                if type.configuration.defaultSubcommand != nil { return nil }
                return ((path + [word]).joined(separator: " "), (["lighter"] + path).joined(separator: " "))
            }
            type = sub
            path.append(word)
        }
        return nil
    }

    /// The host values that mean "this machine": set in the environment, they keep the daemonless path.
    static let localHosts: Set<String> = ["unix:///var/run/docker.sock", "unix:///run/docker.sock", "unix:///run/lighter/lighter.sock"]
}
