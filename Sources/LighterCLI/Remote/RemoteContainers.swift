#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterArguments
import LighterOCI
import LighterSystem

/// The container commands against an Engine API: rows and documents from the daemon, rendered by
/// the local commands' own code.
enum RemoteContainers {
    /// `ps`: `/containers/json` with `all`, `limit`, `size` and the filters as Docker's CLI sends them.
    static func ps(_ options: PsOptions, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var query: [(String, String)] = []
        if options.all { query.append(("all", "1")) }
        let limit = options.latest ? 1 : options.last
        if limit > 0 { query.append(("limit", String(limit))) }
        if options.size { query.append(("size", "1")) }
        if let filters = filterQuery(options.filter) { query.append(("filters", filters)) }
        let rows = try client.document("/containers/json", query: query).elements.map { row($0, noTrunc: options.noTrunc) }
        try options.render(rows)
        return 0
    }

    /// `["status=exited", "label=a"]` → `{"label":["a"],"status":["exited"]}`.
    static func filterQuery(_ specs: [String]) -> String? {
        guard !specs.isEmpty else { return nil }
        var grouped: [String: [JSONNode]] = [:]
        for spec in specs {
            let key = String(spec.prefix { $0 != "=" }), value = String(spec.drop { $0 != "=" }.dropFirst())
            grouped[key, default: []].append(.string(value))
        }
        return String(decoding: JSONNode.object(grouped.mapValues { .array($0) }).serialized(), as: UTF8.self)
    }

    /// One `/containers/json` entry as `ps`'s row, with the keys of the local rows.
    static func row(_ c: JSONNode, noTrunc: Bool) -> OutputRow {
        let id = c[field: "Id"]?.text ?? ""
        var command = c[field: "Command"]?.text ?? ""
        if !noTrunc && command.count > 20 { command = String(command.prefix(19)) + "…" }
        let created = c[field: "Created"]?.integer ?? 0
        let names = (c[field: "Names"]?.elements ?? []).map { String($0.text.drop { $0 == "/" }) }
        let ports = (c[field: "Ports"]?.elements ?? []).map { port -> String in
            let target = "\(port[field: "PrivatePort"]?.integer ?? 0)/\(port[field: "Type"]?.text ?? "tcp")"
            guard let published = port[field: "PublicPort"]?.integer, published > 0 else { return target }
            let ip = port[field: "IP"]?.text ?? ""
            return "\(ip.contains(":") ? "[\(ip)]" : ip):\(published)->\(target)"
        }
        let labels = (c[field: "Labels"]?.members ?? [:]).mapValues(\.text)
        let mounts = (c[field: "Mounts"]?.elements ?? []).map { mount -> String in
            let name = mount[field: "Name"]?.text.isEmpty == false ? mount[field: "Name"]!.text : (mount[field: "Source"]?.text ?? "")
            return noTrunc || name.count <= 15 ? name : String(name.prefix(15)) + "…"
        }
        let volumes = (c[field: "Mounts"]?.elements ?? []).filter { $0[field: "Type"]?.text == "volume" }
        let networks = (c[field: "NetworkSettings"]?[field: "Networks"]?.members ?? [:]).keys.sorted()
        var size = "0B"
        if let rw = c[field: "SizeRw"]?.integer {
            size = "\(Time.humanSize(rw)) (virtual \(Time.humanSize(c[field: "SizeRootFs"]?.integer ?? rw)))"
        }
        return OutputRow(fields: [
            ("ID", noTrunc ? id : String(id.prefix(12))),
            ("Image", c[field: "Image"]?.text ?? ""),
            ("Command", "\"\(command)\""),
            ("CreatedAt", PsOptions.createdAt(created)),
            ("RunningFor", Time.ago(created)),
            ("Status", c[field: "Status"]?.text ?? ""),
            ("State", c[field: "State"]?.text ?? ""),
            ("Ports", ports.joined(separator: ", ")),
            ("Names", names.joined(separator: ",")),
            ("Labels", DockerListRows.labels(labels)),
            ("LocalVolumes", String(volumes.count)),
            ("Mounts", mounts.joined(separator: ",")),
            ("Networks", networks.joined(separator: ",")),
            ("Size", size),
        ])
    }

    /// `inspect`: containers first, then images (`--type` narrows), printed as the local command prints.
    static func inspect(_ command: InspectCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        guard !command.names.isEmpty else { throw .invalidArgument("\"inspect\" requires at least 1 argument") }
        var documents: [[UInt8]] = []
        var missing: [String] = []
        for name in command.names {
            let escaped = EngineAPIClient.escape(name)
            if command.type != "image", let found = try present(client, "/containers/\(escaped)/json") {
                documents.append(found)
            } else if command.type != "container", let found = try present(client, "/images/\(escaped)/json") {
                documents.append(found)
            } else {
                missing.append(name)
            }
        }
        if let format = command.format {
            for document in documents { Console.out(try JSONTemplate.render(format, value: document)) }
        } else {
            let values = try documents.map { (d) throws(LighterError) -> JSONValue in try JSON.decode(JSONValue.self, from: d, what: "document") }
            Console.out(values.isEmpty ? "[]" : String(decoding: try JSON.encode(values, pretty: true), as: UTF8.self))
        }
        // Docker's wording: "Error: No such object: NAME" (or container / image with --type).
        let kind = command.type ?? "object"
        for name in missing { Console.error("Error: No such \(kind): \(name)") }
        return missing.isEmpty ? 0 : 1
    }

    /// The body of a GET, or nil when the daemon answers 404.
    static func present(_ client: EngineAPIClient, _ path: String) throws(LighterError) -> [UInt8]? {
        let response = try client.request("GET", path, tolerating: [404])
        if response.status == 404 {
            response.discard()
            return nil
        }
        return try response.collect(upTo: 64 * 1024 * 1024)
    }

    /// `start`, `stop [-t] [-s]`, `restart [-t]`, `kill [-s]`, `rm [-f] [-v]`: each name printed on
    /// success, the daemon's message for each failure, exit 1 if any failed (as Docker's CLI).
    static func lifecycle(_ word: String, _ arguments: [String], client: EngineAPIClient) throws(LighterError) -> Int32 {
        var names: [String]
        var method = "POST", action = word
        var query: [(String, String)] = []
        switch word {
        case "start":
            let command = LighterCommand.parseOrExit(StartCommand.self, arguments) as! StartCommand
            if command.attach || command.interactive { return try RemoteAttach.start(command, client: client) }
            names = command.containers
        case "stop":
            let command = LighterCommand.parseOrExit(StopCommand.self, arguments) as! StopCommand
            if let time = command.time { query.append(("t", String(time))) }
            if let signal = command.signal { query.append(("signal", signal)) }
            names = command.containers
        case "restart":
            let command = LighterCommand.parseOrExit(RestartCommand.self, arguments) as! RestartCommand
            if let time = command.time { query.append(("t", String(time))) }
            names = command.containers
        case "kill":
            let command = LighterCommand.parseOrExit(KillCommand.self, arguments) as! KillCommand
            query.append(("signal", command.signal))
            names = command.containers
        default:
            let command = LighterCommand.parseOrExit(RmCommand.self, arguments) as! RmCommand
            if command.force { query.append(("force", "1")) }
            if command.volumes { query.append(("v", "1")) }
            method = "DELETE"
            action = ""
            names = command.containers
        }
        guard !names.isEmpty else { throw .invalidArgument("\"\(word)\" requires at least 1 argument") }
        var failed = false
        for name in names {
            do throws(LighterError) {
                let path = "/containers/\(EngineAPIClient.escape(name))" + (action.isEmpty ? "" : "/\(action)")
                try client.request(method, path, query: query).discard()
                Console.out(name)
            } catch {
                if case let .registry(host, message) = error, host == EngineAPIClient.daemonHost { Console.error(message) } else { throw error }
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    /// `logs [-f] [--tail N] [--since T] [-t]`: raw bytes for a TTY container, else stdcopy frames
    /// split back onto standard output and standard error.
    static func logs(_ command: LogsCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let name = EngineAPIClient.escape(command.container)
        let tty = try client.document("/containers/\(name)/json")[field: "Config"]?[field: "Tty"] == .bool(true)
        var query: [(String, String)] = [("stdout", "1"), ("stderr", "1"), ("tail", command.tail)]
        if command.follow { query.append(("follow", "1")) }
        if command.timestamps { query.append(("timestamps", "1")) }
        if let since = command.since { query.append(("since", String(try LogsCommand.parseSince(since)))) }
        let response = try client.request("GET", "/containers/\(name)/logs", query: query)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        var pending: [UInt8] = []
        while true {
            let n = try response.read(into: chunk)
            if n == 0 { break }
            let bytes = Array(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
            if tty {
                write(1, bytes)
                continue
            }
            let (frames, rest) = StdCopy.unframe(pending + bytes)
            pending = rest
            for (stream, payload) in frames { write(stream == 2 ? 2 : 1, payload) }
        }
        return 0
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { POSIX.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { return }
            offset += n
        }
    }
}
