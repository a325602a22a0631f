import LighterArguments
import LighterDatabase
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

/// `system check [--repair]`: verify the store.
struct SystemCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Verify the image store: database, blob digests, snapshots; --repair removes leftovers of interrupted operations and rebuilds a lost or damaged database from the content store.")

    @OptionGroup var store: StoreOptions
    @Flag(name: .long, help: "Remove leftovers (unrecorded blobs and snapshots, ingest files, containers of interrupted creates); rebuild a lost or damaged database from the content store.") var repair = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            var problems = 0
            // A damaged lighter.db: named, and with --repair set aside and rebuilt.
            var rebuilt = false
            if let damage = Self.databaseDamage(store) {
                Console.out("problem: \(DataRoot.databasePath(store.resolvedRoot)) is damaged: \(damage)")
                guard repair else {
                    throw LighterError.conflict("the store's database is damaged: `lighter system check --repair` sets it aside and rebuilds it from the content store")
                }
                let aside = try DataRoot.setAsideDamagedDatabase(store.resolvedRoot)
                Console.out("repair: damaged database moved to \(aside)")
                rebuilt = true
            }
            // Updates a killed auto-update or rollback left: finished if committed, else undone.
            let engine = try store.openEngine()
            if repair {
                for line in try engine.recoverUpdates() { Console.out("repaired: \(line)") }
            } else {
                for journal in try engine.pendingUpdates() { Console.out("interrupted: update of container \(journal.name) (--repair finishes or undoes it)") }
            }
            let images = try store.openImageStore()
            // A database that lost images the tag journal records: lost or replaced (a problem), or an
            // operation cut off before the journal was rewritten (a leftover).
            var journal: [String: Digest] = [:]
            var lost = false
            do {
                let comparison = try images.compareTagJournal()
                journal = try images.readTagJournal()?.tags ?? [:]
                if !comparison.missing.isEmpty && comparison.otherDatabase && !rebuilt {
                    Console.out("problem: the database lacks \(comparison.missing.count) tagged images that \(images.tagJournalPath) records (e.g. \(comparison.missing.keys.sorted()[0])): lighter.db was lost or replaced; `lighter system check --repair` rebuilds them from the content store")
                    problems += 1
                    lost = true
                } else if !comparison.missing.isEmpty && !rebuilt {
                    Console.out("leftover\(repair ? " (removed)" : ""): \(comparison.missing.count) tags of the tag journal whose images were being removed")
                }
            } catch {
                Console.out("leftover\(repair ? " (rewritten)" : ""): unreadable tag journal: \(error)")
            }
            if repair {
                if rebuilt || lost {
                    let recovery = try images.recoverImages(journal: journal)
                    for id in recovery.images { Console.out("repair: recovered image \(id)") }
                    for tag in recovery.tags { Console.out("repair: recovered tag \((try? Reference(parsing: tag).familiar) ?? tag)") }
                    for skipped in recovery.skipped { Console.out("repair: not recovered: \(skipped)") }
                    if lost { problems -= 1 }
                } else {
                    try images.writeTagJournal()
                }
                for id in try engine.recoverContainers() { Console.out("repair: recovered container \(id)") }
            }
            let report = try images.check(repair: repair)
            Console.out("checked \(report.imagesChecked) images, \(report.blobsChecked) blobs, \(report.snapshotsChecked) snapshots")
            for problem in report.problems { Console.out("problem: \(problem)") }
            for leftover in report.leftovers { Console.out("leftover\(repair ? " (removed)" : ""): \(leftover)") }
            // Containers whose create or removal was killed midway (no committed record).
            for id in try engine.leftovers(remove: repair) {
                Console.out("leftover\(repair ? " (removed)" : ""): container \(id)")
            }
            problems += report.problems.count
            if problems > 0 { throw LighterError.conflict("the store is inconsistent (\(problems) problems)") }
            Console.out("store is consistent")
        }
    }

    /// What is wrong with the data root's database, if anything: it cannot be opened or read, or it
    /// fails SQLite's integrity check. Nil for a whole database (or none yet). The connection is
    /// closed again before this returns, so the file can be set aside.
    static func databaseDamage(_ store: StoreOptions) -> String? {
        guard FileSystem.exists(DataRoot.databasePath(store.resolvedRoot)) else { return nil }
        do {
            return try DataRoot(root: store.resolvedRoot, schemas: Engine.schemas).damage()
        } catch {
            return DataRoot.isDamage(error) ? "\(error)" : nil
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
                                                                  SystemBootCommand.self, DialStdioCommand.self])
}
