import ArgumentParser
import LighterHost

/// `lighter info`: host facts in brief (cgroups, storage, security, emulation).
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the host's cgroup mode, storage driver, security options and emulation handlers."
    )

    @Option(name: .long, help: "Data root (default: $LIGHTER_ROOT, else /var/lib/lighter).")
    var root: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let output = HostInfo.run(format: format, dataRoot: DataRoot.resolve(option: root))
        CommandOutput.emit(output)
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }
}
