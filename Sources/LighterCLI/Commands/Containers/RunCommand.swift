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
        try guardedRun { () throws(LighterError) -> Int32 in
            let engine = try store.openEngine()
            let record = try engine.create(try options.spec(image: image, command: command, autoRemove: rm), name: options.name)
            if detach {
                do throws(LighterError) {
                    try engine.startDetached(record.id)
                } catch {
                    if rm { try? engine.remove(record.id, force: true) }
                    throw error
                }
                Console.out(record.id)
                return 0
            }
            return try engine.runAttached(record.id, interactive: options.interactive)
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
        try guardedRun { () throws(LighterError) -> Int32 in
            let record = try store.openEngine().create(try options.spec(image: image, command: command, autoRemove: rm), name: options.name)
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
