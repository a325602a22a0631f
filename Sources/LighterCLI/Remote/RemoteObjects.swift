import LighterArguments
import LighterOCI
import LighterSystem

/// `network` and `volume` against an Engine API: parsed by the local subcommands' own types (plus
/// `-f/--filter` for `ls`, which the daemon applies), rendered by the local renderers.
enum RemoteObjects {
    static func network(_ arguments: [String], spelled: String, host: RemoteHost) throws(LighterError) -> Int32 {
        guard let sub = arguments.first else { RemoteCommand.refuse(spelled, host) }
        let rest = Array(arguments.dropFirst())
        func parsed<T: ParsableCommand>(_ type: T.Type, _ words: [String] = rest) -> T { LighterCommand.parseOrExit(type, words) as! T }
        switch sub {
        case "ls", "list":
            let (filters, others) = splitFilters(rest)
            let command = parsed(NetworkListCommand.self, others)
            var query: [(String, String)] = []
            if let encoded = RemoteContainers.filterQuery(filters) { query.append(("filters", encoded)) }
            let client = try EngineAPIClient(host: host)
            let rows = try client.document("/networks", query: query).elements.map { network in
                let id = network[field: "Id"]?.text ?? ""
                return DockerListRows.network(id: String(id.prefix(12)), name: network[field: "Name"]?.text ?? "", driver: network[field: "Driver"]?.text ?? "",
                                              created: Time.parseRFC3339(network[field: "Created"]?.text ?? "") ?? 0,
                                              isInternal: network[field: "Internal"] == .bool(true))
            }.sorted { ($0["Name"] ?? "") < ($1["Name"] ?? "") }
            let columns: [(key: String, header: String)] = [("ID", "NETWORK ID"), ("Name", "NAME"), ("Driver", "DRIVER"), ("Scope", "SCOPE")]
            for line in try OutputRenderer(columns: columns, methods: ["Label": OutputRenderer.labelMethod])
                .render(rows, format: command.output.format, quietKey: "ID", quiet: command.quiet) { Console.out(line) }
            return 0
        case "create":
            let command = parsed(NetworkCreateCommand.self)
            var body: [String: JSONNode] = ["Name": .string(command.name), "Driver": .string(command.driver), "CheckDuplicate": .bool(true),
                                            "Internal": .bool(command.internal)]
            if command.subnet != nil || command.gateway != nil {
                var config: [String: JSONNode] = [:]
                if let subnet = command.subnet { config["Subnet"] = .string(subnet) }
                if let gateway = command.gateway { config["Gateway"] = .string(gateway) }
                body["IPAM"] = .object(["Driver": .string("default"), "Config": .array([.object(config)])])
            }
            let created = try JSONNode.parse(try EngineAPIClient(host: host).bytes("POST", "/networks/create", json: JSONNode.object(body).serialized()),
                                             what: "the daemon's answer to network create")
            Console.out(created[field: "Id"]?.text ?? "")
            return 0
        case "inspect":
            let command = parsed(NetworkInspectCommand.self)
            guard !command.names.isEmpty else { throw .invalidArgument("\"network inspect\" requires at least 1 argument") }
            return try inspect(command.names, kind: "network", path: "/networks/", format: command.format, client: try EngineAPIClient(host: host))
        case "rm", "remove":
            let command = parsed(NetworkRemoveCommand.self)
            guard !command.names.isEmpty else { throw .invalidArgument("\"network rm\" requires at least 1 argument") }
            return try each(command.names, client: try EngineAPIClient(host: host)) { (client, name) throws(LighterError) in
                try client.request("DELETE", "/networks/\(EngineAPIClient.escape(name))").discard()
            }
        case "connect", "disconnect":
            var body: [String: JSONNode]
            let network: String
            if sub == "connect" {
                let command = parsed(NetworkConnectCommand.self)
                var endpoint: [String: JSONNode] = [:]
                if let ip = command.ip { endpoint["IPAMConfig"] = .object(["IPv4Address": .string(ip)]) }
                if !command.alias.isEmpty { endpoint["Aliases"] = .array(command.alias.map(JSONNode.string)) }
                body = ["Container": .string(command.container), "EndpointConfig": .object(endpoint)]
                network = command.network
            } else {
                let command = parsed(NetworkDisconnectCommand.self)
                body = ["Container": .string(command.container), "Force": .bool(command.force)]
                network = command.network
            }
            try EngineAPIClient(host: host).request("POST", "/networks/\(EngineAPIClient.escape(network))/\(sub)", json: JSONNode.object(body).serialized()).discard()
            return 0
        case "prune":
            _ = parsed(NetworkPruneCommand.self)
            let answer = try JSONNode.parse(try EngineAPIClient(host: host).bytes("POST", "/networks/prune"), what: "the daemon's answer to network prune")
            let removed = (answer[field: "NetworksDeleted"]?.elements ?? []).map(\.text)
            if !removed.isEmpty { Console.out("Deleted Networks:\n" + removed.joined(separator: "\n")) }
            return 0
        default:
            RemoteCommand.refuse(spelled, host)
        }
    }

    static func volume(_ arguments: [String], spelled: String, host: RemoteHost) throws(LighterError) -> Int32 {
        guard let sub = arguments.first else { RemoteCommand.refuse(spelled, host) }
        let rest = Array(arguments.dropFirst())
        func parsed<T: ParsableCommand>(_ type: T.Type, _ words: [String] = rest) -> T { LighterCommand.parseOrExit(type, words) as! T }
        switch sub {
        case "ls", "list":
            let (filters, others) = splitFilters(rest)
            let command = parsed(VolumeCommand.List.self, others)
            var query: [(String, String)] = []
            if let encoded = RemoteContainers.filterQuery(filters) { query.append(("filters", encoded)) }
            let answer = try EngineAPIClient(host: host).document("/volumes", query: query)
            let rows = (answer[field: "Volumes"]?.elements ?? []).map { volume in
                OutputRow(fields: [
                    ("Driver", volume[field: "Driver"]?.text ?? ""), ("Labels", DockerListRows.labels((volume[field: "Labels"]?.members ?? [:]).mapValues(\.text))),
                    ("Links", "N/A"), ("Mountpoint", volume[field: "Mountpoint"]?.text ?? ""), ("Name", volume[field: "Name"]?.text ?? ""),
                    ("Scope", volume[field: "Scope"]?.text ?? "local"), ("Size", "N/A"),
                ])
            }.sorted { ($0["Name"] ?? "") < ($1["Name"] ?? "") }
            let renderer = OutputRenderer(columns: [("Driver", "DRIVER"), ("Name", "VOLUME NAME")])
            for line in try renderer.render(rows, format: command.output.format, quietKey: "Name", quiet: command.quiet) { Console.out(line) }
            return 0
        case "create":
            let command = parsed(VolumeCommand.Create.self)
            func pairs(_ list: [String]) -> JSONNode {
                .object(Dictionary(list.map { (String($0.prefix { $0 != "=" }), JSONNode.string(String($0.drop { $0 != "=" }.dropFirst()))) }) { $1 })
            }
            var body: [String: JSONNode] = ["Driver": .string("local"), "Labels": pairs(command.label), "DriverOpts": pairs(command.opt)]
            if let name = command.name { body["Name"] = .string(name) }
            let created = try JSONNode.parse(try EngineAPIClient(host: host).bytes("POST", "/volumes/create", json: JSONNode.object(body).serialized()),
                                             what: "the daemon's answer to volume create")
            Console.out(created[field: "Name"]?.text ?? "")
            return 0
        case "inspect":
            let command = parsed(VolumeCommand.Inspect.self)
            guard !command.names.isEmpty else { throw .invalidArgument("\"volume inspect\" requires at least 1 argument") }
            return try inspect(command.names, kind: "volume", path: "/volumes/", format: command.format, client: try EngineAPIClient(host: host))
        case "rm", "remove":
            let command = parsed(VolumeCommand.Remove.self)
            guard !command.names.isEmpty else { throw .invalidArgument("\"volume rm\" requires at least 1 argument") }
            return try each(command.names, client: try EngineAPIClient(host: host)) { (client, name) throws(LighterError) in
                try client.request("DELETE", "/volumes/\(EngineAPIClient.escape(name))", query: command.force ? [("force", "1")] : []).discard()
            }
        case "prune":
            _ = parsed(VolumeCommand.Prune.self)
            let answer = try JSONNode.parse(try EngineAPIClient(host: host).bytes("POST", "/volumes/prune"), what: "the daemon's answer to volume prune")
            let removed = (answer[field: "VolumesDeleted"]?.elements ?? []).map(\.text)
            if !removed.isEmpty {
                Console.out("Deleted Volumes:")
                for name in removed { Console.out(name) }
                Console.out("")
            }
            return 0
        default:
            RemoteCommand.refuse(spelled, host)
        }
    }

    /// `-f X`, `-fX`, `--filter X`, `--filter=X` taken out of `ls`'s arguments.
    static func splitFilters(_ arguments: [String]) -> (filters: [String], others: [String]) {
        var filters: [String] = [], others: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-f" || argument == "--filter", index < arguments.count {
                filters.append(arguments[index])
                index += 1
            } else if argument.hasPrefix("--filter=") {
                filters.append(String(argument.dropFirst("--filter=".count)))
            } else if argument.hasPrefix("-f"), argument.count > 2 {
                filters.append(String(argument.dropFirst(2)))
            } else {
                others.append(argument)
            }
        }
        return (filters, others)
    }

    /// Each name's document (a template, or all as a pretty array), then Docker's error for each missing one.
    private static func inspect(_ names: [String], kind: String, path: String, format: String?, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var documents: [[UInt8]] = []
        var missing: [String] = []
        for name in names {
            if let found = try RemoteContainers.present(client, path + EngineAPIClient.escape(name)) { documents.append(found) } else { missing.append(name) }
        }
        if let format {
            for document in documents { Console.out(try JSONTemplate.render(format, value: document)) }
        } else {
            let values = try documents.map { (d) throws(LighterError) -> JSONValue in try JSON.decode(JSONValue.self, from: d, what: "document") }
            Console.out(values.isEmpty ? "[]" : String(decoding: try JSON.encode(values, pretty: true), as: UTF8.self))
        }
        for name in missing { Console.error("Error response from daemon: No such \(kind): \(name)") }
        return missing.isEmpty ? 0 : 1
    }

    /// One request per name: the name printed on success, the daemon's message on failure (exit 1 if any).
    private static func each(_ names: [String], client: EngineAPIClient, _ body: (EngineAPIClient, String) throws(LighterError) -> Void) throws(LighterError) -> Int32 {
        var failed = false
        for name in names {
            do throws(LighterError) {
                try body(client, name)
                Console.out(name)
            } catch {
                guard case let .registry(host, message) = error, host == EngineAPIClient.daemonHost else { throw error }
                Console.error(message)
                failed = true
            }
        }
        return failed ? 1 : 0
    }
}
