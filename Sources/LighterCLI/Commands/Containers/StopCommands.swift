import LighterArguments
import LighterEngine
import LighterRuntime
import LighterSystem

/// Apply `action` to each named container (by its resolved ID), printing the name as Docker does;
/// exit 1 if any failed.
func eachContainer(_ names: [String], store: StoreOptions, command: String, _ action: (Engine, String) throws(LighterError) -> Void) throws {
    try eachName(names, store: store, command: command) { (engine, name) throws(LighterError) in try action(engine, try engine.resolve(name)) }
}

/// Apply `action` to each name as given, printing it as Docker does; exit 1 if any failed.
func eachName(_ names: [String], store: StoreOptions, command: String, _ action: (Engine, String) throws(LighterError) -> Void) throws {
    guard !names.isEmpty else { throw reportAndExit(.invalidArgument("\"\(command)\" requires at least 1 argument"), code: 1) }
    let engine: Engine
    do { engine = try store.openEngine() } catch { throw reportAndExit(error, code: 1) }
    var failed = false
    for name in names {
        do {
            try action(engine, name)
            Console.out(name)
        } catch {
            Console.error("lighter: \(error)")
            failed = true
        }
    }
    if failed { throw ExitCode(1) }
}

/// `stop [-t N] [-s SIGNAL] CONTAINER...`.
struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", _superCommandName: "lighter", abstract: "Stop one or more running containers (SIGTERM, then SIGKILL after the grace period).")
    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container.") var time: Int?
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container.") var signal: String?
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try eachContainer(containers, store: store, command: "stop") { (engine, id) throws(LighterError) in
            try engine.stop(id, timeout: time, signal: try signal.map { (s) throws(LighterError) -> Int32 in try Signals.parse(s) })
        }
    }
}

/// `kill [-s SIGNAL] CONTAINER...`.
struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", _superCommandName: "lighter", abstract: "Kill one or more running containers.")
    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("s"), .long], help: "Signal to send to the container.") var signal: String = "KILL"
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try eachContainer(containers, store: store, command: "kill") { (engine, id) throws(LighterError) in
            try engine.kill(id, signal: try Signals.parse(signal))
        }
    }
}

/// `restart [-t N] CONTAINER...`.
struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one or more containers.")
    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("t"), .customLong("time"), .customLong("timeout")], help: "Seconds to wait before killing the container.") var time: Int?
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try eachContainer(containers, store: store, command: "restart") { (engine, id) throws(LighterError) in
            try engine.stop(id, timeout: time)
            try engine.startDetached(id)
        }
    }
}

/// `rm [-f] CONTAINER...`.
struct RmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", _superCommandName: "lighter", abstract: "Remove one or more containers.")
    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("f"), .long], help: "Force the removal of a running container (uses SIGKILL).") var force = false
    @Flag(name: [.customShort("v"), .long], help: "Remove anonymous volumes associated with the container.") var volumes = false
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try eachContainer(containers, store: store, command: "rm") { (engine, id) throws(LighterError) in
            try engine.remove(id, force: force, volumes: volumes)
        }
    }
}

/// `wait CONTAINER...`: print each exit code.
struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", _superCommandName: "lighter", abstract: "Block until one or more containers stop, then print their exit codes.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard !containers.isEmpty else { throw .invalidArgument("\"wait\" requires at least 1 argument") }
            let engine = try store.openEngine()
            for name in containers { Console.out(String(try engine.wait(try engine.resolve(name)))) }
        }
    }
}
