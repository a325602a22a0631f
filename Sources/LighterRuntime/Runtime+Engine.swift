import LighterSystem

/// What the engine's container monitor needs beyond runc's command set.
extension Runtime {
    /// create + start in one step (no exec fifo handshake): the container process is running when
    /// this returns. The caller becomes its parent and must `wait(id:)` for it.
    @discardableResult
    public func launch(id: String, bundle: String, stdio: Stdio) throws(LighterError) -> Created {
        try create(id: id, bundle: bundle, stdio: stdio, waitForStart: false)
    }

    /// The start time of `pid` (clock ticks after boot), to tell it from a later process with the same pid.
    public static func startTime(of pid: Int32) -> UInt64? { ProcessStat.stat(pid)?.startTime }

    /// True while `pid` is the same process (same start time) and not a zombie.
    public static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool { ProcessStat.isAlive(pid, startTime: startTime) }
}
