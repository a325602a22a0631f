import CLighter
import CSQLite
import LighterSystem

/// A value bound to or read from SQLite.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null

    public var int: Int64? { if case let .integer(v) = self { return v } else { return nil } }
    public var string: String? { if case let .text(v) = self { return v } else { return nil } }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    public init(_ value: Int) { self = .integer(Int64(value)) }
}

/// A row of a query result, by column name.
public struct SQLRow: Sendable {
    public let columns: [String: SQLValue]
    public subscript(_ name: String) -> SQLValue { columns[name] ?? .null }
    public func string(_ name: String) -> String { self[name].string ?? "" }
    public func int(_ name: String) -> Int64 { self[name].int ?? 0 }
}

/// A thin wrapper over one SQLite connection: WAL mode, a busy timeout so several processes can share
/// the file, and write transactions that take the write lock up front (BEGIN IMMEDIATE).
// Unchecked: the handle is opened with SQLITE_OPEN_NOMUTEX, so SQLite does not serialise calls on it;
// a `Database` is used by one thread at a time (each CLI command and each monitor owns its own), and
// processes share the file through SQLite's own locking, never one connection across threads.
public final class Database: @unchecked Sendable {
    private let handle: OpaquePointer
    public let path: String

    public init(path: String) throws(LighterError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close(db) }
            throw .database(code: rc, message: "\(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 60_000)
        try execute("PRAGMA journal_mode=WAL")
        // WAL + NORMAL: a commit is atomic and the database always consistent after a crash; a power
        // cut may drop the last commits (their blobs become leftovers that GC removes), which is what
        // a board's SD card can afford, and it saves an fsync per transaction.
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
        // Every CLI process is the first connection of its database: SQLite then rebuilds the WAL
        // index by reading and checksumming every frame of the WAL (measured: ~4 µs a frame, 3–4 ms
        // at the default 1,000-frame checkpoint threshold, for each command). A checkpoint every 100
        // frames (every ~15 `run --rm`; two fsyncs) keeps that read under 0.5 ms.
        try execute("PRAGMA wal_autocheckpoint=100")
        // Short-lived CLI processes would each checkpoint on close (two fsyncs) and make the next
        // writer recreate the WAL (two more): leave checkpoints to SQLite's automatic ones.
        _ = lighter_sqlite_keep_wal_on_close(UnsafeMutableRawPointer(db))
    }

    deinit { sqlite3_close_v2(handle) }

    private func error(_ rc: Int32, _ sql: String) -> LighterError {
        .database(code: rc, message: "\(String(cString: sqlite3_errmsg(handle))) (in: \(sql.prefix(80)))")
    }

    /// Run a statement (or several separated by ';' when there are no parameters).
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(LighterError) {
        if parameters.isEmpty {
            var message: UnsafeMutablePointer<CChar>?
            let rc = sqlite3_exec(handle, sql, nil, nil, &message)
            if rc != SQLITE_OK {
                let text = message.map { String(cString: $0) } ?? "error"
                sqlite3_free(message)
                throw .database(code: rc, message: "\(text) (in: \(sql.prefix(80)))")
            }
            return
        }
        _ = try query(sql, parameters)
    }

    /// Run a query and collect its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(LighterError) -> [SQLRow] {
        var statement: OpaquePointer?
        var rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, sql) }
        defer { sqlite3_finalize(statement) }
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case let .integer(v): rc = sqlite3_bind_int64(statement, position, v)
            case let .text(v): rc = sqlite3_bind_text(statement, position, v, -1, Database.transient)
            case let .blob(v): rc = v.withUnsafeBytes { sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), Database.transient) }
            case .null: rc = sqlite3_bind_null(statement, position)
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
        var rows: [SQLRow] = []
        while true {
            rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc, sql) }
            var columns: [String: SQLValue] = [:]
            for column in 0..<sqlite3_column_count(statement) {
                let name = String(cString: sqlite3_column_name(statement, column))
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: columns[name] = .integer(sqlite3_column_int64(statement, column))
                case SQLITE_TEXT: columns[name] = .text(String(cString: sqlite3_column_text(statement, column)))
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    let pointer = sqlite3_column_blob(statement, column)
                    columns[name] = .blob(pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? [])
                default: columns[name] = .null
                }
            }
            rows.append(SQLRow(columns: columns))
        }
        return rows
    }

    /// Number of rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Run `body` in a write transaction that holds SQLite's write lock from its first statement;
    /// rolled back if `body` throws.
    ///
    /// `durable`: the commit is on disk when this returns (the WAL is fsynced, with every commit before
    /// it: `synchronous=FULL` for this one commit). For what a command reports as done (an image
    /// stored, tagged or removed, a lasting container created) and for row deletions that files are
    /// removed after (GC): with the connection's usual `synchronous=NORMAL` a power cut may undo such a
    /// commit (an image reported stored gone; rows back whose blobs GC had already deleted).
    public func transaction<T>(durable: Bool = false, _ body: () throws(LighterError) -> T) throws(LighterError) -> T {
        if durable { try execute("PRAGMA synchronous=FULL") }
        defer { if durable { try? execute("PRAGMA synchronous=NORMAL") } }
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
