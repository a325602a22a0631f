#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// What the runtime sends the container init right after its cgroups exist (and user namespace maps are
/// written), followed by config.json's bytes (without its seccomp section when the filter comes
/// compiled), then the compiled seccomp filter (when `seccompFlags` is set), then, once the runtime has
/// moved the init into its cgroups, `InitChannel.placed`. The init sets up its root filesystem
/// meanwhile: moving a process through `cgroup.procs` waits for an RCU grace period, the longest step
/// of a start. On cgroup v1 without a user namespace the init joins by itself instead
/// (`cgroupJoinFiles`), which costs no grace period at all.
struct InitConfig: Sendable {
    /// Absolute host path of the root filesystem.
    var rootfs: String
    /// Absolute host path of the bundle (relative bind-mount sources resolve against it).
    var bundle: String
    /// When set, the init reports "created" and blocks opening this fifo until `start`.
    var execFifo: String?
    /// For `cgroup` mounts: subdirectory → the container's cgroup directory on the host.
    var cgroupMountSources: [String: String]
    /// With `process.terminal`: the caller's terminal size (rows, columns), set before the process runs.
    var terminalSize: TerminalSize?
    /// The seccomp filter's flags, when a compiled filter (BPF) follows the spec.
    var seccompFlags: UInt32?
    /// When set, the init moves itself into its cgroups by writing "0" to these files (cgroup v1
    /// `tasks`, no user namespace) as its first step, and no placement notice follows.
    var cgroupJoinFiles: [String]?
    /// The OCI state JSON the init's hooks (createContainer, startContainer) read on stdin.
    var hookState: String?
    /// The runtime runs prestart/createRuntime hooks once the namespaces exist: the init waits for
    /// `InitChannel.hooksDone` before it touches its mounts.
    var waitForHooks: Bool?
    /// The session keyring the init joins, new ("_ses.<id>", as runc names it), so that containers do not
    /// share the caller's keys; nil keeps the caller's (`--no-new-keyring`).
    var sessionKeyring: String?
    /// Enter the root with MS_MOVE + chroot instead of pivot_root (`Runtime.noPivot`).
    var noPivot: Bool?
    /// Descriptors 3 … 3+passedFds-1 stay open for the container process (`Runtime.listenFds` +
    /// `Runtime.preserveFds`); the first `listenFds` of them are announced with LISTEN_FDS/LISTEN_PID.
    var passedFds: Int32?
    var listenFds: Int32?
}

/// What the init answers: `created` (create mode), or an error. End of stream without a report means
/// the init exec'd the container process (the channel is close-on-exec).
struct InitReport: Sendable {
    var created: Bool
    var message: String?
    var exitCode: Int32?
    /// This report carries the pseudo-terminal master (process.terminal).
    var terminal: Bool?
}

/// Length-prefixed JSON messages over the runtime ↔ init socket (`InitChannel+JSON.swift`).
struct InitChannel {
    let fd: Int32

    /// A connected pair of close-on-exec stream sockets: the runtime's end, and the end a child
    /// (`__init`, `__exec`) keeps across its exec.
    static func socketPair() throws(LighterError) -> (parent: FileDescriptor, child: FileDescriptor) {
        var pair: [Int32] = [-1, -1]
        try syscall("socketpair") {
            socketpair(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0, &pair)
        }
        return (FileDescriptor(adopting: pair[0]), FileDescriptor(adopting: pair[1]))
    }

    /// The frame that tells the init it is in its cgroups.
    static let placed: [UInt8] = [0x50]
    static let hooksDone: [UInt8] = [0x48]

    /// Block until the runtime ran its prestart/createRuntime hooks; a runtime whose hook failed
    /// closes the socket instead (it reports the failure itself).
    func waitForHooks() throws(LighterError) {
        guard let frame = try receiveBytes() else { _exit(125) }
        guard frame == Self.hooksDone else { throw .malformed(what: "runtime init message", reason: "expected the end of the runtime's hooks") }
    }

    /// Block until the runtime says the init is in its cgroups; a runtime that gave up closes the
    /// socket instead (it reports the failure itself).
    func waitUntilPlaced() throws(LighterError) {
        guard let frame = try receiveBytes() else { _exit(125) }
        guard frame == Self.placed else { throw .malformed(what: "runtime init message", reason: "expected the placement notice") }
    }

    func send<T: JSONConvertible>(_ value: T, attaching descriptor: Int32? = nil) throws(LighterError) {
        try send(bytes: value.jsonBytes(), attaching: descriptor)
    }

    /// One frame of raw bytes.
    func send(bytes body: [UInt8], attaching descriptor: Int32? = nil) throws(LighterError) {
        var length = UInt32(body.count).littleEndian
        var bytes = withUnsafeBytes(of: &length) { Array($0) }
        bytes += body
        var offset = 0
        if let descriptor {
            offset = try syscall("sendmsg") {
                bytes.withUnsafeBytes { lighter_send_with_fd(fd, $0.baseAddress, $0.count, descriptor) }
            }
        }
        while offset < bytes.count {
            let n = try syscall("send") {
                bytes.withUnsafeBytes { POSIX.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            }
            offset += n
        }
    }

    /// The next message, or nil at end of stream.
    func receive<T: JSONConvertible>(_ type: T.Type) throws(LighterError) -> T? {
        try receiveWithDescriptor(type)?.value
    }

    /// The next frame's raw bytes, or nil at end of stream.
    func receiveBytes() throws(LighterError) -> [UInt8]? {
        guard let header = try readExactly(4) else { return nil }
        let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        guard length <= 64 << 20, let body = try readExactly(length) else {
            throw .malformed(what: "runtime init message", reason: "truncated or oversized message")
        }
        return body
    }

    /// The next message and the descriptor sent with it, or nil at end of stream.
    func receiveWithDescriptor<T: JSONConvertible>(_ type: T.Type) throws(LighterError) -> (value: T, descriptor: FileDescriptor?)? {
        var received: Int32 = -1
        var header = [UInt8](repeating: 0, count: 4)
        let first = try syscall("recvmsg") { header.withUnsafeMutableBytes { lighter_recv_with_fd(fd, $0.baseAddress, 4, &received) } }
        let descriptor = received >= 0 ? FileDescriptor(adopting: received) : nil
        if first == 0 { return nil }
        if first < 4, let rest = try readExactly(4 - first) { header.replaceSubrange(first..<4, with: rest) }
        else if first < 4 { throw .malformed(what: "runtime init message", reason: "stream ended mid-header") }
        let length = Int(UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24)
        guard length <= 64 << 20, let body = try readExactly(length) else {
            throw .malformed(what: "runtime init message", reason: "truncated or oversized message")
        }
        return (try T(jsonBytes: body, what: "runtime init message"), descriptor)
    }

    private func readExactly(_ count: Int) throws(LighterError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try syscall("recv") {
                buffer.withUnsafeMutableBytes { POSIX.recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            }
            if n == 0 {
                if filled == 0 { return nil }
                throw .malformed(what: "runtime init message", reason: "stream ended mid-message")
            }
            filled += n
        }
        return buffer
    }
}
