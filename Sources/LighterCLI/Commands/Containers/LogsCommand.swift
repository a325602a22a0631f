import LighterArguments
import LighterEngine
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `logs [-f] [--tail N] [--since T] [-t] CONTAINER`.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", _superCommandName: "lighter", abstract: "Fetch the logs of a container (json-file, rotated).")

    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("f"), .long], help: "Follow log output.") var follow = false
    @Option(name: [.customShort("n"), .long], help: "Number of lines to show from the end of the logs (or \"all\").") var tail: String = "all"
    @Option(name: .long, help: "Show logs since a timestamp (RFC 3339) or relative (e.g. 42m, 10s).") var since: String?
    @Flag(name: [.customShort("t"), .long], help: "Show timestamps.") var timestamps = false
    @Argument(help: "Container.") var container: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let id = try engine.resolve(container)
            var tailCount: Int? = nil
            if tail != "all" {
                guard let n = Int(tail), n >= 0 else { throw .invalidArgument("--tail \(tail): a number of lines or \"all\"") }
                tailCount = n
            }
            let sinceSeconds = try since.map { (s) throws(LighterError) -> Int64 in try Self.parseSince(s) }
            var shown = try engine.logEntries(id)
            for entry in JSONLogReader.select(shown, since: sinceSeconds, tail: tailCount) { print(entry) }
            guard follow else { return }
            // A new line or the container's exit wakes the loop; the old pause, 100 ms, stays the bound,
            // and the whole log is reread at most every 100 ms while lines keep coming.
            let watch = engine.watchChanges(of: id)
            var backoff = Backoff(minimum: 2_000, maximum: 100_000)
            while true {
                let record = try engine.inspect(id)
                watch.pause(&backoff, spacing: 100_000)
                let now = try engine.logEntries(id)
                if now.count > shown.count {
                    for entry in now[shown.count...] { print(entry) }
                } else if now.count < shown.count {
                    // Rotated away under us: show what is new by time.
                    let last = shown.last?.time ?? ""
                    for entry in now where entry.time > last { print(entry) }
                }
                shown = now
                if record.state.status != .running && record.state.status != .restarting { return }
            }
        }
    }

    private func print(_ entry: LogEntry) {
        let text = (timestamps ? entry.time + " " : "") + entry.log
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(entry.stream == "stderr" ? 2 : 1, $0.baseAddress, $0.count) }
    }

    static func parseSince(_ text: String) throws(LighterError) -> Int64 {
        if let absolute = Time.parseRFC3339(text) { return absolute }
        if let seconds = Int64(text) { return seconds }
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
        if let unit = text.last, let scale = units[unit], let n = Double(text.dropLast()) {
            return Time.now().seconds - Int64(n * Double(scale))
        }
        throw .invalidArgument("--since \(text): use an RFC 3339 time, unix seconds, or a duration such as 10m")
    }
}
