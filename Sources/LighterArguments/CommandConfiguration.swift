/// What a command is called, what its help says, and its subcommands.
public struct CommandConfiguration: Sendable {
    public var commandName: String?
    /// The words shown before the command's name when it is parsed as the root (`lighter` for `ps`).
    public var _superCommandName: String?
    public var abstract: String
    public var usage: String?
    public var discussion: String
    public var version: String
    /// Whether the parent's help lists the command.
    public var shouldDisplay: Bool
    public var subcommands: [any ParsableCommand.Type]
    /// The subcommand that runs when the arguments name none.
    public var defaultSubcommand: (any ParsableCommand.Type)?
    public var aliases: [String]

    public init(commandName: String? = nil, _superCommandName: String? = nil, abstract: String = "", usage: String? = nil,
                discussion: String = "", version: String = "", shouldDisplay: Bool = true,
                subcommands: [any ParsableCommand.Type] = [], defaultSubcommand: (any ParsableCommand.Type)? = nil,
                aliases: [String] = []) {
        self.commandName = commandName
        self._superCommandName = _superCommandName
        self.abstract = abstract
        self.usage = usage
        self.discussion = discussion
        self.version = version
        self.shouldDisplay = shouldDisplay
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
        self.aliases = aliases
    }
}
