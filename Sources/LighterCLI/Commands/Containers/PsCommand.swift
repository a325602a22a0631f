import ArgumentParser
import LighterEngine
import LighterStore
import LighterSystem

/// `ps [-a] [-q] [-s] [--no-trunc] [-f KEY=VALUE] [--format]`.
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", _superCommandName: "lighter", abstract: "List containers.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: [.customShort("a"), .long], help: "Show all containers (default shows just running).") var all = false
    @Flag(name: [.customShort("q"), .long], help: "Only display container IDs.") var quiet = false
    @Flag(name: [.customShort("s"), .long], help: "Display total file sizes.") var size = false
    @Flag(name: .long, help: "Don't truncate output.") var noTrunc = false
    @Option(name: [.customShort("f"), .long], help: "Filter: status=, name=, id=, ancestor=, exited=.") var filter: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let filters = try ContainerFilter(filter)
            var rows: [OutputRow] = []
            for id in try engine.allIDs().reversed() {
                guard let record = try? engine.inspect(id) else { continue }
                let running = [.running, .restarting, .paused].contains(record.state.status)   // Docker lists paused ones too
                if !all && !running && filters.isEmpty { continue }
                guard filters.matches(record) else { continue }
                rows.append(row(record, engine: engine))
            }
            var columns: [(key: String, header: String)] = [("ID", "CONTAINER ID"), ("Image", "IMAGE"), ("Command", "COMMAND"),
                                                            ("RunningFor", "CREATED"), ("Status", "STATUS"), ("Ports", "PORTS"), ("Names", "NAMES")]
            if size { columns.append(("Size", "SIZE")) }
            for line in try OutputRenderer(columns: columns).render(rows, format: output.format, quietKey: "ID", quiet: quiet) { Console.out(line) }
        }
    }

    private func row(_ record: ContainerRecord, engine: Engine) -> OutputRow {
        var command = ([record.path] + record.args).joined(separator: " ")
        if !noTrunc && command.count > 20 { command = String(command.prefix(19)) + "…" }
        let created = Time.parseRFC3339(record.created) ?? 0
        var fields: [(key: String, value: String)] = [
            ("ID", noTrunc ? record.id : record.shortID),
            ("Image", record.spec.image),
            ("Command", "\"\(command)\""),
            ("CreatedAt", record.created),
            ("RunningFor", Time.ago(created)),
            ("Status", PsCommand.status(record)),
            ("State", record.state.status.rawValue),
            ("Ports", ((try? engine.networks.store.ports(container: record.id)) ?? []).map(\.psColumn).joined(separator: ", ")),
            ("Names", record.name),
            ("Networks", record.spec.network),
        ]
        if size { fields.append(("Size", Time.humanSize(FileSystem.diskUsage("\(engine.images.paths.containers)/\(record.id)/upper")))) }
        return OutputRow(fields: fields)
    }

    /// Docker's STATUS column: "Up 5 seconds", "Exited (0) 3 minutes ago", "Created", "Restarting (1) …".
    static func status(_ record: ContainerRecord) -> String {
        func since(_ time: String?) -> String {
            guard let time, let seconds = Time.parseRFC3339(time) else { return "" }
            return Time.ago(seconds).replacing(" ago", with: "")
        }
        switch record.state.status {
        case .created: return "Created"
        case .running: return "Up \(since(record.state.startedAt))"
        case .restarting: return "Restarting (\(record.state.exitCode)) \(Time.ago(Time.parseRFC3339(record.state.finishedAt ?? "") ?? 0))"
        case .exited: return "Exited (\(record.state.exitCode)) \(Time.ago(Time.parseRFC3339(record.state.finishedAt ?? "") ?? 0))"
        case .paused: return "Up \(since(record.state.startedAt)) (Paused)"
        case .removing: return "Removal In Progress"
        case .dead: return "Dead"
        }
    }
}

/// `ps --filter`.
struct ContainerFilter {
    var conditions: [(String, String)] = []
    var isEmpty: Bool { conditions.isEmpty }

    init(_ specs: [String]) throws(LighterError) {
        for spec in specs {
            guard let eq = spec.firstIndex(of: "=") else { throw .invalidArgument("bad filter \"\(spec)\": expected key=value") }
            let key = String(spec[..<eq]), value = String(spec[spec.index(after: eq)...])
            guard ["status", "name", "id", "ancestor", "exited"].contains(key) else {
                throw .invalidArgument("invalid filter '\(key)' (supported: status, name, id, ancestor, exited)")
            }
            conditions.append((key, value))
        }
    }

    func matches(_ record: ContainerRecord) -> Bool {
        conditions.allSatisfy { key, value in
            switch key {
            case "status": return record.state.status.rawValue == value
            case "name": return record.name.contains(value)
            case "id": return record.id.hasPrefix(value)
            case "ancestor": return record.spec.image == value || record.spec.imageID.hex.hasPrefix(value.replacing("sha256:", with: ""))
            case "exited": return record.state.status == .exited && String(record.state.exitCode) == value
            default: return false
            }
        }
    }
}
