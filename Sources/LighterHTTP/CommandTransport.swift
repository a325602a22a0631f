#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// A byte stream through a child process's standard input and output: `ssh -- HOST lighter system
/// dial-stdio` carries an Engine API connection as Docker's CLI does for `ssh://` hosts. Both are one
/// end of a socket pair (sends never raise SIGPIPE); the child's standard error is the caller's, so
/// ssh's own messages reach the user. Closing ends the child.
// Unchecked: `closed` is mutable; a transport belongs to one connection, used by one thread at a time.
final class CommandTransport: Transport, @unchecked Sendable {
    private let pid: pid_t
    private let socket: TCPSocket
    private var closed = false

    init(_ command: [String], authority: String, readTimeoutMilliseconds: Int) throws(LighterError) {
        guard let program = command.first else { throw .invalidArgument("no command to reach \(authority) through") }
        var ends: [Int32] = [-1, -1]
        try syscall("socketpair") { socketpair(AF_UNIX, POSIX.streamSocket | POSIX.closeOnExecSocket, 0, &ends) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 0)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, program, &actions, nil, argv, environ)
        _ = POSIX.close(ends[1])
        guard rc == 0 else {
            _ = POSIX.close(ends[0])
            throw .registry(host: authority, message: "cannot connect: cannot run \(program): \(String(cString: strerror(rc)))")
        }
        pid = child
        socket = TCPSocket.adopting(fd: ends[0], authority: authority, readTimeoutMilliseconds: readTimeoutMilliseconds)
    }

    deinit { close() }

    func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) { try socket.sendAll(bytes) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(LighterError) -> Int { try socket.receive(into: buffer) }

    var descriptor: Int32 { socket.descriptor }
    var bufferedBytes: Int { 0 }
    func closeWrite() { socket.closeWrite() }

    func close() {
        guard !closed else { return }
        closed = true
        socket.close()
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && lighter_errno() == EINTR {}
    }
}
