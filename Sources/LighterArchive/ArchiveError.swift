import CArchive
import LighterSystem

/// Turning libarchive status codes into `LighterError`.
enum ArchiveError {
    /// The archive's last error as a `.malformed` error about `what`.
    static func from(_ archive: OpaquePointer, what: String) -> LighterError {
        let message = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return .malformed(what: what, reason: message)
    }
}
