import ArgumentParser

extension LighterCommand {
    /// Every subcommand, in the order `lighter --help` lists them. One line per command.
    static let allSubcommands: [any ParsableCommand.Type] = [
        CheckConfigCommand.self,
        InfoCommand.self,
    ]
}
