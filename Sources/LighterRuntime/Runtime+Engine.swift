import LighterSystem

/// What the engine's container monitor needs beyond runc's command set.
extension Runtime {
    /// create + start in one step (no exec fifo handshake): the container process is running when
    /// this returns. The caller becomes its parent and must `wait(id:)` for it.
    @discardableResult
    /// `meanwhile`: work of the caller's, done while the init sets itself up.
    public func launch(id: String, bundle: String, stdio: Stdio, prepared: PreparedSpec? = nil,
                       meanwhile: (() throws(LighterError) -> Void)? = nil) throws(LighterError) -> Created {
        try create(id: id, bundle: bundle, stdio: stdio, waitForStart: false, prepared: prepared, meanwhile: meanwhile)
    }

    /// `create` for a caller that just wrote `bundle`/config.json from `prepared`.
    @discardableResult
    public func create(id: String, bundle: String, stdio: Stdio, prepared: PreparedSpec,
                       meanwhile: (() throws(LighterError) -> Void)? = nil) throws(LighterError) -> Created {
        try create(id: id, bundle: bundle, stdio: stdio, waitForStart: true, prepared: prepared, meanwhile: meanwhile)
    }

    /// A bundle's spec as its caller holds it, and config.json's bytes when the caller wrote them
    /// already (nil: the runtime encodes what the init needs, and the caller writes config.json
    /// when it likes — after the start, off its critical path).
    public struct PreparedSpec: Sendable {
        public var spec: RuntimeSpec
        public var bytes: [UInt8]?
        public init(spec: RuntimeSpec, bytes: [UInt8]?) {
            self.spec = spec
            self.bytes = bytes
        }
    }

    /// The start time of `pid` (clock ticks after boot), to tell it from a later process with the same pid.
    public static func startTime(of pid: Int32) -> UInt64? { ProcessStat.stat(pid)?.startTime }

    /// True while `pid` is the same process (same start time) and not a zombie.
    public static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool { ProcessStat.isAlive(pid, startTime: startTime) }
}
