import LighterArguments
import LighterBuild
import LighterEngine
import LighterOCI
import LighterSystem

/// `commit [-a AUTHOR] [-c CHANGE] [-m MESSAGE] CONTAINER [REPOSITORY[:TAG]]`.
struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "Create a new image from a container's changes.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("a"), .long], help: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\").") var author: String?
    @Option(name: [.customShort("c"), .long], help: "Apply a Dockerfile instruction to the created image.") var change: [String] = []
    @Option(name: [.customShort("m"), .long], help: "Commit message.") var message: String?
    @Argument(help: "The container.") var container: String
    @Argument(help: "Name the image REPOSITORY[:TAG].") var reference: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let ref = try reference.map { (text: String) throws(LighterError) -> Reference in try Reference(parsing: text) }
            let engine = try Engine(root: store.resolvedRoot)
            let id = try ContainerCommit.commit(engine: engine, container: container, reference: ref, changes: change,
                                                message: message, author: author)
            Console.out(id.description)
        }
    }
}
