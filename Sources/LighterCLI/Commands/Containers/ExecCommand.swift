import LighterArguments
import LighterEngine
import LighterSystem

/// `exec [-d] [-i] [-t] [--privileged] [-e K=V] [--env-file FILE] [-u USER] [-w DIR] CONTAINER COMMAND [ARG...]`.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", _superCommandName: "lighter", abstract: "Execute a command in a running container.")

    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("d"), .long], help: "Detached mode: run command in the background.") var detach = false
    @Flag(name: [.customShort("i"), .long], help: "Keep STDIN open.") var interactive = false
    @Flag(name: [.customShort("t"), .long], help: "Allocate a pseudo-TTY.") var tty = false
    @Flag(name: .long, help: "Give extended privileges to the command (all capabilities).") var privileged = false
    @Option(name: [.customShort("e"), .long], help: "Set environment variables (KEY=VALUE, or KEY to pass this process's value).") var env: [String] = []
    @Option(name: .long, help: "Read in a file of environment variables.") var envFile: [String] = []
    @Option(name: [.customShort("u"), .long], help: "Username or UID (format: <name|uid>[:<group|gid>]).") var user: String?
    @Option(name: [.customShort("w"), .long], help: "Working directory inside the container.") var workdir: String?
    @Argument(help: "The container.") var container: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments.") var command: [String] = []

    func run() throws {
        try guardedRun { () throws(LighterError) -> Int32 in
            guard !command.isEmpty else { throw .invalidArgument("\"exec\" requires at least 2 arguments: a container and a command") }
            if let bad = env.first(where: { $0.hasPrefix("=") || $0.isEmpty }) {
                throw .invalidArgument("invalid environment variable \"\(bad)\"")
            }
            let engine = try store.openEngine()
            var options = ExecOptions(command: command)
            for file in envFile { options.env += try ContainerFlags.environmentFile(file) }
            options.env += env
            options.user = user
            options.workingDir = workdir
            options.interactive = interactive
            options.tty = tty
            options.detach = detach
            options.privileged = privileged
            return try engine.exec(try engine.resolve(container), options)
        }
    }
}
