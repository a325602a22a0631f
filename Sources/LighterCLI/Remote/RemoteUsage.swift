#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterArguments
import LighterEngine
import LighterStore
import LighterSystem

/// `update`, `stats` and `events` against an Engine API, printed by the local commands' renderers.
enum RemoteUsage {
    /// `update [flags] CONTAINER...`: the flags checked as the local command checks them, sent as Docker's UpdateConfig.
    static func update(_ command: UpdateCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let change = try command.makeChange()
        var fields: [String: JSONNode] = [:]
        func number<T: BinaryInteger>(_ value: T) -> JSONNode { .number(String(value)) }
        if let memory = change.memory { fields["Memory"] = number(memory) }
        if let swap = change.memorySwap { fields["MemorySwap"] = number(swap) }
        if let nano = change.nanoCpus {
            fields["NanoCpus"] = number(nano)    // the daemon derives period and quota from it
        } else {
            if let quota = change.cpuQuota { fields["CpuQuota"] = number(quota) }
            if let period = change.cpuPeriod { fields["CpuPeriod"] = number(period) }
        }
        if let shares = change.cpuShares { fields["CpuShares"] = number(shares) }
        if let cpus = change.cpusetCpus { fields["CpusetCpus"] = .string(cpus) }
        if let pids = change.pidsLimit { fields["PidsLimit"] = number(pids) }
        if let restart = change.restart {
            var name = restart.description, retries = 0
            if case let .onFailure(maxRetries) = restart { name = "on-failure"; retries = maxRetries }
            fields["RestartPolicy"] = .object(["Name": .string(name), "MaximumRetryCount": number(retries)])
        }
        let body = JSONNode.object(fields).serialized()
        return try RemoteManage.each(command.containers, "update") { (name) throws(LighterError) in
            try client.request("POST", "/containers/\(EngineAPIClient.escape(name))/update", json: body).discard()
            return name
        }
    }

    /// `stats [-a] [--no-stream] [--no-trunc] [--format] [CONTAINER...]`: one `stream=0` document per
    /// container (two samples half a second apart on the daemon), redrawn every round unless --no-stream
    /// (until interrupted; a named container that goes away ends it with an error).
    static func stats(_ command: StatsCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        while true {
            // Without names: the daemon's running (with -a all) containers, listed again each round.
            var names = command.containers
            if names.isEmpty {
                let query: [(String, String)] = command.all ? [("all", "1")] : []
                names = try client.document("/containers/json", query: query).elements.map { $0[field: "Id"]?.text ?? "" }
            }
            var rows: [OutputRow] = []
            for name in names {
                let escaped = EngineAPIClient.escape(name)
                let response = try client.request("GET", "/containers/\(escaped)/stats", query: [("stream", "0")], tolerating: [404])
                guard response.status != 404 else {
                    response.discard()
                    if !command.containers.isEmpty { throw .notFound(kind: "container", name: name) }
                    continue    // removed since the listing: it drops out
                }
                rows.append(row(try JSONNode.parse(try response.collect(upTo: 1024 * 1024), what: "the daemon's stats"), noTrunc: command.noTrunc))
            }
            let lines = try StatsCommand.renderer.render(rows, format: command.output.format)
            if command.noStream {
                for line in lines { Console.out(line) }
                return 0
            }
            Console.out("\u{1b}[2J\u{1b}[H" + lines.joined(separator: "\n"))
            usleep(500_000)    // with each document's half second: about one round a second, as Docker's
        }
    }

    /// Docker's CLI arithmetic on a StatsJSON: CPU % from the deltas against `precpu_stats`.
    static func row(_ document: JSONNode, noTrunc: Bool) -> OutputRow {
        func value(_ path: String...) -> UInt64 {
            var node: JSONNode? = document
            for key in path { node = node?[field: key] }
            return UInt64(max(0, node?.integer ?? 0))
        }
        let cpu = Double(value("cpu_stats", "cpu_usage", "total_usage")) - Double(value("precpu_stats", "cpu_usage", "total_usage"))
        let system = Double(value("cpu_stats", "system_cpu_usage")) - Double(value("precpu_stats", "system_cpu_usage"))
        let online = Double(max(1, value("cpu_stats", "online_cpus")))
        let percent = cpu > 0 && system > 0 ? cpu / system * online * 100 : 0
        var read: UInt64 = 0, written: UInt64 = 0
        for entry in document[field: "blkio_stats"]?[field: "io_service_bytes_recursive"]?.elements ?? [] {
            let bytes = UInt64(max(0, entry[field: "value"]?.integer ?? 0))
            switch entry[field: "op"]?.text.lowercased() {
            case "read": read += bytes
            case "write": written += bytes
            default: break
            }
        }
        var received: UInt64 = 0, sent: UInt64 = 0
        for (_, network) in document[field: "networks"]?.members ?? [:] {
            received += UInt64(max(0, network[field: "rx_bytes"]?.integer ?? 0))
            sent += UInt64(max(0, network[field: "tx_bytes"]?.integer ?? 0))
        }
        return StatsCommand.row(id: document[field: "id"]?.text ?? "", name: String((document[field: "name"]?.text ?? "").drop { $0 == "/" }),
                                cpuPercent: percent, memory: (value("memory_stats", "usage"), value("memory_stats", "limit")),
                                network: (received, sent), block: (read, written), pids: value("pids_stats", "current"), noTrunc: noTrunc)
    }

    /// `events [--since] [--until] [--filter] [--format]`: `/events`, each line as the local command prints
    /// it, until the daemon ends the stream (--until) or the user interrupts.
    static func events(_ command: EventsCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let now = Time.now()
        let nowNano = now.seconds * 1_000_000_000 + now.nanoseconds
        func unix(_ nano: Int64) -> String {
            let fraction = String(nano % 1_000_000_000)
            return "\(nano / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
        }
        var query: [(String, String)] = []
        // Durations are the client's ("10m" before its now), as Docker's CLI sends them.
        if let since = command.since { query.append(("since", unix(try EventsCommand.timestamp(since, flag: "--since", now: nowNano)))) }
        if let until = command.until { query.append(("until", unix(try EventsCommand.timestamp(until, flag: "--until", now: nowNano)))) }
        _ = try EventFilter(command.filter)
        if let filters = RemoteContainers.filterQuery(command.filter) { query.append(("filters", filters)) }
        let response = try client.request("GET", "/events", query: query)
        try JSONStream.each(response, what: "the daemon's event") { (node) throws(LighterError) in
            Console.out(try EventsCommand.line(try Event(json: node), format: command.format))
        }
        return 0
    }
}
