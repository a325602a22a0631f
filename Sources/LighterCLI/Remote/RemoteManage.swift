import LighterAPI
import LighterArguments
import LighterSystem

/// `wait`, `rename`, `pause`/`unpause`, `top`, `port`, `diff` and `history` against an Engine API,
/// printed by the local commands' renderers.
enum RemoteManage {
    /// Each name's request; the line it returns printed on success, the daemon's message for each
    /// failure, exit 1 if any failed (Docker's CLI).
    static func each(_ names: [String], _ word: String, _ action: (String) throws(LighterError) -> String?) throws(LighterError) -> Int32 {
        guard !names.isEmpty else { throw .invalidArgument("\"\(word)\" requires at least 1 argument") }
        var failed = false
        for name in names {
            do throws(LighterError) {
                if let line = try action(name) { Console.out(line) }
            } catch {
                guard case let .registry(host, message) = error, host == EngineAPIClient.daemonHost else { throw error }
                Console.error(message)
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    /// `wait CONTAINER...`: each exit code on its own line, in the order given.
    static func wait(_ command: WaitCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        try each(command.containers, "wait") { (name) throws(LighterError) in
            let answer = try JSONNode.parse(try client.bytes("POST", "/containers/\(EngineAPIClient.escape(name))/wait"), what: "the daemon's wait answer")
            if let error = answer[field: "Error"]?[field: "Message"]?.text, !error.isEmpty {
                throw .registry(host: EngineAPIClient.daemonHost, message: "Error response from daemon: \(error)")
            }
            return String(answer[field: "StatusCode"]?.integer ?? 0)
        }
    }

    /// `rename CONTAINER NEW_NAME`: silent on success, as Docker's CLI.
    static func rename(_ command: RenameCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        try each([command.container], "rename") { (name) throws(LighterError) in
            try client.request("POST", "/containers/\(EngineAPIClient.escape(name))/rename", query: [("name", command.newName)]).discard()
            return nil
        }
    }

    /// `pause`/`unpause CONTAINER...`.
    static func pause(_ word: String, _ containers: [String], client: EngineAPIClient) throws(LighterError) -> Int32 {
        try each(containers, word) { (name) throws(LighterError) in
            try client.request("POST", "/containers/\(EngineAPIClient.escape(name))/\(word)").discard()
            return name
        }
    }

    /// `top CONTAINER [ps OPTIONS]`: the daemon's titles and rows as a table.
    static func top(_ command: TopCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var query: [(String, String)] = []
        if !command.psOptions.isEmpty { query.append(("ps_args", command.psOptions.joined(separator: " "))) }
        let answer = try client.document("/containers/\(EngineAPIClient.escape(command.container))/top", query: query)
        let titles = (answer[field: "Titles"]?.elements ?? []).map(\.text)
        let rows = (answer[field: "Processes"]?.elements ?? []).map { process in
            OutputRow(fields: Array(zip(titles, process.elements.map(\.text))))
        }
        let renderer = OutputRenderer(columns: titles.map { ($0, $0) })
        for line in try renderer.render(rows, format: nil) { Console.out(line) }
        return 0
    }

    /// `port CONTAINER [PRIVATE_PORT[/PROTO]]`: from the container's `NetworkSettings.Ports`.
    static func port(_ command: PortCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let document = try client.document("/containers/\(EngineAPIClient.escape(command.container))/json")
        var bindings: [(port: Int, proto: String, address: String)] = []
        for (key, list) in document[field: "NetworkSettings"]?[field: "Ports"]?.members ?? [:] {
            let parts = key.split(separator: "/").map(String.init)
            for binding in list.elements {
                let ip = binding[field: "HostIp"]?.text ?? ""
                let address = "\(ip.isEmpty ? "0.0.0.0" : ip.contains(":") ? "[\(ip)]" : ip):\(binding[field: "HostPort"]?.text ?? "")"
                bindings.append((Int(parts[0]) ?? 0, parts.count > 1 ? parts[1] : "tcp", address))
            }
        }
        bindings.sort { ($0.port, $0.proto) < ($1.port, $1.proto) }
        guard let port = command.port else {
            for binding in bindings { Console.out("\(binding.port)/\(binding.proto) -> \(binding.address)") }
            return 0
        }
        let parts = port.split(separator: "/").map(String.init)
        guard let number = Int(parts.first ?? "") else { throw .invalidArgument("invalid port \"\(port)\"") }
        let proto = parts.count > 1 ? parts[1] : "tcp"
        let matching = bindings.filter { $0.port == number && $0.proto == proto }
        guard !matching.isEmpty else {
            Console.error("Error: No public port '\(number)/\(proto)' published for \(command.container)")
            return 1
        }
        for binding in matching { Console.out(binding.address) }
        return 0
    }

    /// `diff CONTAINER`: `C /path`, `A /path`, `D /path` (Docker's kinds 0, 1, 2).
    static func diff(_ command: DiffCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let changes = try client.document("/containers/\(EngineAPIClient.escape(command.container))/changes")
        for change in changes.elements {
            let kind = ["0": "C", "1": "A", "2": "D"][change[field: "Kind"]?.text ?? ""] ?? "?"
            Console.out("\(kind) \(change[field: "Path"]?.text ?? "")")
        }
        return 0
    }

    /// `history IMAGE [-q] [--no-trunc] [--format] [-H]`: `/images/{name}/history` through the local rows.
    static func history(_ command: HistoryCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let entries = try client.document("/images/\(EngineAPIClient.escape(command.image))/history")
        let rows = entries.elements.map { entry -> OutputRow in
            var id = entry[field: "Id"]?.text ?? ""
            if id != "<missing>" && !command.noTrunc { id = String(id.drop { $0 != ":" }.dropFirst().prefix(12)) }
            let created = entry[field: "Created"]?.integer ?? 0
            return HistoryCommand.row(id: id, created: created > 0 ? created : nil, createdBy: entry[field: "CreatedBy"]?.text ?? "",
                                      size: entry[field: "Size"]?.integer ?? 0, comment: entry[field: "Comment"]?.text ?? "",
                                      noTrunc: command.noTrunc, human: command.human)
        }
        for line in try HistoryCommand.renderer.render(rows, format: command.output.format, quietKey: "ID", quiet: command.quiet) {
            Console.out(line)
        }
        return 0
    }
}
