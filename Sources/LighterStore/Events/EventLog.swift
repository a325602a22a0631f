#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// One event in Docker's shape (`docker events --format '{{json .}}'`): Type, Action, Actor{ID,
/// Attributes}, scope, time, timeNano, and for containers and images the older status/id/from.
public struct Event: Sendable, Equatable {
    public var type: String
    public var action: String
    public var actorID: String
    public var attributes: [String: String]
    public var timeNano: Int64

    public init(type: String, action: String, actorID: String, attributes: [String: String] = [:], timeNano: Int64? = nil) {
        self.type = type
        self.action = action
        self.actorID = actorID
        self.attributes = attributes
        let now = Time.now()
        self.timeNano = timeNano ?? now.seconds * 1_000_000_000 + now.nanoseconds
    }

    public var time: Int64 { timeNano / 1_000_000_000 }

    public var json: JSONNode {
        var fields: [String: JSONNode] = [
            "Type": .string(type), "Action": .string(action), "scope": .string("local"),
            "Actor": JSONNode.object(["ID": JSONNode.string(actorID), "Attributes": JSONNode.object(attributes.mapValues { JSONNode.string($0) })] as [String: JSONNode]),
            "time": .number(String(time)), "timeNano": .number(String(timeNano)),
        ]
        if type == "container" || type == "image" {
            fields["status"] = .string(action)
            fields["id"] = .string(actorID)
            if let from = attributes["image"] { fields["from"] = .string(from) }
        }
        return .object(fields)
    }

    public init(json: JSONNode) throws(LighterError) {
        let path = JSONPath(what: "event")
        guard case let .object(fields) = json else { throw path.wrongType(expected: "an object", found: json) }
        func string(_ key: String) throws(LighterError) -> String {
            guard case let .string(value)? = fields[key] else { throw path.missing(key) }
            return value
        }
        type = try string("Type")
        action = try string("Action")
        guard case let .object(actor)? = fields["Actor"], case let .string(id)? = actor["ID"] else { throw path.missing("Actor") }
        actorID = id
        attributes = [:]
        if case let .object(attributes)? = actor["Attributes"] {
            for (key, value) in attributes { if case let .string(text) = value { self.attributes[key] = text } }
        }
        guard case let .number(nano)? = fields["timeNano"], let value = Int64(nano) else { throw path.missing("timeNano") }
        timeNano = value
    }
}

/// The append-only event log under the data root (`events.jsonl`, JSON lines): the engine, the store,
/// networks and volumes append, `events` reads and follows it (and the daemon can serve it). Each event
/// is one write(2) to an O_APPEND descriptor, so concurrent processes never interleave lines. Past
/// `limit` bytes the file is renamed to `events.jsonl.1` (the previous generation dropped) under a lock.
public struct EventLog: Sendable {
    public let path: String
    public let limit: Int64

    public init(root: String, limit: Int64 = 1 << 20) {
        path = "\(root)/events.jsonl"
        self.limit = limit
    }

    public var rotatedPath: String { path + ".1" }

    /// Append an event. The log is a record of what happened, not part of it: an error writing it
    /// (a full disk) does not undo or fail the operation, so it is not thrown.
    public func append(_ event: Event) {
        var line = event.json.serialized()
        line.append(UInt8(ascii: "\n"))
        let fd = lighter_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var st = stat()
        if fstat(fd, &st) == 0, Int64(st.st_size) > limit { rotate(inode: st.st_ino) }
    }

    /// Rename the full log away, once, however many processes see it full at the same time.
    private func rotate(inode: ino_t) {
        guard let lock = try? FileLock(path: path + ".lock", mode: .exclusive) else { return }
        defer { lock.release() }
        var st = stat()
        guard stat(path, &st) == 0, st.st_ino == inode, Int64(st.st_size) > limit else { return }
        _ = POSIX.rename(path, rotatedPath)
    }

    /// Every event recorded, oldest first (the rotated generation, then the current one).
    public func read() -> [Event] {
        readFile(rotatedPath) + readFile(path)
    }

    /// The events of one file; a torn last line (a crash mid-write) is skipped.
    func readFile(_ file: String) -> [Event] {
        guard let bytes = try? FileSystem.readFile(file) else { return [] }
        return Self.events(in: bytes[...])
    }

    static func events(in bytes: ArraySlice<UInt8>) -> [Event] {
        bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let node = try? JSONNode.parse(Array(line), what: "event") else { return nil }
            return try? Event(json: node)
        }
    }

    /// Follow the log from its current end: `body` gets each new event; polling every 100 ms until
    /// `body` returns false. A rotation (a new file at the path) is followed onto the new file.
    public func follow(_ body: (Event) -> Bool) {
        var offset = Int64(FileSystem.lstatOrNil(path)?.st_size ?? 0)
        var inode = FileSystem.lstatOrNil(path)?.st_ino ?? 0
        var pending: [UInt8] = []
        while true {
            if let st = FileSystem.lstatOrNil(path) {
                if st.st_ino != inode {
                    // Rotated: whatever the old file got after our last read is in the .1 file now.
                    if let old = FileSystem.lstatOrNil(rotatedPath), old.st_ino == inode {
                        for event in readTail(rotatedPath, from: &offset, pending: &pending) where !body(event) { return }
                    }
                    inode = st.st_ino
                    offset = 0
                    pending = []
                }
                if Int64(st.st_size) > offset {
                    let events = readTail(path, from: &offset, pending: &pending)
                    for event in events where !body(event) { return }
                }
            }
            if !body(Event.tick) { return }
            usleep(100_000)
        }
    }

    /// Whole lines from `offset` on; a partial last line waits in `pending`.
    private func readTail(_ file: String, from offset: inout Int64, pending: inout [UInt8]) -> [Event] {
        let fd = lighter_open(file, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var data = pending
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
            if n <= 0 { break }
            data += buffer[0..<n]
            offset += Int64(n)
        }
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
            pending = data
            return []
        }
        pending = Array(data[(lastNewline + 1)...])
        return Self.events(in: data[...lastNewline])
    }
}

extension Event {
    /// Not an event: handed to `follow`'s body between polls so it can stop (at `--until`).
    public static let tick = Event(type: "", action: "", actorID: "", timeNano: 0)
}
