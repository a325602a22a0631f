/// A set of options, flags and arguments read from the command line: a struct whose stored
/// properties are `@Option`, `@Flag`, `@Argument` and `@OptionGroup`. The parser makes an instance
/// with `init()`, finds those properties through `Mirror` and fills them in.
public protocol ParsableArguments: SendableMetatype {
    init()
    /// Checks the values together after parsing; a `ValidationError` is a usage error.
    mutating func validate() throws
}

extension ParsableArguments {
    public mutating func validate() throws {}
}

/// A command: its configuration (name, help, subcommands) and what it does.
public protocol ParsableCommand: ParsableArguments {
    static var configuration: CommandConfiguration { get }
    mutating func run() throws
}

extension ParsableCommand {
    public static var configuration: CommandConfiguration { CommandConfiguration() }

    /// A command without its own `run()` (a group of subcommands) shows its help.
    public mutating func run() throws {
        throw CommandError(path: [Self.self], failure: .helpRequested)
    }

    /// The word that names the command: its configuration's, else its type's name in kebab case.
    public static var _commandName: String {
        configuration.commandName ?? Names.kebab(String(describing: Self.self))
    }
}
