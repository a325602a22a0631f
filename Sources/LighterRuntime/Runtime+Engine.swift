import LighterSystem

/// What the engine's container monitor needs beyond runc's command set.
extension Runtime {
    /// create + start in one step (no exec fifo handshake): the container process is running when
    /// this returns. The caller becomes its parent and must `wait(id:)` for it.
    /// `spec`: the caller's spec for the bundle (not read from config.json, which the caller writes
    /// when it likes); `meanwhile`: the caller's work, done while the init sets itself up.
    @discardableResult
    public func launch(id: String, bundle: String, stdio: Stdio, spec: RuntimeSpec? = nil,
                       meanwhile: (() throws(LighterError) -> Void)? = nil) throws(LighterError) -> Created {
        try create(id: id, bundle: bundle, stdio: stdio, waitForStart: false, spec: spec, meanwhile: meanwhile)
    }

    /// `create` with the caller's spec for the bundle, and its work done while the init sets itself up.
    @discardableResult
    public func create(id: String, bundle: String, stdio: Stdio, spec: RuntimeSpec,
                       meanwhile: (() throws(LighterError) -> Void)? = nil) throws(LighterError) -> Created {
        try create(id: id, bundle: bundle, stdio: stdio, waitForStart: true, spec: spec, meanwhile: meanwhile)
    }

    /// The start time of `pid` (clock ticks after boot), to tell it from a later process with the same pid.
    public static func startTime(of pid: Int32) -> UInt64? { ProcessStat.stat(pid)?.startTime }

    /// True while `pid` is the same process (same start time) and not a zombie.
    public static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool { ProcessStat.isAlive(pid, startTime: startTime) }

    /// True while `pid` exists and is not a zombie (a killed monitor whose new parent has not reaped it).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, let info = ProcessStat.stat(pid) else { return false }
        return info.state != "Z" && info.state != "X"
    }
}
