import LighterArguments

/// `image` — the management command grouping image subcommands, as in Docker.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Manage images.",
        subcommands: [ImageLsCommand.self, ImageInspectCommand.self, ImageRemoveCommand.self, ImagePruneCommand.self, HistoryCommand.self,
                      TagCommand.self, ImportCommand.self, LoadCommand.self, SaveCommand.self, PullCommand.self, PushCommand.self, BuildCommand.self])
}

/// `image ls` (also `list` and `images`): the same command as the top-level `images`.
struct ImageLsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images.", aliases: ["list", "images"])
    @OptionGroup var options: ImagesOptions
    func run() throws { try options.run() }
}
