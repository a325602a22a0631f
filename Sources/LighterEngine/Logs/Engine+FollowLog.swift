#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension Engine {
    /// Follow a started container's json-file log from its first line until the container is done for good,
    /// writing the entries of `streams` ("stdout", "stderr") to this process's stdout and stderr as they come.
    /// What an attached `run` without the in-process monitor prints (`--sig-proxy=false`: this process may
    /// die of a signal while the container goes on under its detached monitor, as with Docker). The log is
    /// held open, so the removal of a `--rm` container does not cut its last lines. Returns the exit code:
    /// the record's, or the "die" event's once a `--rm` container is gone.
    public func followLog(_ id: String, from log: FileDescriptor, streams: Set<String>) throws(LighterError) -> Int32 {
        let path = logPath(id)
        var pending: [UInt8] = []
        func drain() {
            while true {
                guard let chunk = try? log.read(upTo: 64 * 1024), !chunk.isEmpty else { break }
                pending += chunk
            }
            guard let end = pending.lastIndex(of: 0x0a) else { return }
            let lines = Array(pending[...end])
            pending.removeSubrange(...end)
            for entry in (try? JSONLogReader.parse(lines, file: path)) ?? [] where streams.contains(entry.stream) {
                let bytes = Array(entry.log.utf8)
                bytes.withUnsafeBytes { _ = StreamRelay.writeAll($0, to: entry.stream == "stderr" ? 2 : 1) }
            }
        }
        // A new line in the log and the record replaced at the exit both wake the loop (the container's
        // directory holds both); the old pause, 50 ms, stays the bound.
        let watch = DirectoryWatch([DirectoryWatch.directory(of: path)])
        var backoff = Backoff(minimum: 2_000, maximum: 50_000)
        while true {
            drain()
            let state: ContainerRuntimeState
            do {
                state = try inspect(id).state
            } catch {
                guard case .notFound = error else { throw error }
                drain()
                return exitCodeFromEvents(id)
            }
            if state.status == .exited || state.status == .dead {
                drain()
                return state.exitCode
            }
            watch.pause(&backoff)
        }
    }

    /// The log of created container `id`, opened (made, if the monitor has not yet) for `followLog` before
    /// the container starts: a `--rm` container that ends at once cannot take it away first.
    public func openLogForFollowing(_ id: String) throws(LighterError) -> FileDescriptor {
        let record = try record(id)
        if record.spec.log.driver == "none" {
            throw .unsupported(feature: "following the output of a container with --log-driver none",
                               fix: "use the json-file log driver, or keep the default --sig-proxy and attach all of stdout and stderr")
        }
        return try FileDescriptor(path: logPath(id), flags: O_RDONLY | O_CREAT, mode: 0o640)
    }

    /// Once container `id` ends: its exit code, waited for (from the "die" event when `--rm` removed it).
    public func exitCodeAfterRun(_ id: String) throws(LighterError) -> Int32 {
        do {
            return try wait(id)
        } catch {
            guard case .notFound = error else { throw error }
            return exitCodeFromEvents(id)
        }
    }

    /// The exit code of the last "die" event of container `id` (125 when there is none).
    private func exitCodeFromEvents(_ id: String) -> Int32 {
        let died = events.read().last { $0.type == "container" && $0.action == "die" && $0.actorID == id }
        return died?.attributes["exitCode"].flatMap { Int32($0) } ?? ContainerExitCode.engineFailure
    }
}
