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
    struct VolumeUsage { var volume: Volume; var size: Int64; var links: Int }

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
                VolumeUsage(volume: volume, size: FileSystem.diskUsage("\(engine.volumes.directory(volume.Name))/_data"),
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
            try printVerbose(report, containers, volumes, cacheSize: cache.size)
        }
    }

    static let summary = OutputRenderer(columns: [("Type", "TYPE"), ("TotalCount", "TOTAL"), ("Active", "ACTIVE"), ("Size", "SIZE"), ("Reclaimable", "RECLAIMABLE")])

    /// A summary row: RECLAIMABLE with its share of SIZE, as Docker prints it ("1.235MB (40%)": go-units'
    /// HumanSize, four significant digits).
    static func row(_ type: String, total: Int, active: Int, size: Int64, reclaimable: Int64) -> OutputRow {
        let percent = size > 0 ? " (\(reclaimable * 100 / size)%)" : ""
        return OutputRow(fields: [("Type", type), ("TotalCount", String(total)), ("Active", String(active)),
                                  ("Size", Time.humanSize(size, precision: 4)), ("Reclaimable", Time.humanSize(reclaimable, precision: 4) + percent)])
    }

    /// `-v`: the local store's images, containers and volumes as rows of `DiskUsageDetail`, which prints
    /// them as Docker's CLI prints a daemon's (`-H … system df -v` fills the same rows from `/system/df`).
    private func printVerbose(_ report: DiskUsageReport, _ containers: [ContainerUsage], _ volumes: [VolumeUsage], cacheSize: Int64) throws(LighterError) {
        var detail = DiskUsageDetail(buildCacheSize: cacheSize)
        detail.images = report.images.map { usage in
            DiskUsageDetail.imageRow(id: usage.image.id.description, tags: usage.image.tags, digest: "", created: usage.image.createdSeconds,
                                     size: usage.image.size, shared: usage.sharedSize, containers: Int64(usage.containers))
        }
        detail.layersNote = "Layers: \(Time.humanSize(report.snapshotsSize)) unpacked (each shared layer counted once), blobs: \(Time.humanSize(report.blobsSize))"
        detail.containers = containers.map { usage in
            let record = usage.record
            let created = Time.parseRFC3339(record.created) ?? 0
            return OutputRow(fields: [
                ("Command", "\"" + ([record.path] + record.args).joined(separator: " ") + "\""), ("CreatedAt", PsOptions.createdAt(created)),
                ("ID", record.id), ("Image", record.spec.image),
                ("Labels", DockerListRows.labels(record.spec.labels)), ("LocalVolumes", String(usage.volumes)),
                ("Mounts", record.spec.binds.map { $0.volume ?? $0.source }.joined(separator: ",")), ("Names", record.name),
                ("Networks", record.spec.network), ("Ports", ""), ("RunningFor", Time.ago(created)), ("Size", Time.humanSize(usage.size)),
                ("State", record.state.status.rawValue), ("Status", PsCommand.status(record)),
            ])
        }
        detail.volumes = volumes.map { usage in
            var row = DockerListRows.volume(usage.volume)
            row.set("Links", String(usage.links))
            row.set("Size", Time.humanSize(usage.size, precision: 4))
            for field in ["Availability", "Group", "Status"] { row.set(field, "N/A") }
            return row
        }
        Console.outRaw(try detail.render(format: output.format))
    }
}
