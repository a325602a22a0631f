import LighterArguments
import LighterEngine
import LighterSystem

/// `rename CONTAINER NEW_NAME`.
struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The container.") var container: String
    @Argument(help: "Its new name.") var newName: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            try engine.renameContainer(try engine.resolve(container), to: newName)
        }
    }
}
