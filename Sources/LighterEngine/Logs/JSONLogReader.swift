import LighterSystem

/// One line of a json-file log.
public struct LogEntry: Sendable, Equatable {
    public let log: String
    public let stream: String
    public let time: String

    /// One line as Docker writes it; other fields are ignored.
    init(line: ArraySlice<UInt8>) throws(LighterError) {
        let path = JSONPath(what: "log line")
        let fields = try JSONFields(try JSONNode.parse(Array(line), what: path.what), path)
        log = try fields.required("log")
        stream = try fields.required("stream")
        time = try fields.required("time")
    }
}

/// Reads json-file logs back, oldest rotated file first (`logs --tail --since --timestamps`).
public enum JSONLogReader {
    public static func entries(path: String, maxFiles: Int) throws(LighterError) -> [LogEntry] {
        var files: [String] = []
        for index in stride(from: max(maxFiles, 1) + 8, through: 1, by: -1) where FileSystem.exists("\(path).\(index)") {
            files.append("\(path).\(index)")
        }
        if FileSystem.exists(path) { files.append(path) }
        var result: [LogEntry] = []
        for file in files {
            result += try parse(try FileSystem.readFile(file), file: file)
        }
        return result
    }

    static func parse(_ bytes: [UInt8], file: String) throws(LighterError) -> [LogEntry] {
        var result: [LogEntry] = []
        for line in bytes.split(separator: 0x0a) where !line.isEmpty {
            do {
                result.append(try LogEntry(line: line))
            } catch {
                // A line cut by a crash mid-write is skipped, not fatal.
                continue
            }
        }
        return result
    }

    /// Apply `--since` (epoch seconds) and `--tail N`.
    public static func select(_ entries: [LogEntry], since: Int64?, tail: Int?) -> [LogEntry] {
        var chosen = entries
        if let since { chosen = chosen.filter { (Time.parseRFC3339($0.time) ?? 0) >= since } }
        if let tail, tail >= 0, chosen.count > tail { chosen = Array(chosen.suffix(tail)) }
        return chosen
    }
}
