import LighterArguments
import LighterEngine
import LighterSystem

/// `pause CONTAINER...`.
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause all processes within one or more containers.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try eachContainer(containers, store: store, command: "pause") { (engine, id) throws(LighterError) in try engine.pause(id) }
    }
}

/// `unpause CONTAINER...`.
struct UnpauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpause", abstract: "Unpause all processes within one or more containers.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try eachContainer(containers, store: store, command: "unpause") { (engine, id) throws(LighterError) in try engine.unpause(id) }
    }
}
