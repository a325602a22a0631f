import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

extension LighterCommand {
    /// Entry point: accepts Docker-style global options before the subcommand
    /// (`lighter --root DIR images`) by moving them after it, then runs the command.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        let arguments = hoistGlobalOptions(arguments)
        // The container commands are parsed on their own: building the whole command tree and
        // ArgumentParser's completion-script check cost more than the rest of `lighter run --rm`'s
        // argument handling. They name "lighter" as their super command, so usage and help read the same.
        // `run` and `create` skip ArgumentParser altogether (ContainerOption's table, ContainerCommandLine).
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
    private static func run(_ type: any ParsableCommand.Type, _ arguments: [String]) -> Never {
        do {
            var command = try type.parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch {
            // A command's own exit status (a container's, which may well be 64) passes unchanged, and
            // at once: ArgumentParser's exit(withError:) would build a help generator first (~1.5 ms).
            if let code = error as? ExitCode { Glibc.exit(code.rawValue) }
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
                Glibc.exit(125)
            }
            type.exit(withError: error)
        }
    }

    /// `--root DIR` / `--root=DIR` given before the subcommand path is moved to its end.
    static func hoistGlobalOptions(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--root") {
            if first == "--root", rest.count >= 2 {
                globals += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--root=") {
                globals.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !globals.isEmpty else { return arguments }
        // Insert after the subcommand words (those before the first option or argument that is not a command name).
        var commandWords = 0
        var type: any ParsableCommand.Type = LighterCommand.self
        for word in rest {
            guard let sub = type.configuration.subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else { break }
            type = sub
            commandWords += 1
        }
        return Array(rest.prefix(commandWords)) + globals + Array(rest.dropFirst(commandWords))
    }
}
