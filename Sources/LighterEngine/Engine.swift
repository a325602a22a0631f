#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterDatabase
import LighterOCI
import LighterRuntime
import LighterStore
import LighterSystem

/// The container engine: images from the store, containers as directories under
/// `containers/<id>/` plus a row in the metadata database, run by the in-process runtime.
public final class Engine: Sendable {
    public let images: ImageStore
    public let runtime: Runtime
    /// The lighter binary, re-executed as a container's monitor (`__monitor`).
    public let executable: String
    /// Parsed records shared across the Engines of a long-lived process (the daemon's requests).
    let recordCache: ContainerRecordCache?

    public init(root: String, executable: String = Engine.currentExecutable, recordCache: ContainerRecordCache? = nil) throws(LighterError) {
        images = try ImageStore(dataRoot: DataRoot(root: root, schemas: Engine.schemas))
        runtime = Runtime(root: "/run/lighter/runtime", initExecutable: executable)
        self.executable = executable
        self.recordCache = recordCache
    }

    /// The running binary's path (for re-executing it as a monitor after the CLI has gone).
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "/proc/self/exe" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func directory(_ id: String) -> String { "\(images.paths.containers)/\(id)" }
    func recordPath(_ id: String) -> String { "\(directory(id))/container.json" }
    func logPath(_ id: String) -> String { "\(directory(id))/\(id)-json.log" }
    func rootfsPath(_ id: String) -> String { "\(directory(id))/rootfs" }

    /// Read a container's record as stored.
    public func record(_ id: String) throws(LighterError) -> ContainerRecord {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(recordPath(id))
        } catch {
            recordCache?.forget(id)
            throw .notFound(kind: "container", name: id)
        }
        if let cached = recordCache?.record(id, bytes: bytes) { return cached }
        let record = try ContainerRecord(jsonBytes: bytes, what: "container \(id.prefix(12)) record")
        recordCache?.store(id, bytes: bytes, record: record)
        return record
    }

    /// Write a container's record; readers always see a whole file. It is fsynced when it matters
    /// after a power cut — a container that outlives its run (not `--rm`) being created or ending —
    /// and only renamed into place for passing states (running, its pid), which a reboot voids anyway.
    /// `durable`: fsynced whatever the state (a user's stop, which the restart policy at boot reads).
    public func save(_ record: ContainerRecord, durable: Bool = false) throws(LighterError) {
        let bytes = record.jsonBytes(pretty: true)
        let lasting = durable || record.state.status == .created || record.state.status == .exited
        if lasting && !record.spec.autoRemove {
            try FileSystem.writeDurably(bytes, to: recordPath(record.id), mode: 0o600)
        } else if record.spec.autoRemove {
            // A `--rm` container is gone after a crash anyway: no block allocation or discard per update.
            try FileSystem.writeThrowaway(bytes, to: recordPath(record.id), mode: 0o600)
        } else {
            try FileSystem.writeAtomically(bytes, to: recordPath(record.id), mode: 0o600)
        }
    }

    /// Update a record under the container's lock, so the monitor and CLI commands never lose each
    /// other's changes.
    @discardableResult
    public func update(_ id: String, durable: Bool = false,
                       _ change: (inout ContainerRecord) throws(LighterError) -> Void) throws(LighterError) -> ContainerRecord {
        let lock = try FileLock(path: "\(directory(id))/lock", mode: .exclusive)
        defer { lock.release() }
        var record = try record(id)
        try change(&record)
        try save(record, durable: durable)
        return record
    }

    /// Resolve a name, full ID or unambiguous ID prefix to a container ID.
    public func resolve(_ input: String) throws(LighterError) -> String {
        let name = input.hasPrefix("/") ? String(input.dropFirst()) : input
        if let row = try images.db.query("SELECT id FROM containers WHERE name = ? OR id = ?", [.text(name), .text(name)]).first {
            return row.string("id")
        }
        if name.count >= 1, name.allSatisfy(\.isHexDigit) {
            let rows = try images.db.query("SELECT id FROM containers WHERE id LIKE ? || '%'", [.text(name.lowercased())])
            if rows.count == 1 { return rows[0].string("id") }
            if rows.count > 1 { throw .conflict("container ID prefix \(input) is ambiguous (\(rows.count) containers match)") }
        }
        throw .notFound(kind: "container", name: input)
    }

    /// All container IDs, oldest first.
    public func allIDs() throws(LighterError) -> [String] {
        try images.db.query("SELECT id FROM containers ORDER BY created_at, id").map { $0.string("id") }
    }
}
