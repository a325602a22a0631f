import LighterArguments
import LighterBuild
import LighterEngine
import LighterOCI
import LighterSystem

/// `commit [-a AUTHOR] [-c CHANGE] [-m MESSAGE] [--no-pause] CONTAINER [REPOSITORY[:TAG]]`.
struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "commit", abstract: "Create a new image from a container's changes.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("a"), .long], help: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\").") var author: String?
    @Option(name: [.customShort("c"), .long], help: "Apply a Dockerfile instruction to the created image.") var change: [String] = []
    @Option(name: [.customShort("m"), .long], help: "Commit message.") var message: String?
    @Flag(name: .shortAndLong, inversion: .prefixedNo, help: "Pause a running container during commit.") var pause = true
    @Argument(help: "The container.") var container: String
    @Argument(help: "Name the image REPOSITORY[:TAG].") var reference: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let ref = try reference.map { (text: String) throws(LighterError) -> Reference in try Reference(parsing: text) }
            let engine = try Engine(root: store.resolvedRoot)
            let target = try engine.resolve(container)
            let running = try engine.inspect(target).state.status == .running
            let paused = pause && running
            if paused { try engine.pause(target) }
            let id: Digest
            do throws(LighterError) {
                id = try ContainerCommit.commit(engine: engine, container: target, reference: ref, changes: change,
                                                message: message, author: author)
            } catch {
                if paused { try? engine.unpause(target) }
                throw error
            }
            if paused { try engine.unpause(target) }
            Console.out(id.description)
        }
    }
}
