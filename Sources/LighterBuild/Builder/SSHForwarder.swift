#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// The socket one `RUN --mount=type=ssh` binds: a fresh socket of the mount's uid, gid and mode
/// (BuildKit's semantics), never the agent's own, whose owner and mode stay as they are. A forwarder,
/// `lighter __ssh-forward SOCKET AGENT UID GID MODE` (a fresh single-threaded lighter process),
/// listens on it at `/run/lighter/build-ssh/PID-N.fwd` and relays each connection to the agent's
/// socket. It gets SIGTERM when the build's process dies however it dies (PR_SET_PDEATHSIG), or from
/// `stop()` when the RUN ends, and then removes the socket.
public final class SSHForwarder {
    public static let command = "__ssh-forward"

    let socket: String
    private var pid: pid_t

    init(agent: String, uid: UInt32, gid: UInt32, mode: mode_t) throws(LighterError) {
        try FileSystem.makeDirectories(SSHAgent.directory, mode: 0o700)
        socket = "\(SSHAgent.directory)/\(getpid())-\(UInt32.random(in: 0...UInt32.max)).fwd"
        pid = try SSHAgent.spawn(["/proc/self/exe", Self.command, socket, agent, String(uid), String(gid), String(mode, radix: 8)], environment: [])
        // The socket appears (renamed into place) once it listens with its owner and mode (at most 5 s).
        for _ in 0..<500 {
            if FileSystem.lstatOrNil(socket) != nil { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { pid = 0; break }
            usleep(10_000)
        }
        stop()
        throw .buildFailed("the ssh agent forwarder did not start (its socket \(socket) never appeared; the agent is \(agent))")
    }

    /// End the forwarder and remove its socket (idempotent).
    func stop() {
        endSocketProcess(&pid, socket: socket)
    }

    deinit { stop() }

    /// `lighter __ssh-forward SOCKET AGENT UID GID MODE`: listen on SOCKET (uid, gid, mode as given)
    /// and relay every connection to AGENT until SIGTERM, SIGINT or SIGHUP; then remove SOCKET.
    public static func main(arguments: [String]) -> Never {
        guard arguments.count == 7, let uid = UInt32(arguments[4]), let gid = UInt32(arguments[5]),
              let mode = mode_t(arguments[6], radix: 8) else { exit(2) }
        let socket = arguments[2], agent = arguments[3]
        let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP]
        lighter_signal_mask(signals, Int32(signals.count), 1)
        let stop = lighter_signalfd(signals, Int32(signals.count))
        POSIX.ignore(SIGPIPE)
        // The parent may have died before the mask: then nobody would stop the forwarder.
        guard stop >= 0, getppid() != 1 else { exit(1) }
        do throws(LighterError) {
            let listener = try listen(socket, uid: uid, gid: gid, mode: mode)
            relay(listener: listener, agent: agent, stop: stop)
        } catch {
            let line = Array("lighter: ssh forwarder: \(error)\n".utf8)
            _ = line.withUnsafeBytes { POSIX.write(2, $0.baseAddress, $0.count) }
        }
        unlink(socket)
        unlink(socket + ".new")
        exit(0)
    }

    /// Bound beside SOCKET (0600 root from the start), given its owner and mode, listening, then
    /// renamed to SOCKET: the path never shows another owner or mode.
    static func listen(_ socket: String, uid: UInt32, gid: UInt32, mode: mode_t) throws(LighterError) -> FileDescriptor {
        let fresh = socket + ".new"
        let listener = try stream()
        var address = try address(fresh)
        let saved = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        let bindError = errno
        umask(saved)
        guard bound == 0 else { throw .system(call: "bind", path: fresh, errno: bindError) }
        try syscall("chown", fresh) { chown(fresh, uid, gid) }
        try syscall("chmod", fresh) { chmod(fresh, mode) }
        try syscall("listen", fresh) { POSIX.listen(listener.rawValue, 16) }
        try FileSystem.rename(fresh, to: socket)
        return listener
    }

    /// One connection: the RUN's end and the agent's.
    struct Pair {
        var client: Int32
        var upstream: Int32
    }

    /// Accept and relay until `stop` (the signalfd) is readable; a connection ends when either side does.
    static func relay(listener: FileDescriptor, agent: String, stop: Int32) {
        var pairs: [Pair] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var polls = [pollfd(fd: stop, events: Int16(POLLIN), revents: 0), pollfd(fd: listener.rawValue, events: Int16(POLLIN), revents: 0)]
            for pair in pairs {
                polls.append(pollfd(fd: pair.client, events: Int16(POLLIN), revents: 0))
                polls.append(pollfd(fd: pair.upstream, events: Int16(POLLIN), revents: 0))
            }
            if poll(&polls, nfds_t(polls.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if polls[0].revents != 0 { break }
            var ended: Set<Int> = []
            for (number, pair) in pairs.enumerated() {
                for (from, to, ready) in [(pair.client, pair.upstream, polls[2 + 2 * number]), (pair.upstream, pair.client, polls[3 + 2 * number])]
                where ready.revents != 0 && !ended.contains(number) {
                    if !copy(from: from, to: to, buffer: &buffer) { ended.insert(number) }
                }
            }
            for number in ended.sorted(by: >) {
                close(pairs[number].client)
                close(pairs[number].upstream)
                pairs.remove(at: number)
            }
            if polls[1].revents != 0 {
                let client = lighter_accept(listener.rawValue)
                guard client >= 0 else { continue }
                if let upstream = try? connect(agent) {
                    pairs.append(Pair(client: client, upstream: upstream.rawValue))
                    upstream.forget()
                } else {
                    close(client)  // the agent is gone: the RUN's client sees the connection end
                }
            }
        }
        for pair in pairs {
            close(pair.client)
            close(pair.upstream)
        }
    }

    /// Move what `from` has to `to`; false at the end of either.
    static func copy(from: Int32, to: Int32, buffer: inout [UInt8]) -> Bool {
        let count = buffer.withUnsafeMutableBytes { POSIX.read(from, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { return true }
        guard count > 0 else { return false }
        var written = 0
        while written < count {
            let wrote = buffer.withUnsafeBytes { POSIX.send(to, $0.baseAddress! + written, count - written, Int32(MSG_NOSIGNAL)) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return false }
            written += wrote
        }
        return true
    }

    static func connect(_ path: String) throws(LighterError) -> FileDescriptor {
        var address = try address(path)
        let socket = try stream()
        try syscall("connect", path) {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { POSIX.connect(socket.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        }
        return socket
    }

    static func stream() throws(LighterError) -> FileDescriptor {
        FileDescriptor(adopting: try syscall("socket") { POSIX.socket(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0) })
    }

    static func address(_ path: String) throws(LighterError) -> sockaddr_un {
        try POSIX.unixAddress(path, tooLong: "ssh agent socket path is too long for a unix socket: \(path)")
    }
}
