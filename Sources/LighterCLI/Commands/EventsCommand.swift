#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterStore
import LighterSystem

/// `events [--since] [--until] [--filter] [--format]`: the data root's event log, then (without
/// --until, or with one in the future) the events as they happen, until Ctrl-C or --until.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "Get real time events from the engine.")
    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: "Show all events created since timestamp (RFC 3339, Unix seconds, or a duration such as 10m).") var since: String?
    @Option(name: .long, help: "Stream events until this timestamp.") var until: String?
    @Option(name: [.customShort("f"), .long], help: "Filter: type=, container=, image=, event=, network=, volume=, label=.") var filter: [String] = []
    @Option(name: .long, help: "Format output: 'json', or a Go-style template such as '{{.Type}} {{.Action}}' or '{{json .}}'.") var format: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let now = Time.now()
            let nowNano = now.seconds * 1_000_000_000 + now.nanoseconds
            let sinceNano = try since.map { (s) throws(LighterError) in try EventsCommand.timestamp(s, flag: "--since", now: nowNano) }
            let untilNano = try until.map { (u) throws(LighterError) in try EventsCommand.timestamp(u, flag: "--until", now: nowNano) }
            let filters = try EventFilter(filter)
            let log = EventLog(root: store.resolvedRoot)
            func show(_ event: Event) throws(LighterError) {
                guard filters.matches(event) else { return }
                Console.out(try EventsCommand.line(event, format: format))
            }
            if let sinceNano {
                for event in log.read() where event.timeNano >= sinceNano && event.timeNano <= (untilNano ?? nowNano) { try show(event) }
            }
            if let untilNano, untilNano <= nowNano { return }
            var failure: LighterError?
            log.follow { event in
                if event == Event.tick { return untilNano.map { Time.now().seconds * 1_000_000_000 < $0 } ?? true }
                if let untilNano, event.timeNano > untilNano { return false }
                do throws(LighterError) { try show(event) } catch { failure = error; return false }
                return true
            }
            if let failure { throw failure }
        }
    }

    /// Docker's line: `2025-06-01T12:00:00.123456789Z container start ID (image=busybox, name=box)`;
    /// `json` / `{{json .}}` the event as stored; other templates see Docker's Go field names too
    /// (`{{.Status}}`, `{{.ID}}`, `{{.Time}}`) beside the JSON keys.
    static func line(_ event: Event, format: String?) throws(LighterError) -> String {
        switch format {
        case nil, "":
            var text = "\(rfc3339Nano(event.timeNano)) \(event.type) \(event.action) \(event.actorID)"
            if !event.attributes.isEmpty {
                text += " (" + event.attributes.keys.sorted().map { "\($0)=\(event.attributes[$0] ?? "")" }.joined(separator: ", ") + ")"
            }
            return text
        case "json", "{{json .}}":
            return String(decoding: event.json.serialized(), as: UTF8.self)
        case let template?:
            guard case var .object(fields) = event.json else { return "" }
            for (go, key) in [("Status", "status"), ("ID", "id"), ("From", "from"), ("Scope", "scope"), ("Time", "time"), ("TimeNano", "timeNano")] {
                fields[go] = fields[key] ?? .string("")
            }
            return try JSONTemplate.render(template, value: JSONNode.object(fields as [String: JSONNode]).serialized())
        }
    }

    /// RFC 3339 with all nine digits of nanoseconds, as Docker's RFC3339NanoFixed (UTC).
    static func rfc3339Nano(_ nano: Int64) -> String {
        let seconds = Time.rfc3339(seconds: nano / 1_000_000_000)
        let fraction = String(nano % 1_000_000_000)
        return String(seconds.dropLast()) + "." + String(repeating: "0", count: 9 - fraction.count) + fraction + "Z"
    }

    /// `--since`/`--until`: RFC 3339, Unix seconds (with a fraction), or a duration before now ("10m", "1h30m", "45s").
    static func timestamp(_ text: String, flag: String, now: Int64) throws(LighterError) -> Int64 {
        if let seconds = Time.parseRFC3339(text) { return seconds * 1_000_000_000 }
        let parts = text.split(separator: ".", maxSplits: 1)
        if let seconds = Int64(parts.first ?? ""), parts.count == 1 || Int64(parts[1]) != nil {
            var nano = seconds * 1_000_000_000
            if parts.count == 2 {
                let digits = String(parts[1].prefix(9))
                nano += (Int64(digits) ?? 0) * Int64(pow10(9 - digits.count))
            }
            return nano
        }
        var total: Int64 = 0
        var number = ""
        for character in text {
            if character.isNumber { number.append(character); continue }
            guard let value = Int64(number) else { throw .invalidArgument("\(flag) \(text): expected RFC 3339, Unix seconds or a duration such as 10m") }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: throw .invalidArgument("\(flag) \(text): unknown unit \"\(character)\" (use s, m or h)")
            }
            number = ""
        }
        guard number.isEmpty, !text.isEmpty else { throw .invalidArgument("\(flag) \(text): expected RFC 3339, Unix seconds or a duration such as 10m") }
        return now - total * 1_000_000_000
    }

    private static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { product, _ in product * 10 } }
}

/// `events --filter`: several values of one key match any of them; different keys must all match.
struct EventFilter {
    static let keys = ["type", "container", "image", "event", "network", "volume", "label"]
    var conditions: [String: [String]] = [:]

    init(_ specs: [String]) throws(LighterError) {
        for spec in specs {
            guard let eq = spec.firstIndex(of: "=") else { throw .invalidArgument("bad filter \"\(spec)\": expected key=value") }
            let key = String(spec[..<eq]), value = String(spec[spec.index(after: eq)...])
            guard Self.keys.contains(key) else { throw .invalidArgument("invalid filter '\(key)' (supported: \(Self.keys.joined(separator: ", ")))") }
            conditions[key, default: []].append(value)
        }
    }

    func matches(_ event: Event) -> Bool {
        conditions.allSatisfy { key, values in values.contains { matches(key, $0, event) } }
    }

    private func matches(_ key: String, _ value: String, _ event: Event) -> Bool {
        let attributes = event.attributes
        switch key {
        case "type": return event.type == value
        case "event": return event.action == value
        case "container":
            return event.type == "container" && (event.actorID.hasPrefix(value) || attributes["name"] == value)
                || (event.type == "network" && attributes["container"].map { $0.hasPrefix(value) } == true)
        case "image":
            if event.type == "image" { return event.actorID == value || event.actorID.hasPrefix("sha256:" + value) || attributes["name"] == value }
            return attributes["image"] == value
        case "network": return event.type == "network" && (event.actorID.hasPrefix(value) || attributes["name"] == value)
        case "volume": return event.type == "volume" && event.actorID == value
        case "label":
            guard let eq = value.firstIndex(of: "=") else { return attributes[value] != nil }
            return attributes[String(value[..<eq])] == String(value[value.index(after: eq)...])
        default: return false
        }
    }
}
