import ArgumentParser

extension LighterCommand {
    /// Every subcommand, in the order `lighter --help` lists them. One line per command.
    static let allSubcommands: [any ParsableCommand.Type] = [
        RunCommand.self,
        CreateCommand.self,
        StartCommand.self,
        StopCommand.self,
        KillCommand.self,
        RestartCommand.self,
        RmCommand.self,
        PsCommand.self,
        LogsCommand.self,
        WaitCommand.self,
        InspectCommand.self,
        ContainerCommand.self,
        ImagesCommand.self,
        PullCommand.self,
        PushCommand.self,
        LoginCommand.self,
        LogoutCommand.self,
        ManifestCommand.self,
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
