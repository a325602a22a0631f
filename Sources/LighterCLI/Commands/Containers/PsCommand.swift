import LighterArguments
import LighterEngine
import LighterStore
import LighterSystem

/// `ps [-a] [-q] [-s] [-n N] [-l] [--no-trunc] [-f KEY=VALUE] [--format]` (also `container ls|list|ps`).
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", _superCommandName: "lighter", abstract: "List containers.")
    @OptionGroup var options: PsOptions
    func run() throws { try options.run() }
    static func status(_ record: ContainerRecord, health: HealthState? = nil) -> String { PsOptions.status(record, health: health) }
}

/// `ps`'s options and listing, shared by `ps` and `container ls`.
struct PsOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: [.customShort("a"), .long], help: "Show all containers (default shows just running).") var all = false
    @Flag(name: [.customShort("q"), .long], help: "Only display container IDs.") var quiet = false
    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes.") var size = false
    @Option(name: [.customShort("n"), .long], help: "Show n last created containers (includes all states).") var last: Int = -1
    @Flag(name: [.customShort("l"), .long], help: "Show the latest created container (includes all states).") var latest = false
    @Flag(name: .long, help: "Don't truncate output.") var noTrunc = false
    @Option(name: [.customShort("f"), .long], help: "Filter: status=, name=, id=, ancestor=, exited=, label=, before=, since=, network=, volume=, publish=, expose=, health=, is-task=.") var filter: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let filters = try ContainerFilter(filter)
            var records: [ContainerRecord] = []
            for id in try engine.allIDs().reversed() {
                guard let record = try? engine.inspect(id) else { continue }
                records.append(record)
            }
            // Newest first to the nanosecond (the database orders by whole seconds): -n, -l, before=, since=.
            records = records.enumerated().sorted { a, b in
                let (x, y) = (PsOptions.createdNanoseconds(a.element.created), PsOptions.createdNanoseconds(b.element.created))
                return x != y ? x > y : a.offset < b.offset
            }.map(\.element)
            let limit = latest ? 1 : last
            // -n/-l: the last created, whatever their state; filters first (before=/since= name positions).
            let everyState = all || limit > 0 || !filters.isEmpty
            var rows: [OutputRow] = []
            var matched = 0
            for record in records {
                let running = [.running, .restarting, .paused].contains(record.state.status)   // Docker lists paused ones too
                if !everyState && !running { continue }
                guard try filters.matches(record, among: records, engine: engine) else { continue }
                if limit > 0 && matched >= limit { break }
                matched += 1
                rows.append(row(record, engine: engine))
            }
            try render(rows)
        }
    }

    /// The table, `--format` or `-q` lines of `rows` (the local store's or a remote daemon's).
    func render(_ rows: [OutputRow]) throws(LighterError) {
        var columns: [(key: String, header: String)] = [("ID", "CONTAINER ID"), ("Image", "IMAGE"), ("Command", "COMMAND"),
                                                        ("RunningFor", "CREATED"), ("Status", "STATUS"), ("Ports", "PORTS"), ("Names", "NAMES")]
        if size { columns.append(("Size", "SIZE")) }
        for line in try OutputRenderer(columns: columns, methods: ["Label": OutputRenderer.labelMethod]).render(rows, format: output.format, quietKey: "ID", quiet: quiet) { Console.out(line) }
    }

    /// Sizes cost a walk of each upper directory: only with -s or a format that shows them.
    private var wantsSize: Bool {
        size || output.format.map { $0 == "json" || $0.contains("json .}}") || $0.contains(".Size") } ?? false
    }

    private func row(_ record: ContainerRecord, engine: Engine) -> OutputRow {
        var command = ([record.path] + record.args).joined(separator: " ")
        if !noTrunc && command.count > 20 { command = String(command.prefix(19)) + "…" }
        let created = Time.parseRFC3339(record.created) ?? 0
        let volumes = record.spec.binds.filter { $0.volume != nil }
        let mounts = record.spec.binds.map { bind in
            let name = bind.volume ?? bind.source
            return noTrunc || name.count <= 15 ? name : String(name.prefix(15)) + "…"
        }
        var sizeText = "0B"
        if wantsSize {
            let upper = FileSystem.diskUsage("\(engine.images.paths.containers)/\(record.id)/upper")
            let image = (try? engine.images.image(id: record.spec.imageID).size) ?? 0
            sizeText = "\(Time.humanSize(upper)) (virtual \(Time.humanSize(upper + image)))"
        }
        return OutputRow(fields: [
            ("ID", noTrunc ? record.id : record.shortID),
            ("Image", record.spec.image),
            ("Command", "\"\(command)\""),
            ("CreatedAt", PsOptions.createdAt(created)),
            ("RunningFor", Time.ago(created)),
            ("Status", PsOptions.status(record, health: engine.health(of: record))),
            ("State", record.state.status.rawValue),
            ("Ports", ((try? engine.networks.store.ports(container: record.id)) ?? []).map(\.psColumn).joined(separator: ", ")),
            ("Names", record.name),
            ("Labels", record.spec.labels.keys.sorted().map { "\($0)=\(record.spec.labels[$0] ?? "")" }.joined(separator: ",")),
            ("LocalVolumes", String(volumes.count)),
            ("Mounts", mounts.joined(separator: ",")),
            ("Networks", record.spec.network),
            ("Size", sizeText),
        ])
    }

    /// An RFC 3339 time in nanoseconds since the epoch (0 when unreadable).
    static func createdNanoseconds(_ text: String) -> Int64 {
        guard let seconds = Time.parseRFC3339(text) else { return 0 }
        var nanoseconds: Int64 = 0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }.prefix(9)
            nanoseconds = (Int64(digits) ?? 0) * Int64((0..<(9 - digits.count)).reduce(1) { product, _ in product * 10 })
        }
        return seconds * 1_000_000_000 + nanoseconds
    }

    /// Docker's CreatedAt: Go's time.String() ("2025-06-01 12:00:00 +0000 UTC"), in UTC.
    static func createdAt(_ seconds: Int64) -> String {
        let rfc = Time.rfc3339(seconds: seconds)   // 2025-06-01T12:00:00Z
        return String(rfc.prefix(10)) + " " + String(rfc.dropFirst(11).prefix(8)) + " +0000 UTC"
    }

    /// Docker's STATUS column: "Up 5 seconds", "Up 5 seconds (healthy)", "Exited (0) 3 minutes ago",
    /// "Created", "Restarting (1) …".
    static func status(_ record: ContainerRecord, health: HealthState? = nil) -> String {
        func since(_ time: String?) -> String {
            guard let time, let seconds = Time.parseRFC3339(time) else { return "" }
            return Time.ago(seconds).replacing(" ago", with: "")
        }
        switch record.state.status {
        case .created: return "Created"
        case .running:
            switch health?.status {
            case nil: return "Up \(since(record.state.startedAt))"
            case .starting: return "Up \(since(record.state.startedAt)) (health: starting)"
            case let status?: return "Up \(since(record.state.startedAt)) (\(status.rawValue))"
            }
        case .restarting: return "Restarting (\(record.state.exitCode)) \(Time.ago(Time.parseRFC3339(record.state.finishedAt ?? "") ?? 0))"
        case .exited: return "Exited (\(record.state.exitCode)) \(Time.ago(Time.parseRFC3339(record.state.finishedAt ?? "") ?? 0))"
        case .paused: return "Up \(since(record.state.startedAt)) (Paused)"
        case .removing: return "Removal In Progress"
        case .dead: return "Dead"
        }
    }
}

/// `ps --filter`: Docker's keys; several values of one key match any of them, different keys all.
struct ContainerFilter {
    static let keys = ["status", "name", "id", "ancestor", "exited", "label", "before", "since", "network", "volume",
                       "publish", "expose", "health", "is-task"]
    var conditions: [(String, String)] = []
    var isEmpty: Bool { conditions.isEmpty }

    init(_ specs: [String]) throws(LighterError) {
        for spec in specs {
            guard let eq = spec.firstIndex(of: "=") else { throw .invalidArgument("bad filter \"\(spec)\": expected key=value") }
            let key = String(spec[..<eq]), value = String(spec[spec.index(after: eq)...])
            guard Self.keys.contains(key) else {
                throw .invalidArgument("invalid filter '\(key)' (supported: \(Self.keys.joined(separator: ", ")))")
            }
            if key == "is-task" && value != "true" && value != "false" { throw .invalidArgument("invalid filter 'is-task=\(value)': use true or false") }
            if key == "health" && !["starting", "healthy", "unhealthy", "none"].contains(value) {
                throw .invalidArgument("invalid filter 'health=\(value)': use starting, healthy, unhealthy or none")
            }
            conditions.append((key, value))
        }
    }

    /// `records` are every container, newest first (for before= and since=). Values of one key are
    /// alternatives, except `label`'s, which must all hold (Docker's rule; compose filters on several).
    func matches(_ record: ContainerRecord, among records: [ContainerRecord], engine: Engine) throws(LighterError) -> Bool {
        let byKey = Dictionary(grouping: conditions, by: { $0.0 })
        for (key, values) in byKey {
            if key == "label" {
                for (_, value) in values where !(try matches(key, value, record, records, engine)) { return false }
                continue
            }
            var any = false
            for (_, value) in values {
                if try matches(key, value, record, records, engine) {
                    any = true
                    break
                }
            }
            if !any { return false }
        }
        return true
    }

    private func matches(_ key: String, _ value: String, _ record: ContainerRecord, _ records: [ContainerRecord], _ engine: Engine) throws(LighterError) -> Bool {
        switch key {
        case "status": return record.state.status.rawValue == value
        case "name": return record.name.contains(value)
        case "id": return record.id.hasPrefix(value)
        case "ancestor": return record.spec.image == value || record.spec.imageID.hex.hasPrefix(value.replacing("sha256:", with: ""))
        case "exited": return record.state.status == .exited && String(record.state.exitCode) == value
        case "label":
            guard let eq = value.firstIndex(of: "=") else { return record.spec.labels[value] != nil }
            return record.spec.labels[String(value[..<eq])] == String(value[value.index(after: eq)...])
        case "before", "since":
            // Position in creation order: before= lists older containers, since= newer ones.
            let id = try engine.resolve(value)
            guard let reference = records.firstIndex(where: { $0.id == id }), let index = records.firstIndex(where: { $0.id == record.id }) else { return false }
            return key == "before" ? index > reference : index < reference
        case "network": return record.spec.network == value
        case "volume": return record.spec.binds.contains { $0.volume == value || $0.destination == value || (!$0.source.isEmpty && $0.source == value) }
        case "publish", "expose":
            let (number, proto) = Self.port(value)
            let published = ((try? engine.networks.store.ports(container: record.id)) ?? []).map { ($0.containerPort, $0.proto) }
            var candidates = published
            if key == "expose", let config = try? engine.images.config(of: record.spec.imageID) {
                candidates += (config.config?.ExposedPorts ?? [:]).keys.map { Self.port($0) }.compactMap { p in p.0.map { ($0.lowerBound, p.1) } }
            }
            guard let number else { return false }
            return candidates.contains { number.contains($0.0) && $0.1 == proto }
        case "health": return value == (engine.health(of: record)?.status.rawValue ?? "none")
        case "is-task": return value == "false"    // no swarm: no container is a task
        default: return false
        }
    }

    /// "80", "80/udp", "8000-8080/tcp" → (range, proto).
    static func port(_ text: String) -> (ClosedRange<Int>?, String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        let proto = parts.count > 1 ? parts[1] : "tcp"
        let bounds = (parts.first ?? "").split(separator: "-").map { Int($0) }
        guard let low = bounds.first ?? nil else { return (nil, proto) }
        let high = bounds.count > 1 ? (bounds[1] ?? low) : low
        return (high >= low ? low...high : nil, proto)
    }
}
