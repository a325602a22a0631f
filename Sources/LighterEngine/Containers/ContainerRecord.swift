import LighterOCI
import LighterSystem

/// Where a container is in its life, as `ps` and `inspect` show it.
public enum ContainerStatus: String, Sendable {
    case created, running, paused, restarting, exited, removing, dead
}

/// The mutable state of a container, written by the engine and its monitor.
public struct ContainerRuntimeState: Sendable, Equatable {
    public var status: ContainerStatus = .created
    public var pid: Int32 = 0
    public var pidStartTime: UInt64 = 0
    public var monitorPid: Int32 = 0
    public var exitCode: Int32 = 0
    public var oomKilled = false
    public var error = ""
    public var startedAt: String?
    public var finishedAt: String?
    public var restartCount = 0
    /// Set by `stop`/`kill` so the restart policy does not bring the container back.
    public var stoppedByUser = false
    /// The kernel's boot ID when the monitor started it: after a reboot its pids name other processes.
    public var bootID = ""
    public init() {}

    /// This machine's boot ID (`/proc/sys/kernel/random/boot_id`), read once per process.
    public static let currentBootID = (try? FileSystem.readString("/proc/sys/kernel/random/boot_id"))?.trimmed ?? ""

    /// Its pids are from an earlier boot of the machine: whatever runs under them now is not its.
    public var isFromEarlierBoot: Bool { !bootID.isEmpty && bootID != Self.currentBootID }

    /// The error of a record found running with its monitor gone, saved as exited (255).
    public static let monitorGone = "the container's monitor is gone (killed, or the machine restarted)"
    /// It was running when its monitor went (a power cut, a reboot, a kill): nothing has started it since
    /// (a start clears the error). `on-failure` containers in this state start again at boot.
    public var endedWithItsMonitor: Bool { status == .exited && error == Self.monitorGone }
}

/// A container: its identity, what it was asked to run, and its state (`containers/<id>/container.json`).
public struct ContainerRecord: Sendable {
    public var id: String
    public var name: String
    public var created: String
    public var spec: ContainerSpec
    /// The process the container runs (entrypoint + command, resolved against the image).
    public var path: String
    public var args: [String]
    public var state: ContainerRuntimeState
    /// The image this container's name ran before its last `auto-update` (what `rollback` goes back to;
    /// kept from `image prune` while recorded here).
    public var previousImageID: Digest? = nil

    public var shortID: String { String(id.prefix(12)) }
}
