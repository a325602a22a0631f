import ArgumentParser
import LighterEngine
import LighterSystem

/// `run [OPTIONS] IMAGE [COMMAND] [ARG...]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", _superCommandName: "lighter", abstract: "Create and run a new container from an image.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var options: ContainerCreateOptions
    @Flag(name: [.customShort("d"), .long], help: "Run container in background and print container ID.") var detach = false
    @Flag(name: .long, help: "Automatically remove the container when it exits.") var rm = false
    @Argument(help: "The image to run.") var image: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments.") var command: [String] = []

    func run() throws {
        try Self.execute(commandLine)
    }

    var commandLine: ContainerCommandLine {
        ContainerCommandLine(root: store.root, flags: options.flags, detach: detach, rm: rm, image: image, command: command)
    }

    /// `run`, however its arguments were read.
    static func execute(_ line: ContainerCommandLine) throws(ExitCode) {
        try guardedRun { () throws(LighterError) -> Int32 in
            let engine = try StoreOptions.resolve(line.root).openEngine()
            let record = try engine.create(try line.flags.spec(image: line.image, command: line.command, autoRemove: line.rm), name: line.flags.name)
            if line.detach {
                do throws(LighterError) {
                    try engine.startDetached(record.id, justCreated: true)
                } catch {
                    if line.rm { try? engine.remove(record.id, force: true) }
                    throw error
                }
                Console.out(record.id)
                return 0
            }
            return try engine.runAttached(record.id, interactive: line.flags.interactive, justCreated: true)
        }
    }
}

/// `create [OPTIONS] IMAGE [COMMAND] [ARG...]`.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", _superCommandName: "lighter", abstract: "Create a new container.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var options: ContainerCreateOptions
    @Flag(name: .long, help: "Automatically remove the container when it exits.") var rm = false
    @Argument(help: "The image.") var image: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments.") var command: [String] = []

    func run() throws {
        try Self.execute(commandLine)
    }

    var commandLine: ContainerCommandLine {
        ContainerCommandLine(root: store.root, flags: options.flags, rm: rm, image: image, command: command)
    }

    /// `create`, however its arguments were read.
    static func execute(_ line: ContainerCommandLine) throws(ExitCode) {
        try guardedRun { () throws(LighterError) -> Int32 in
            let record = try StoreOptions.resolve(line.root).openEngine()
                .create(try line.flags.spec(image: line.image, command: line.command, autoRemove: line.rm), name: line.flags.name)
            Console.out(record.id)
            return 0
        }
    }
}

/// `start [-a] [-i] CONTAINER...`.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", _superCommandName: "lighter", abstract: "Start one or more stopped containers.")

    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("a"), .long], help: "Attach STDOUT/STDERR and forward signals.") var attach = false
    @Flag(name: [.customShort("i"), .long], help: "Attach container's STDIN.") var interactive = false
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try guardedRun { () throws(LighterError) -> Int32 in
            guard !containers.isEmpty else { throw .invalidArgument("\"start\" requires at least 1 argument") }
            let engine = try store.openEngine()
            if attach || interactive {
                guard containers.count == 1 else { throw .invalidArgument("you cannot start and attach multiple containers at once") }
                return try engine.runAttached(try engine.resolve(containers[0]), interactive: interactive)
            }
            var failed = false
            for name in containers {
                do {
                    try engine.startDetached(try engine.resolve(name))
                    Console.out(name)
                } catch {
                    Console.error("lighter: \(error)")
                    failed = true
                }
            }
            return failed ? 1 : 0
        }
    }
}
