import ArgumentParser
import LighterOCI
import LighterStore
import LighterSystem

/// `system df [-v]`.
struct SystemDfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "df", abstract: "Show disk usage; -v shows each image's shared and unique size.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: .shortAndLong, help: "Show detailed information on space usage.") var verbose = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let report = try store.openImageStore().diskUsage()
            let active = report.images.filter { $0.containers > 0 }.count
            let percent = report.totalSize > 0 ? report.reclaimableSize * 100 / report.totalSize : 0
            let summary = OutputRenderer(columns: [("Type", "TYPE"), ("TotalCount", "TOTAL"), ("Active", "ACTIVE"), ("Size", "SIZE"), ("Reclaimable", "RECLAIMABLE")])
            let imagesRow = OutputRow(fields: [("Type", "Images"), ("TotalCount", String(report.images.count)), ("Active", String(active)),
                                                ("Size", Time.humanSize(report.totalSize)), ("Reclaimable", "\(Time.humanSize(report.reclaimableSize)) (\(percent)%)")])
            if !verbose {
                for line in try summary.render([imagesRow], format: output.format) { Console.out(line) }
                return
            }
            Console.out("Images space usage:")
            Console.out("")
            let rows = report.images.flatMap { usage -> [OutputRow] in
                let names = usage.image.tags.isEmpty ? ["<none>:<none>"] : usage.image.tags.compactMap { try? LighterOCI.Reference(parsing: $0).familiar }
                return names.map { name in
                    let split = name.lastIndex(of: ":").map { (String(name[..<$0]), String(name[name.index(after: $0)...])) } ?? (name, "<none>")
                    return OutputRow(fields: [
                        ("Repository", split.0), ("Tag", split.1), ("ID", usage.image.id.short),
                        ("CreatedSince", Time.ago(usage.image.createdSeconds)), ("Size", Time.humanSize(usage.image.size)),
                        ("SharedSize", Time.humanSize(usage.sharedSize)), ("UniqueSize", Time.humanSize(usage.uniqueSize)),
                        ("Containers", String(usage.containers)),
                    ])
                }
            }
            let detail = OutputRenderer(columns: [("Repository", "REPOSITORY"), ("Tag", "TAG"), ("ID", "IMAGE ID"), ("CreatedSince", "CREATED"),
                                                  ("Size", "SIZE"), ("SharedSize", "SHARED SIZE"), ("UniqueSize", "UNIQUE SIZE"), ("Containers", "CONTAINERS")])
            for line in try detail.render(rows, format: output.format) { Console.out(line) }
            Console.out("")
            Console.out("Layers: \(Time.humanSize(report.snapshotsSize)) unpacked (each shared layer counted once), blobs: \(Time.humanSize(report.blobsSize))")
        }
    }
}

/// `system check [--repair]`: verify the store.
struct SystemCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Verify the image store: database, blob digests, snapshots; --repair removes leftovers of interrupted operations.")

    @OptionGroup var store: StoreOptions
    @Flag(name: .long, help: "Remove leftovers (unrecorded blobs and snapshots, ingest files, containers of interrupted creates).") var repair = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let report = try store.openImageStore().check(repair: repair)
            Console.out("checked \(report.imagesChecked) images, \(report.blobsChecked) blobs, \(report.snapshotsChecked) snapshots")
            for problem in report.problems { Console.out("problem: \(problem)") }
            for leftover in report.leftovers { Console.out("leftover\(repair ? " (removed)" : ""): \(leftover)") }
            // Containers whose create or removal was killed midway (no committed record).
            for id in try store.openEngine().leftovers(remove: repair) {
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
                                                    subcommands: [SystemDfCommand.self, SystemCheckCommand.self, SystemPruneCommand.self])
}
