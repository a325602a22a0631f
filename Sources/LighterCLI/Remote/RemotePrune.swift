import LighterAPI
import LighterArguments
import LighterOCI
import LighterSystem

/// The prunes (`container`, `image`, `system`) against an Engine API, printed as the local commands
/// print them (`system df` is `RemoteDiskUsage`). Like the local commands they never prompt (`-f` is accepted).
enum RemotePrune {
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
