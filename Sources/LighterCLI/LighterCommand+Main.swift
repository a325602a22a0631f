import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

extension LighterCommand {
    /// Entry point: accepts Docker-style global options before the subcommand
    /// (`lighter --root DIR images`) by moving them after it, then runs the command.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
        main(hoistGlobalOptions(arguments))
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
