import LighterArguments
import LighterHost

extension OutputFormat: ExpressibleByArgument {}

/// `lighter check-config`: are the kernel options and the running system ready for Lighter?
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check the kernel config and the running system for what Lighter needs.",
        discussion: """
        Reads /proc/config.gz, then /boot/config-$(uname -r), or the file given (plain or gzip: e.g. a \
        Buildroot kernel .config before flashing). Without a file it also checks the running system: cgroup \
        mode and controllers, the kernel command line, overlayfs, binfmt_misc, nftables, sysctl limits.
        Exit status: 0 everything needed is there, 1 something required (with --strict: anything) is missing, \
        2 bad input.
        """
    )

    @Option(name: .long, help: "Check this kernel config file (plain or compressed) instead of the running kernel's.")
    var kernelConfig: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Print a kernel config fragment (CONFIG_X=y) for what is missing.")
    var fragment = false

    @Flag(name: .long, help: "Optional features count as required.")
    var strict = false

    func run() throws {
        let output = CheckConfig.run(.init(kernelConfig: kernelConfig, format: format, fragment: fragment, strict: strict,
                                           dataRoot: DataRoot.resolve(option: nil)))
        CommandOutput.emit(output)
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }
}
