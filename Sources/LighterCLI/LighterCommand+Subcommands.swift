import ArgumentParser

extension LighterCommand {
    /// Every subcommand, in the order `lighter --help` lists them. One line per command.
    static let allSubcommands: [any ParsableCommand.Type] = [
        ImagesCommand.self,
        ImportCommand.self,
        LoadCommand.self,
        SaveCommand.self,
        TagCommand.self,
        RmiCommand.self,
        HistoryCommand.self,
        ImageCommand.self,
        SystemCommand.self,
        RuntimeCommand.self,
        CheckConfigCommand.self,
        InfoCommand.self,
    ]
}
