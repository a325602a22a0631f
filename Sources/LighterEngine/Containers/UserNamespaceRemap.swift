#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `--userns-remap`: the container runs in a user namespace where its uids and gids 0..<size are the
/// host's uid..<uid+size and gid..<gid+size (Docker's daemon-wide `--userns-remap`, here per container).
public struct UserNamespaceRemap: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var size: UInt32

    /// The name whose /etc/subuid and /etc/subgid ranges `--userns-remap default` uses (Docker's is dockremap).
    public static let defaultUser = "lighter"

    public init(uid: UInt32, gid: UInt32, size: UInt32) throws(LighterError) {
        let text = "\(uid):\(gid):\(size)"
        guard size > 0 else { throw .invalidArgument("--userns-remap \(text): the range size must be at least 1") }
        guard uid > 0, gid > 0 else {
            throw .invalidArgument("--userns-remap \(text): the range must not include the host's root (uid/gid 0)")
        }
        guard UInt64(uid) + UInt64(size) <= UInt64(UInt32.max), UInt64(gid) + UInt64(size) <= UInt64(UInt32.max) else {
            throw .invalidArgument("--userns-remap \(text): the range runs past the largest id")
        }
        self.uid = uid
        self.gid = gid
        self.size = size
    }

    /// `default` (the `lighter` ranges of `subuid`/`subgid`, added there if missing, under the lock file
    /// `lock`) or `UID:GID:SIZE` (or `ID:SIZE` for the same uid and gid start).
    public init(parsing text: String, subuid: String = "/etc/subuid", subgid: String = "/etc/subgid",
                lock: String = "/run/lighter/subid.lock") throws(LighterError) {
        if text == "default" {
            let uidRange = try SubordinateIDs(path: subuid).range(for: Self.defaultUser, create: true, lock: lock)
            let gidRange = try SubordinateIDs(path: subgid).range(for: Self.defaultUser, create: true, lock: lock)
            try self.init(uid: uidRange.start, gid: gidRange.start, size: min(uidRange.count, gidRange.count))
            return
        }
        let numbers = text.split(separator: ":", omittingEmptySubsequences: false).map { UInt32($0) }
        guard numbers.count == 2 || numbers.count == 3, numbers.allSatisfy({ $0 != nil }) else {
            throw .invalidArgument("--userns-remap \(text): expected default, UID:GID:SIZE or ID:SIZE (host ids, numbers)")
        }
        let values = numbers.map { $0! }
        try self.init(uid: values[0], gid: values.count == 3 ? values[1] : values[0], size: values[values.count - 1])
    }
}

/// An /etc/subuid or /etc/subgid file: `name:start:count` lines.
public struct SubordinateIDs: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public struct Range: Sendable, Equatable {
        public var name: String
        public var start: UInt32
        public var count: UInt32
    }

    /// The valid lines of the file (none if it does not exist).
    public func ranges() throws(LighterError) -> [Range] {
        guard FileSystem.exists(path) else { return [] }
        return try FileSystem.readString(path).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3, let start = UInt32(fields[1]), let count = UInt32(fields[2]), count > 0 else { return nil }
            return Range(name: String(fields[0]), start: start, count: count)
        }
    }

    /// `name`'s first range; with `create`, a missing one is added after every other range (at 100000
    /// at least, 65536 ids, as useradd does), holding the lock file `lock` so two runs do not add two.
    public func range(for name: String, create: Bool, lock lockPath: String) throws(LighterError) -> Range {
        if let found = try ranges().first(where: { $0.name == name }) { return found }
        guard create else { throw .notFound(kind: "subordinate id range for \(name) in", name: path) }
        try FileSystem.makeDirectories(FileSystem.dirname(of: lockPath), mode: 0o711)
        let lock = try FileLock(path: lockPath, mode: .exclusive)
        defer { lock.release() }
        let existing = try ranges()
        if let found = existing.first(where: { $0.name == name }) { return found }
        let end = existing.map { UInt64($0.start) + UInt64($0.count) }.max() ?? 0
        let start = max(100_000, end)
        guard start + 65536 <= UInt64(UInt32.max) else {
            throw .limitExceeded("\(path): no free range of 65536 ids after the existing ones for \(name)")
        }
        let range = Range(name: name, start: UInt32(start), count: 65536)
        var text = FileSystem.exists(path) ? try FileSystem.readString(path) : ""
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "\(name):\(range.start):\(range.count)\n"
        try FileSystem.writeDurably(Array(text.utf8), to: path, mode: 0o644)
        return range
    }
}
