#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterEngine
import LighterSystem
import Synchronization

/// What the daemon keeps between requests: the data root, the execs it was asked to create (Docker
/// keeps those in memory too), and the monitors it spawned (its children, reaped when they end).
final class DaemonContext: Sendable {
    let root: String
    /// Container records parsed once while their files keep their bytes (`GET /containers/json`).
    let recordCache = ContainerRecordCache()
    let execs = Mutex<[String: DaemonExec]>([:])
    let monitors = Mutex<Set<pid_t>>([])
    /// Read ends of stdin pipes that attached clients (`run -i`) hold the write ends of, by container,
    /// until the container's start hands them to its monitor.
    let pendingInput = Mutex<[String: FileDescriptor]>([:])

    init(root: String) { self.root = root }

    /// An engine for one request: SQLite connections are never shared between threads.
    func engine() throws(LighterError) -> Engine { try Engine(root: root, recordCache: recordCache) }

    /// Start a container through its own monitor and remember the monitor to reap it.
    func start(_ engine: Engine, _ id: String) throws(LighterError) {
        let input = pendingInput.withLock { $0.removeValue(forKey: id) }
        let pid = try engine.startDetached(id, input: input?.rawValue)
        _ = monitors.withLock { $0.insert(pid) }
    }

    /// Reap ended monitors once a second (only those: exec'd processes are waited for by their request).
    func startReaper() {
        LighterAPI.Thread.detached(stackBytes: 128 * 1024) { [self] in
            while true {
                sleep(1)
                let pids = monitors.withLock { $0 }
                for pid in pids {
                    var status: Int32 = 0
                    let reaped = waitpid(pid, &status, WNOHANG)
                    if reaped == pid || (reaped == -1 && errno == ECHILD) { _ = monitors.withLock { $0.remove(pid) } }
                }
            }
        }
    }
}

/// An exec made by `POST /containers/{id}/exec`, run by `POST /exec/{id}/start`.
struct DaemonExec: Sendable {
    var id: String
    var containerID: String
    var options: ExecOptions
    var attachStdout = true
    var attachStderr = true
    var running = false
    var exitCode: Int32?
    var pid: Int32 = 0
    /// A copy of the terminal's master while a TTY exec runs (for resize); -1 otherwise.
    var terminal: Int32 = -1
    /// A resize that came before the terminal existed (the CLI resizes as soon as it started the exec):
    /// applied once it does.
    var pendingSize: (rows: UInt16, columns: UInt16)?
}
