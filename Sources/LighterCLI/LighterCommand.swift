import LighterArguments
import LighterSystem

/// `lighter`: the root command. Subcommands live one per file under Commands/.
public struct LighterCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lighter",
        abstract: "A Docker-compatible container engine for embedded Linux boards.",
        version: LighterVersion.version,
        subcommands: LighterCommand.allSubcommands
    )

    public init() {}
}
