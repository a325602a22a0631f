#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

extension Engine {
    /// Every log line of a container, oldest first (rotated files included).
    public func logEntries(_ id: String) throws(LighterError) -> [LogEntry] {
        let record = try record(id)
        if record.spec.log.driver == "none" {
            throw .unsupported(feature: "logs of \(record.name)", fix: "configured logging driver does not support reading (the container was created with --log-driver none)")
        }
        return try JSONLogReader.entries(path: logPath(id), maxFiles: record.spec.log.maxFiles)
    }

    /// A watch of container `id`'s directory, which holds its log and its record: a new log line, and the
    /// record replaced at its exit, wake a follower (`logs -f`, `attach`) at once.
    public func watchChanges(of id: String) -> DirectoryWatch { DirectoryWatch([directory(id)]) }
}
