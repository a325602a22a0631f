#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSQLite
import LighterSystem

extension DataRoot {
    /// Whether `error` says `lighter.db` is damaged (SQLite's "database disk image is malformed" or
    /// "file is not a database"), as opposed to busy, missing permissions or a full disk.
    public static func isDamage(_ error: LighterError) -> Bool {
        guard case let .database(code, _) = error else { return false }
        return code & 0xff == SQLITE_CORRUPT || code & 0xff == SQLITE_NOTADB
    }

    /// Whether the open database fails SQLite's integrity check; its first complaint, or nil when whole.
    public func damage() -> String? {
        do {
            let rows = try database.query("PRAGMA integrity_check")
            let first = rows.first?.string("integrity_check") ?? "no answer"
            return first == "ok" ? nil : first
        } catch {
            return "\(error)"
        }
    }

    /// Move a damaged `lighter.db` (and its WAL and shared-memory files) out of the way, to
    /// `lighter.db.damaged-<unix seconds>`, kept for inspection; the next open starts a new database.
    /// No connection of this process may be open on it. Returns the new name.
    public static func setAsideDamagedDatabase(_ root: String) throws(LighterError) -> String {
        let path = databasePath(root)
        let aside = "\(path).damaged-\(Time.now().seconds)"
        for suffix in ["-wal", "-shm", ""] where FileSystem.exists(path + suffix) {
            try FileSystem.rename(path + suffix, to: aside + suffix)
        }
        try FileSystem.syncDirectory(root)
        return aside
    }
}
