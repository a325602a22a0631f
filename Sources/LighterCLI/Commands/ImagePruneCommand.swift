import LighterArguments
import LighterStore
import LighterSystem

/// `image prune [-a] [-f]`.
struct ImagePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused images (dangling ones, or with -a every image no container uses).")

    @OptionGroup var store: StoreOptions
    @Flag(name: .shortAndLong, help: "Remove all unused images, not just dangling ones.") var all = false
    @Flag(name: .shortAndLong, help: "Do not prompt for confirmation (Lighter never prompts).") var force = false
    @Option(name: .long, help: "Filter (until=, label=, label!=; applied by a daemon: lighter -H HOST image prune).") var filter: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard filter.isEmpty else {
                throw .invalidArgument("--filter is applied by Lighter's daemon only (lighter -H HOST image prune --filter …); the local image prune takes -a")
            }
            let report = try store.openImageStore().prune(all: all)
            printDeletedImages(report)
            Console.out("Total reclaimed space: \(Time.humanSize(report.reclaimedBytes))")
        }
    }
}

/// Docker's "Deleted Images:" block of the prune commands.
func printDeletedImages(_ report: PruneReport) {
    guard !report.deleted.isEmpty else { return }
    Console.out("Deleted Images:")
    for event in report.deleted {
        switch event {
        case let .untagged(name): Console.out("untagged: \(name)")
        case let .deleted(id): Console.out("deleted: \(id)")
        }
    }
    Console.out("")
}
