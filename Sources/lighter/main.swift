import LighterBuild
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
    case StageWorker.command: StageWorker.main(arguments: CommandLine.arguments)
    case SSHAgent.guardCommand: SSHAgent.guardMain(arguments: CommandLine.arguments)
    case SSHForwarder.command: SSHForwarder.main(arguments: CommandLine.arguments)
    default: break
    }
}
// Through a link named runc or lighter-runc, the binary is the OCI runtime's CLI (for containerd, dockerd).
if let name = CommandLine.arguments.first?.split(separator: "/").last, RuntimeCommandLine.linkNames.contains(String(name)) {
    RuntimeCommandLine.main(Array(CommandLine.arguments.dropFirst()))
}
LighterCommand.runMain()
