import LighterArguments
import LighterEngine
import LighterOCI
import LighterBuild
import LighterStore
import LighterSystem

/// `system df [-v]`: Docker's four rows (Images, Containers, Local Volumes, Build Cache), whose counts
/// agree with `images`, `ps -a` and `volume ls`; `-v` lists each image, container and volume.
struct SystemDfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "df", abstract: "Show disk usage; -v shows each image's shared and unique size, each container and each volume.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: .shortAndLong, help: "Show detailed information on space usage.") var verbose = false

    struct ContainerUsage { var record: ContainerRecord; var size: Int64; var active: Bool; var volumes: Int }
    struct VolumeUsage { var name: String; var size: Int64; var links: Int }

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let report = try engine.images.diskUsage()
            let cache = try BuildCache(store: engine.images).usage()
            var containers: [ContainerUsage] = []
            for id in try engine.allIDs().reversed() {
                guard let record = try? engine.inspect(id) else { continue }
                let size = FileSystem.diskUsage("\(engine.images.paths.containers)/\(id)/upper")
                let active = [.running, .paused, .restarting].contains(record.state.status)
                containers.append(ContainerUsage(record: record, size: size, active: active, volumes: record.spec.binds.filter { $0.volume != nil }.count))
            }
            let volumes = try engine.volumes.list().map { volume in
                VolumeUsage(name: volume.Name, size: FileSystem.diskUsage("\(engine.volumes.directory(volume.Name))/_data"),
                            links: containers.filter { $0.record.spec.binds.contains { $0.volume == volume.Name } }.count)
            }
            if !verbose {
                let containersSize = containers.reduce(Int64(0)) { $0 + $1.size }
                let volumesSize = volumes.reduce(Int64(0)) { $0 + $1.size }
                let rows = [
                    Self.row("Images", total: report.images.count, active: report.images.filter { $0.containers > 0 }.count,
                             size: report.totalSize, reclaimable: report.reclaimableSize),
                    Self.row("Containers", total: containers.count, active: containers.filter(\.active).count,
                             size: containersSize, reclaimable: containers.filter { !$0.active }.reduce(Int64(0)) { $0 + $1.size }),
                    Self.row("Local Volumes", total: volumes.count, active: volumes.filter { $0.links > 0 }.count,
                             size: volumesSize, reclaimable: volumes.filter { $0.links == 0 }.reduce(Int64(0)) { $0 + $1.size }),
                    Self.row("Build Cache", total: cache.entries, active: 0, size: cache.size, reclaimable: cache.size),
                ]
                for line in try Self.summary.render(rows, format: output.format) { Console.out(line) }
                return
            }
            try printVerbose(report, containers, volumes)
        }
    }

    static let summary = OutputRenderer(columns: [("Type", "TYPE"), ("TotalCount", "TOTAL"), ("Active", "ACTIVE"), ("Size", "SIZE"), ("Reclaimable", "RECLAIMABLE")])

    /// A summary row: RECLAIMABLE with its share of SIZE, as Docker prints it ("1.2MB (40%)").
    static func row(_ type: String, total: Int, active: Int, size: Int64, reclaimable: Int64) -> OutputRow {
        let percent = size > 0 ? " (\(reclaimable * 100 / size)%)" : ""
        return OutputRow(fields: [("Type", type), ("TotalCount", String(total)), ("Active", String(active)),
                                  ("Size", Time.humanSize(size)), ("Reclaimable", Time.humanSize(reclaimable) + percent)])
    }

    private func printVerbose(_ report: DiskUsageReport, _ containers: [ContainerUsage], _ volumes: [VolumeUsage]) throws(LighterError) {
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
        Console.out("")
        Console.out("Containers space usage:")
        Console.out("")
        let containerRows = containers.map { usage in
            var command = ([usage.record.path] + usage.record.args).joined(separator: " ")
            if command.count > 20 { command = String(command.prefix(19)) + "…" }
            return OutputRow(fields: [
                ("ID", usage.record.shortID), ("Image", usage.record.spec.image), ("Command", "\"\(command)\""),
                ("LocalVolumes", String(usage.volumes)), ("Size", Time.humanSize(usage.size)),
                ("CreatedSince", Time.ago(Time.parseRFC3339(usage.record.created) ?? 0)), ("Status", PsCommand.status(usage.record)),
                ("Names", usage.record.name),
            ])
        }
        let containerTable = OutputRenderer(columns: [("ID", "CONTAINER ID"), ("Image", "IMAGE"), ("Command", "COMMAND"), ("LocalVolumes", "LOCAL VOLUMES"),
                                                      ("Size", "SIZE"), ("CreatedSince", "CREATED"), ("Status", "STATUS"), ("Names", "NAMES")])
        // A template names the image rows' fields (as `df -v` always took); the other sections keep their tables.
        let sectionFormat = output.format == "json" ? "json" : nil
        for line in try containerTable.render(containerRows, format: sectionFormat) { Console.out(line) }
        Console.out("")
        Console.out("Local Volumes space usage:")
        Console.out("")
        let volumeRows = volumes.map { OutputRow(fields: [("Name", $0.name), ("Links", String($0.links)), ("Size", Time.humanSize($0.size))]) }
        for line in try OutputRenderer(columns: [("Name", "VOLUME NAME"), ("Links", "LINKS"), ("Size", "SIZE")]).render(volumeRows, format: sectionFormat) {
            Console.out(line)
        }
        Console.out("")
        Console.out("Build cache usage: 0B")
    }
}
