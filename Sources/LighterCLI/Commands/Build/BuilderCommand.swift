import LighterArguments
import LighterBuild
import LighterSystem

/// `builder prune [-a] [-f]`: the build cache.
struct BuilderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "builder", abstract: "Manage the build cache.",
                                                    subcommands: [BuilderPruneCommand.self, BuildCommand.self])
}

struct BuilderPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove build cache (entries no image is built from, or with -a all).")

    @OptionGroup var store: StoreOptions
    @Flag(name: .shortAndLong, help: "Remove all build cache, not just the entries of states no image is.") var all = false
    @Flag(name: .shortAndLong, help: "Do not prompt for confirmation (Lighter never prompts).") var force = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try Builder.openEngine(root: store.resolvedRoot)
            let report = try BuildCache(store: engine.images).prune(all: all)
            Console.out("Deleted build cache entries: \(report.entries)")
            Console.out("Total reclaimed space: \(Time.humanSize(report.reclaimedBytes))")
        }
    }
}
