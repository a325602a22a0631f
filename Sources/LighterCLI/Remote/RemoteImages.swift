import LighterHTTP
import LighterOCI
import LighterRegistry
import LighterSystem

/// The image commands against an Engine API.
enum RemoteImages {
    /// `images`: `/images/json` rows, one per tag (or `<none>`), rendered by `images`' own renderer.
    static func images(_ options: ImagesOptions, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var query: [(String, String)] = []
        if options.all { query.append(("all", "1")) }
        var filters = options.filter
        if let repository = options.repository { filters.append("reference=\(repository)") }
        if let encoded = RemoteContainers.filterQuery(filters) { query.append(("filters", encoded)) }
        var rows: [OutputRow] = []
        var seen = Set<String>()
        for image in try client.document("/images/json", query: query).elements {
            let id = image[field: "Id"]?.text ?? ""
            let tags = (image[field: "RepoTags"]?.elements ?? []).map(\.text).filter { $0 != "<none>:<none>" }
            let digests = (image[field: "RepoDigests"]?.elements ?? []).map(\.text).filter { $0 != "<none>@<none>" }
            var names: [(repository: String, tag: String, digest: String)] = tags.map { tag in
                let colon = tag.lastIndex(of: ":").flatMap { tag[$0...].contains("/") ? nil : $0 }
                let repository = colon.map { String(tag[..<$0]) } ?? tag
                let digest = digests.first { $0.hasPrefix(repository + "@") }.map { String($0.drop { $0 != "@" }.dropFirst()) } ?? "<none>"
                return (repository, colon.map { String(tag[tag.index(after: $0)...]) } ?? "<none>", digest)
            }
            if names.isEmpty {
                names = digests.map { (String($0.prefix { $0 != "@" }), "<none>", String($0.drop { $0 != "@" }.dropFirst())) }
            }
            if names.isEmpty { names = [("<none>", "<none>", "<none>")] }
            let created = image[field: "Created"]?.integer ?? 0
            let size = image[field: "Size"]?.integer ?? 0
            for name in names {
                if options.quiet && !seen.insert(id).inserted { continue }
                let hex = String(id.drop { $0 != ":" }.dropFirst())
                rows.append(OutputRow(fields: [
                    ("Containers", "N/A"),
                    ("CreatedAt", DockerListRows.goTime(seconds: created)),
                    ("CreatedSince", Time.ago(created)),
                    ("Digest", name.digest),
                    ("ID", options.noTrunc ? id : String(hex.prefix(12))),
                    ("Platform", ""),
                    ("Repository", name.repository),
                    ("SharedSize", "N/A"),
                    ("Size", Time.humanSize(size)),
                    ("Tag", name.tag),
                    ("UniqueSize", "N/A"),
                    ("VirtualSize", Time.humanSize(size)),
                ]))
            }
        }
        try options.render(rows)
        return 0
    }

    /// `pull NAME`: the daemon's JSON progress stream as Docker's CLI prints it without a terminal
    /// (one line per layer state, no progress bars), then the full reference.
    static func pull(_ command: PullCommand, client: EngineAPIClient, toStandardError: Bool = false) throws(LighterError) -> Int32 {
        let print: (String) -> Void = toStandardError ? { Console.error($0) } : { Console.out($0) }
        let reference = try Reference(parsing: command.image)
        var query: [(String, String)] = [("fromImage", reference.familiarName)]
        query.append(("tag", reference.digest?.description ?? reference.tag ?? "latest"))
        if let platform = command.platform { query.append(("platform", platform)) }
        let headers = try RemoteRegistry.authHeaders(for: reference.registry, options: RegistryOptions())
        let response = try client.request("POST", "/images/create", query: query, headers: headers)
        try RemoteRegistry.printProgress(response, quiet: command.quiet, hiding: ["Downloading", "Extracting"], print: print)
        print(reference.description)
        return 0
    }

    /// `rmi [-f] IMAGE…`: the daemon's Untagged/Deleted lines; exit 1 if any failed.
    static func remove(_ command: RmiCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        guard !command.images.isEmpty else { throw .invalidArgument("\"rmi\" requires at least 1 argument") }
        var failed = false
        for name in command.images {
            do throws(LighterError) {
                let items = try JSONNode.parse(try client.bytes("DELETE", "/images/\(EngineAPIClient.escape(name))",
                                                                query: (command.force ? [("force", "1")] : []) + (command.noPrune ? [("noprune", "1")] : [])),
                                               what: "the daemon's answer to rmi")
                for item in items.elements {
                    if let untagged = item[field: "Untagged"]?.text { Console.out("Untagged: \(untagged)") }
                    if let deleted = item[field: "Deleted"]?.text { Console.out("Deleted: \(deleted)") }
                }
            } catch {
                guard case let .registry(host, message) = error, host == EngineAPIClient.daemonHost else { throw error }
                Console.error(message)
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    /// `tag SOURCE TARGET`.
    static func tag(_ command: TagCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let target = command.target
        let colon = target.lastIndex(of: ":").flatMap { target[$0...].contains("/") ? nil : $0 }
        var query = [("repo", colon.map { String(target[..<$0]) } ?? target)]
        if let colon { query.append(("tag", String(target[target.index(after: colon)...]))) }
        try client.request("POST", "/images/\(EngineAPIClient.escape(command.source))/tag", query: query).discard()
        return 0
    }
}

/// A stream of JSON messages (Docker's progress streams: one object per line, or back to back).
enum JSONStream {
    static func each(_ response: LighterHTTP.HTTPResponse, what: String = "the daemon's progress message",
                     _ body: (JSONNode) throws(LighterError) -> Void) throws(LighterError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []
        while true {
            let n = try response.read(into: chunk)
            if n == 0 { break }
            pending += UnsafeRawBufferPointer(rebasing: chunk[..<n])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                if line.allSatisfy({ $0 == 32 || $0 == 13 }) { continue }
                try body(try JSONNode.parse(line, what: what))
            }
        }
        if !pending.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 10 }) { try body(try JSONNode.parse(pending, what: what)) }
    }
}
