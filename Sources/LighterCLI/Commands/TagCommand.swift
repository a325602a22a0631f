import LighterArguments
import LighterStore
import LighterSystem

/// `tag SOURCE TARGET`.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "SOURCE_IMAGE[:TAG] or image ID.") var source: String
    @Argument(help: "TARGET_IMAGE[:TAG].") var target: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            try store.openImageStore().tag(source, as: target)
        }
    }
}

/// `rmi [-f] IMAGE...`.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove one or more images.")

    @OptionGroup var store: StoreOptions
    @Flag(name: .shortAndLong, help: "Force removal of the image (all its tags).") var force = false
    @Flag(name: .long, help: "Do not delete untagged parents.") var noPrune = false
    @Argument(help: "Images to remove.") var images: [String] = []

    func run() throws { try Self.remove(images, force: force, prune: !noPrune, store: store) }

    static func remove(_ images: [String], force: Bool, prune: Bool, store: StoreOptions) throws {
        guard !images.isEmpty else { throw reportAndExit(.invalidArgument("\"rmi\" requires at least 1 argument"), code: 1) }
        var failed = false
        let imageStore: ImageStore
        do { imageStore = try store.openImageStore() } catch { throw reportAndExit(error, code: 1) }
        for image in images {
            do {
                for event in try imageStore.remove(image, force: force, prune: prune) { Console.out(event.description) }
            } catch {
                Console.error("lighter: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// `image rm` (the management-command spelling of `rmi`).
struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more images.", aliases: ["rmi", "remove"])

    @OptionGroup var store: StoreOptions
    @Flag(name: .shortAndLong, help: "Force removal of the image (all its tags).") var force = false
    @Flag(name: .long, help: "Do not delete untagged parents.") var noPrune = false
    @Argument(help: "Images to remove.") var images: [String] = []

    func run() throws { try RmiCommand.remove(images, force: force, prune: !noPrune, store: store) }
}
