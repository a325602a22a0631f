import LighterAPI
import LighterArguments
import LighterOCI
import LighterSystem

/// `system df` and the prunes (`container`, `image`, `system`) against an Engine API, printed as the
/// local commands print them. Like the local commands they never prompt (`-f` is accepted).
enum RemotePrune {
    /// `system df`: `/system/df` summed into the local command's four rows.
    static func df(_ command: SystemDfCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        guard !command.verbose else {
            throw .invalidArgument("`system df -v` against a remote daemon is not supported yet; use `system df` (the summary) or run it on the board itself")
        }
        let usage = try client.document("/system/df")
        let images = usage[field: "Images"]?.elements ?? []
        let containers = usage[field: "Containers"]?.elements ?? []
        let volumes = usage[field: "Volumes"]?.elements ?? []
        let cache = usage[field: "BuildCache"]?.elements ?? []
        func sum(_ nodes: [JSONNode], _ size: (JSONNode) -> Int64) -> Int64 { nodes.reduce(0) { $0 + max(0, size($1)) } }
        let imageSize: (JSONNode) -> Int64 = { $0[field: "Size"]?.integer ?? 0 }
        let usedImages = images.filter { ($0[field: "Containers"]?.integer ?? 0) > 0 }
        let active: (JSONNode) -> Bool = { ["running", "paused", "restarting"].contains($0[field: "State"]?.text ?? "") }
        let rwSize: (JSONNode) -> Int64 = { $0[field: "SizeRw"]?.integer ?? 0 }
        let volumeSize: (JSONNode) -> Int64 = { $0[field: "UsageData"]?[field: "Size"]?.integer ?? 0 }
        let linked: (JSONNode) -> Bool = { ($0[field: "UsageData"]?[field: "RefCount"]?.integer ?? 0) > 0 }
        let layers = usage[field: "LayersSize"]?.integer ?? sum(images, imageSize)
        let rows = [
            SystemDfCommand.row("Images", total: images.count, active: usedImages.count, size: layers,
                                reclaimable: max(0, layers - sum(usedImages, imageSize))),
            SystemDfCommand.row("Containers", total: containers.count, active: containers.filter(active).count,
                                size: sum(containers, rwSize), reclaimable: sum(containers.filter { !active($0) }, rwSize)),
            SystemDfCommand.row("Local Volumes", total: volumes.count, active: volumes.filter(linked).count,
                                size: sum(volumes, volumeSize), reclaimable: sum(volumes.filter { !linked($0) }, volumeSize)),
            SystemDfCommand.row("Build Cache", total: cache.count, active: 0, size: sum(cache) { $0[field: "Size"]?.integer ?? 0 },
                                reclaimable: sum(cache) { $0[field: "Size"]?.integer ?? 0 }),
        ]
        for line in try SystemDfCommand.summary.render(rows, format: command.output.format) { Console.out(line) }
        return 0
    }

    /// `container prune`: "Deleted Containers:" and their IDs.
    static func containers(_ client: EngineAPIClient) throws(LighterError) -> Int64 {
        let answer = try JSONNode.parse(try client.bytes("POST", "/containers/prune"), what: "the daemon's answer to container prune")
        let removed = (answer[field: "ContainersDeleted"]?.elements ?? []).map(\.text)
        if !removed.isEmpty {
            Console.out("Deleted Containers:")
            for id in removed { Console.out(id) }
            Console.out("")
        }
        return answer[field: "SpaceReclaimed"]?.integer ?? 0
    }

    /// `image prune [-a] [--filter]`: "Deleted Images:" as the local command prints it.
    static func images(all: Bool, filters: [String], _ client: EngineAPIClient) throws(LighterError) -> Int64 {
        var specs = filters
        if all { specs.append("dangling=false") }
        let query = RemoteContainers.filterQuery(specs).map { [("filters", $0)] } ?? []
        let answer = try JSONNode.parse(try client.bytes("POST", "/images/prune", query: query), what: "the daemon's answer to image prune")
        let deleted = answer[field: "ImagesDeleted"]?.elements ?? []
        if !deleted.isEmpty {
            Console.out("Deleted Images:")
            for event in deleted {
                if let name = event[field: "Untagged"]?.text { Console.out("untagged: \(name)") }
                if let id = event[field: "Deleted"]?.text { Console.out("deleted: \(id)") }
            }
            Console.out("")
        }
        return answer[field: "SpaceReclaimed"]?.integer ?? 0
    }

    static func imagePrune(_ command: ImagePruneCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let reclaimed = try images(all: command.all, filters: command.filter, client)
        Console.out("Total reclaimed space: \(Time.humanSize(reclaimed))")
        return 0
    }

    /// `system prune [-a]`: what Docker's CLI asks a daemon for — stopped containers, unused networks,
    /// dangling (with -a unused) images and the build cache — and the total reclaimed.
    static func system(_ command: SystemPruneCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var reclaimed = try containers(client)
        let networks = try JSONNode.parse(try client.bytes("POST", "/networks/prune"), what: "the daemon's answer to network prune")
        let removed = (networks[field: "NetworksDeleted"]?.elements ?? []).map(\.text)
        if !removed.isEmpty {
            Console.out("Deleted Networks:")
            for name in removed { Console.out(name) }
            Console.out("")
        }
        reclaimed += try images(all: command.all, filters: [], client)
        let query: [(String, String)] = command.all ? [("all", "1")] : []
        let cache = try JSONNode.parse(try client.bytes("POST", "/build/prune", query: query), what: "the daemon's answer to builder prune")
        reclaimed += cache[field: "SpaceReclaimed"]?.integer ?? 0
        Console.out("Total reclaimed space: \(Time.humanSize(reclaimed))")
        return 0
    }

    /// `commit [-a] [-c]… [-m] [--no-pause] CONTAINER [REPOSITORY[:TAG]]`: `POST /commit`, the new image's ID printed.
    static func commit(_ command: CommitCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var query: [(String, String)] = [("container", command.container), ("pause", command.pause ? "1" : "0")]
        if let reference = command.reference {
            let parsed = try Reference(parsing: reference)
            query.append(("repo", parsed.familiarName))
            query.append(("tag", parsed.tag ?? "latest"))
        }
        if let message = command.message { query.append(("comment", message)) }
        if let author = command.author { query.append(("author", author)) }
        for change in command.change { query.append(("changes", change)) }
        let answer = try JSONNode.parse(try client.bytes("POST", "/commit", query: query, json: Array("{}".utf8)), what: "the daemon's answer to commit")
        Console.out(answer[field: "Id"]?.text ?? "")
        return 0
    }
}
