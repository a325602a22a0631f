import LighterCLI
import LighterRuntime

// The container init must run before anything else (no ArgumentParser, no threads): see ContainerInit.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == ContainerInit.command {
    ContainerInit.main(arguments: CommandLine.arguments)
}

LighterCommand.runMain()
