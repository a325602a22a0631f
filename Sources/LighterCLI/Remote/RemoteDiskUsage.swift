import LighterSystem

/// `system df [-v]` against an Engine API: `/system/df` summed into the local command's four rows, or with
/// `-v` mapped into `DiskUsageDetail`'s rows, computed as Docker's CLI computes them from the same answer.
enum RemoteDiskUsage {
    static func df(_ command: SystemDfCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let usage = try client.document("/system/df")
        let images = usage[field: "Images"]?.elements ?? []
        let containers = usage[field: "Containers"]?.elements ?? []
        let volumes = usage[field: "Volumes"]?.elements ?? []
        let cache = usage[field: "BuildCache"]?.elements ?? []
        let cacheSize = sum(cache) { $0[field: "Size"]?.integer ?? 0 }
        if command.verbose {
            var detail = DiskUsageDetail(buildCacheSize: cacheSize)
            detail.images = images.map(imageRow)
            detail.containers = containers.map(containerRow)
            detail.volumes = volumes.map(volumeRow)
            Console.outRaw(try detail.render(format: command.output.format))
            return 0
        }
        let imageSize: (JSONNode) -> Int64 = { $0[field: "Size"]?.integer ?? 0 }
        let usedImages = images.filter { ($0[field: "Containers"]?.integer ?? 0) > 0 }
        let rwSize: (JSONNode) -> Int64 = { $0[field: "SizeRw"]?.integer ?? 0 }
        let volumeSize: (JSONNode) -> Int64 = { $0[field: "UsageData"]?[field: "Size"]?.integer ?? 0 }
        let linked: (JSONNode) -> Bool = { ($0[field: "UsageData"]?[field: "RefCount"]?.integer ?? 0) > 0 }
        let layers = usage[field: "LayersSize"]?.integer ?? sum(images, imageSize)
        // Docker's CLI: what the images in use hold alone (SIZE less SHARED SIZE) is not reclaimable.
        let used = sum(usedImages) { image in
            let shared = image[field: "SharedSize"]?.integer ?? -1
            return shared < 0 ? 0 : imageSize(image) - shared
        }
        let rows = [
            SystemDfCommand.row("Images", total: images.count, active: usedImages.count, size: layers, reclaimable: max(0, layers - used)),
            SystemDfCommand.row("Containers", total: containers.count, active: containers.filter(active).count,
                                size: sum(containers, rwSize), reclaimable: sum(containers.filter { !active($0) }, rwSize)),
            SystemDfCommand.row("Local Volumes", total: volumes.count, active: volumes.filter(linked).count,
                                size: sum(volumes, volumeSize), reclaimable: sum(volumes.filter { !linked($0) }, volumeSize)),
            SystemDfCommand.row("Build Cache", total: cache.count, active: 0, size: cacheSize, reclaimable: cacheSize),
        ]
        for line in try SystemDfCommand.summary.render(rows, format: command.output.format) { Console.out(line) }
        return 0
    }

    private static func sum(_ nodes: [JSONNode], _ size: (JSONNode) -> Int64) -> Int64 { nodes.reduce(0) { $0 + max(0, size($1)) } }

    private static func active(_ container: JSONNode) -> Bool {
        ["running", "paused", "restarting"].contains(container[field: "State"]?.text ?? "")
    }

    /// An `/system/df` image: its first tag, sizes and container count as the daemon counted them.
    private static func imageRow(_ image: JSONNode) -> OutputRow {
        let digests = (image[field: "RepoDigests"]?.elements ?? []).map(\.text).filter { $0 != "<none>@<none>" }
        return DiskUsageDetail.imageRow(id: image[field: "Id"]?.text ?? "", tags: (image[field: "RepoTags"]?.elements ?? []).map(\.text),
                                        digest: digests.isEmpty ? "" : String(digests[0].drop { $0 != "@" }.dropFirst()),
                                        created: image[field: "Created"]?.integer ?? 0, size: image[field: "Size"]?.integer ?? 0,
                                        shared: image[field: "SharedSize"]?.integer ?? -1, containers: image[field: "Containers"]?.integer ?? -1)
    }

    /// An `/system/df` container: `ps`'s row of it, whole, with its writable layer's size (three digits, as Docker).
    private static func containerRow(_ container: JSONNode) -> OutputRow {
        var row = RemoteContainers.row(container, noTrunc: true)
        row.set("Size", Time.humanSize(container[field: "SizeRw"]?.integer ?? 0))
        return row
    }

    /// An `/system/df` volume: `volume ls`'s fields, its links (RefCount) and size (N/A where not counted).
    private static func volumeRow(_ volume: JSONNode) -> OutputRow {
        let size = volume[field: "UsageData"]?[field: "Size"]?.integer ?? -1
        let links = volume[field: "UsageData"]?[field: "RefCount"]?.integer ?? -1
        let labels = (volume[field: "Labels"]?.members ?? [:]).mapValues(\.text)
        return OutputRow(fields: [
            ("Availability", "N/A"), ("Driver", volume[field: "Driver"]?.text ?? "local"), ("Group", "N/A"),
            ("Labels", DockerListRows.labels(labels)), ("Links", links < 0 ? "N/A" : String(links)),
            ("Mountpoint", volume[field: "Mountpoint"]?.text ?? ""), ("Name", volume[field: "Name"]?.text ?? ""),
            ("Scope", volume[field: "Scope"]?.text ?? "local"), ("Size", size < 0 ? "N/A" : Time.humanSize(size, precision: 4)), ("Status", "N/A"),
        ])
    }
}
