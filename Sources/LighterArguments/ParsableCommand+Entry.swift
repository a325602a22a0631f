#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ParsableCommand {
    /// The command the arguments name under this one (or this one), parsed and validated.
    public static func parseAsRoot(_ arguments: [String]? = nil) throws -> any ParsableCommand {
        try CommandParser(root: self).parse(arguments ?? Array(CommandLine.arguments.dropFirst()))
    }

    /// This command alone (no subcommand path) from `arguments`, parsed and validated.
    public static func parse(_ arguments: [String]) throws -> Self {
        let command = try CommandParser(root: self).parse(arguments)
        guard let this = command as? Self else { throw ValidationError("\(arguments) names a subcommand of \(_commandName)") }
        return this
    }

    /// Parse, run, exit: 0, the command's `ExitCode`, 64 for a usage error, 1 for other errors.
    public static func main(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Self.exit()
        } catch {
            Self.exit(withError: error)
        }
    }

    /// The help of this command, or of one of its subcommands.
    public static func helpMessage(for subcommand: (any ParsableCommand.Type)? = nil, columns: Int? = nil) -> String {
        guard let subcommand, subcommand != Self.self else { return HelpText.render(path: [self]) }
        return HelpText.render(path: CommandTree.path(to: subcommand, from: self) ?? [subcommand])
    }
}

extension ParsableArguments {
    /// The error's text alone: the usage error, the help asked for, or the error's description.
    public static func message(for error: any Error) -> String {
        switch error {
        case let error as CommandError:
            switch error.failure {
            case .helpRequested: return HelpText.render(path: error.path)
            case let .versionRequested(version): return version
            case let .usage(message, _), let .validation(message): return message
            }
        case let error as ValidationError: return error.message
        case let error as CleanExit: return error.description
        case is ExitCode: return ""
        default: return "\(error)"
        }
    }

    /// What the CLI prints for the error: a usage error with where the help is (Docker's layout,
    /// behind "Error: "), help text, or the error's description.
    public static func fullMessage(for error: any Error) -> String {
        switch error {
        case let error as CommandError:
            switch error.failure {
            case let .usage(message, showUsage):
                var text = "Error: \(message)\nSee '\(CommandPath.display(error.path)) --help'."
                if showUsage {
                    let command = error.path[error.path.count - 1]
                    text += "\n\nUsage:  \(HelpText.usage(error.path))"
                    if !command.configuration.abstract.isEmpty { text += "\n\n\(command.configuration.abstract)" }
                }
                return text
            case let .validation(message):
                return "Error: \(message)\nSee '\(CommandPath.display(error.path)) --help'."
            default: return message(for: error)
            }
        case let error as ValidationError:
            guard let command = self as? any ParsableCommand.Type else { return "Error: \(error.message)" }
            return "Error: \(error.message)\nSee '\(CommandPath.display([command])) --help'."
        case is CleanExit, is ExitCode: return message(for: error)
        default: return "Error: \(error)"
        }
    }

    /// The status the error ends the process with.
    public static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case let error as CommandError:
            switch error.failure {
            case .helpRequested, .versionRequested: return .success
            case .usage, .validation: return .validationFailure
            }
        case is ValidationError: return .validationFailure
        case is CleanExit: return .success
        case let code as ExitCode: return code
        default: return .failure
        }
    }

    /// Print what the error says (help and messages on standard output, errors on standard error) and exit.
    public static func exit(withError error: (any Error)? = nil) -> Never {
        guard let error else { terminate(0) }
        let code = exitCode(for: error)
        var text = fullMessage(for: error)
        if !text.isEmpty {
            if !text.hasSuffix("\n") { text += "\n" }
            Output.write(text, to: code.isSuccess ? 1 : 2)
        }
        terminate(code.rawValue)
    }
}

/// Walks a command tree.
enum CommandTree {
    /// The commands from `root` down to `target`, if `target` is in the tree.
    static func path(to target: any ParsableCommand.Type, from root: any ParsableCommand.Type) -> [any ParsableCommand.Type]? {
        if root == target { return [root] }
        for sub in root.configuration.subcommands {
            if let rest = path(to: target, from: sub) { return [root] + rest }
        }
        return nil
    }

    /// Every command path under `root` (root first), depth first.
    static func all(from root: [any ParsableCommand.Type]) -> [[any ParsableCommand.Type]] {
        guard let last = root.last else { return [] }
        return [root] + last.configuration.subcommands.flatMap { all(from: root + [$0]) }
    }
}

/// Ends the process (the static `exit(withError:)` hides the C function's name inside the protocols' extensions).
func terminate(_ code: Int32) -> Never {
    exit(code)
}

enum Output {
    /// All of `text` to descriptor `fd` (retrying EINTR and short writes; a closed pipe ends it).
    static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
