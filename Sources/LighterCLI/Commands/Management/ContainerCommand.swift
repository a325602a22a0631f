import LighterArguments

/// `container` — the management command grouping container subcommands, as in Docker.
struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Manage containers.",
        subcommands: [ContainerLsCommand.self, RunCommand.self, CreateCommand.self, StartCommand.self, StopCommand.self, KillCommand.self,
                      RestartCommand.self, RmCommand.self, WaitCommand.self, LogsCommand.self, InspectCommand.self, ContainerPruneCommand.self,
                      ExecCommand.self, PauseCommand.self, UnpauseCommand.self, TopCommand.self, StatsCommand.self, RenameCommand.self,
                      CpCommand.self, PortCommand.self, AttachCommand.self, ExportCommand.self, DiffCommand.self, UpdateCommand.self, CommitCommand.self])
}

/// `container ls` (also `list` and `ps`): the same command as the top-level `ps`.
struct ContainerLsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List containers.", aliases: ["list", "ps"])
    @OptionGroup var options: PsOptions
    func run() throws { try options.run() }
}
