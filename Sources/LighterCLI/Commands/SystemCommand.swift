import ArgumentParser
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

/// `system check [--repair]`: verify the store.
struct SystemCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Verify the image store: database, blob digests, snapshots; --repair removes leftovers of interrupted operations.")

    @OptionGroup var store: StoreOptions
    @Flag(name: .long, help: "Remove leftovers (unrecorded blobs and snapshots, ingest files, containers of interrupted creates).") var repair = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            // Updates a killed auto-update or rollback left: finished if committed, else undone.
            let engine = try store.openEngine()
            if repair {
                for line in try engine.recoverUpdates() { Console.out("repaired: \(line)") }
            } else {
                for journal in try engine.pendingUpdates() { Console.out("interrupted: update of container \(journal.name) (--repair finishes or undoes it)") }
            }
            let report = try store.openImageStore().check(repair: repair)
            Console.out("checked \(report.imagesChecked) images, \(report.blobsChecked) blobs, \(report.snapshotsChecked) snapshots")
            for problem in report.problems { Console.out("problem: \(problem)") }
            for leftover in report.leftovers { Console.out("leftover\(repair ? " (removed)" : ""): \(leftover)") }
            // Containers whose create or removal was killed midway (no committed record).
            for id in try engine.leftovers(remove: repair) {
                Console.out("leftover\(repair ? " (removed)" : ""): container \(id)")
            }
            if !report.isConsistent { throw LighterError.conflict("the store is inconsistent (\(report.problems.count) problems)") }
            Console.out("store is consistent")
        }
    }
}

/// `system prune [-a]`: stopped containers, then dangling (or with -a all unused) images and leftovers.
struct SystemPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused data: stopped containers, dangling images (with -a, all unused images) and leftovers.")

    @OptionGroup var store: StoreOptions
    @Flag(name: .shortAndLong, help: "Remove all unused images, not just dangling ones.") var all = false
    @Flag(name: .shortAndLong, help: "Do not prompt for confirmation (Lighter never prompts).") var force = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let (containers, containerBytes) = try engine.pruneContainers()
            if !containers.isEmpty {
                Console.out("Deleted Containers:")
                for id in containers { Console.out(id) }
                Console.out("")
            }
            let report = try engine.images.prune(all: all)
            let partial = try engine.images.removePartialDownloads()
            printDeletedImages(report)
            Console.out("Total reclaimed space: \(Time.humanSize(containerBytes + report.reclaimedBytes + partial))")
        }
    }
}

struct SystemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "system", abstract: "Manage Lighter.",
                                                    subcommands: [SystemDfCommand.self, InfoCommand.self, EventsCommand.self, SystemCheckCommand.self, SystemPruneCommand.self,
                                                                  SystemBootCommand.self])
}
