import LighterCLI
import LighterEngine
import LighterRuntime

// Re-executions of lighter itself come first: no ArgumentParser, no threads.
if CommandLine.arguments.first.map({ $0 == ContainerReaper.path || $0.hasSuffix("/lighter-init") || $0 == "lighter-init" }) == true {
    ContainerReaper.main(arguments: CommandLine.arguments)
}
if CommandLine.arguments.count > 1 {
    switch CommandLine.arguments[1] {
    case ContainerInit.command: ContainerInit.main(arguments: CommandLine.arguments)
    case ContainerExec.command: ContainerExec.main(arguments: CommandLine.arguments)
    case ContainerMonitor.command: ContainerMonitor.main(arguments: CommandLine.arguments)
    default: break
    }
}

LighterCommand.runMain()
