import LighterSystem
import Synchronization

/// Parsed container records kept by a long-lived process (the daemon) across its requests: a record
/// whose file holds exactly the bytes it was parsed from is not parsed again. The file is still read
/// every time (a few KiB), so a record changed by any process — the CLI, a monitor — is never served
/// stale; only the JSON decoding, most of what `GET /containers/json` spends per container, is saved.
public final class ContainerRecordCache: Sendable {
    private struct Entry: Sendable {
        let bytes: [UInt8]
        let record: ContainerRecord
    }
    private let entries = Mutex<[String: Entry]>([:])
    /// Past this many records the cache starts again (containers come and go; no entry outlives a
    /// daemon's use of it for long).
    static let capacity = 1024

    public init() {}

    func record(_ id: String, bytes: [UInt8]) -> ContainerRecord? {
        entries.withLock { entries in
            guard let entry = entries[id], entry.bytes == bytes else { return nil }
            return entry.record
        }
    }

    func store(_ id: String, bytes: [UInt8], record: ContainerRecord) {
        entries.withLock { entries in
            if entries.count >= Self.capacity && entries[id] == nil { entries.removeAll() }
            entries[id] = Entry(bytes: bytes, record: record)
        }
    }

    func forget(_ id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// How many records it holds (tests).
    public var count: Int { entries.withLock { $0.count } }
}
