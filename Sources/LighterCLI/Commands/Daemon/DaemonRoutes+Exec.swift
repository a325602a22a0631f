#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterEngine
import LighterRuntime
import LighterSystem
import Synchronization

/// `exec`: create (kept in daemon memory, as Docker does), start (hijacked: stdin from the client,
/// stdout/stderr framed back, or the terminal's output raw with `Tty`), inspect (the exit code the docker CLI reads after the stream ends).
extension DaemonRoutes {
    static func addExec(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/containers/{id}/exec") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let fields = try body(request)
            var options = ExecOptions(command: try DockerCreateRequest.strings(fields["Cmd"], "Cmd"))
            guard !options.command.isEmpty else { throw .invalidArgument("No exec command specified") }
            options.env = try DockerCreateRequest.strings(fields["Env"], "Env")
            if case let .string(user)? = fields["User"], !user.isEmpty { options.user = user }
            if case let .string(dir)? = fields["WorkingDir"], !dir.isEmpty { options.workingDir = dir }
            options.privileged = try DockerCreateRequest.bool(fields["Privileged"] ?? .null, "Privileged")
            options.interactive = try DockerCreateRequest.bool(fields["AttachStdin"] ?? .null, "AttachStdin")
            // With a TTY the runtime gives the process a terminal and relays it to the pipes (stdout then carries both streams).
            options.tty = try DockerCreateRequest.bool(fields["Tty"] ?? .null, "Tty")
            for key in fields.keys where !["Cmd", "Env", "User", "WorkingDir", "Privileged", "AttachStdin", "AttachStdout", "AttachStderr",
                                           "Tty", "Detach", "DetachKeys", "ConsoleSize", "Container"].contains(key) {
                // "Container" (docker-py sends the container's ID in the body too): the path names it.
                try DockerCreateRequest.refuseUnlessZero(key, fields[key]!)
            }
            let record = try engine.inspect(id)
            guard engine.isRunning(record) else { throw .conflict("Container \(id) is not running") }
            let execID = randomHex(32)
            var exec = DaemonExec(id: execID, containerID: id, options: options)
            exec.attachStdout = (try? DockerCreateRequest.bool(fields["AttachStdout"] ?? .null, "AttachStdout")) ?? true
            exec.attachStderr = (try? DockerCreateRequest.bool(fields["AttachStderr"] ?? .null, "AttachStderr")) ?? true
            context.execs.withLock { $0[execID] = exec }
            responder.json(.object(["Id": .string(execID)]), status: 201)
        }
        router.add("GET", "/exec/{id}/json") { (request, responder) throws(LighterError) in
            guard let exec = context.execs.withLock({ $0[request.parameter("id")] }) else { throw .notFound(kind: "exec instance", name: request.parameter("id")) }
            responder.json(.object([
                "ID": .string(exec.id), "ContainerID": .string(exec.containerID), "Running": .bool(exec.running),
                "ExitCode": exec.exitCode.map { number($0) } ?? .null, "Pid": number(exec.pid), "CanRemove": .bool(false),
                "OpenStdin": .bool(exec.options.interactive), "OpenStdout": .bool(exec.attachStdout), "OpenStderr": .bool(exec.attachStderr),
                "DetachKeys": .string(""),
                "ProcessConfig": .object([
                    "tty": .bool(exec.options.tty), "entrypoint": .string(exec.options.command[0]),
                    "arguments": .array(exec.options.command.dropFirst().map(JSONNode.string)),
                    "privileged": .bool(exec.options.privileged), "user": .string(exec.options.user ?? ""),
                ]),
            ]))
        }
        router.add("POST", "/exec/{id}/start") { (request, responder) throws(LighterError) in
            let execID = request.parameter("id")
            let fields = try body(request)
            guard var exec = context.execs.withLock({ $0[execID] }) else { throw .notFound(kind: "exec instance", name: execID) }
            guard !exec.running && exec.exitCode == nil else { throw .conflict("exec \(execID) has already run") }
            let detach = try DockerCreateRequest.bool(fields["Detach"] ?? .null, "Detach")
            let root = context.root
            if detach {
                exec.options.detach = true
                _ = try Engine(root: root).exec(exec.containerID, exec.options)
                context.execs.withLock { $0[execID]?.exitCode = 0 }
                responder.respond(status: 200)
                return
            }
            var output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1], input: [Int32] = [-1, -1]
            try syscall("pipe2") { lighter_pipe(&output) }
            try syscall("pipe2") { lighter_pipe(&errors) }
            try syscall("pipe2") { lighter_pipe(&input) }
            let stdinWriter = FileDescriptor(adopting: input[1])
            let outReader = FileDescriptor(adopting: output[0]), errReader = FileDescriptor(adopting: errors[0])
            exec.options.stdio = Runtime.Stdio(input: input[0], output: output[1], error: errors[1])
            context.execs.withLock { $0[execID]?.running = true }
            let options = exec.options, containerID = exec.containerID
            let done = Atomic<Bool>(false)
            let childEnds = (input[0], output[1], errors[1])
            LighterAPI.Thread.detached {
                let code: Int32
                do throws(LighterError) {
                    code = try Engine(root: root).exec(containerID, options) { (pid, terminal) throws(LighterError) in
                        let copy = terminal.map { fcntl($0.rawValue, F_DUPFD_CLOEXEC, 0) } ?? -1
                        let pending = context.execs.withLock { (execs) -> (rows: UInt16, columns: UInt16)? in
                            execs[execID]?.pid = pid
                            execs[execID]?.terminal = copy
                            return execs[execID]?.pendingSize
                        }
                        if let pending, copy >= 0 {
                            try? Engine.setWindowSize(copy, rows: pending.rows, columns: pending.columns, what: "terminal of exec \(execID)")
                        }
                    }
                } catch {
                    // The stream is the client's only view: the reason goes to its stderr, as Docker's does.
                    let text = Array("\(APIRouter.message(for: error))\n".utf8)
                    _ = text.withUnsafeBytes { write(childEnds.2, $0.baseAddress, $0.count) }
                    code = error.exitCode == 1 || error.exitCode == 125 ? 126 : error.exitCode
                }
                close(childEnds.0); close(childEnds.1); close(childEnds.2)
                context.execs.withLock {
                    if let terminal = $0[execID]?.terminal, terminal >= 0 { close(terminal) }
                    $0[execID]?.terminal = -1
                    $0[execID]?.running = false
                    $0[execID]?.exitCode = code
                }
                done.store(true, ordering: .releasing)
            }
            let tty = exec.options.tty
            let connection = responder.hijack(multiplexed: !tty)
            // Client → stdin, on this thread between output reads; EOF (the client's CloseWrite) closes stdin.
            var stdinOpen = exec.options.interactive
            if stdinOpen {
                let early = connection.takeBuffered()
                if !early.isEmpty { _ = early.withUnsafeBytes { write(stdinWriter.rawValue, $0.baseAddress, $0.count) } }
            } else {
                try? stdinWriter.close()
            }
            var open: [(FileDescriptor, StdCopy.Stream, Bool)] = [(outReader, .stdout, exec.attachStdout), (errReader, .stderr, exec.attachStderr)]
            var buffer = [UInt8](repeating: 0, count: 32 * 1024)
            while !open.isEmpty {
                var fds = open.map { pollfd(fd: $0.0.rawValue, events: Int16(POLLIN), revents: 0) }
                if stdinOpen { fds.append(pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)) }
                // With TLS, decrypted input may wait in the connection where poll cannot see it.
                let pending = stdinOpen && connection.hasPendingInput
                if poll(&fds, nfds_t(fds.count), pending ? 0 : 1000) < 0 && errno != EINTR { break }
                if stdinOpen, let client = fds.last, client.revents != 0 || pending {
                    if let input = connection.receiveAvailable() {
                        if !input.isEmpty { _ = input.withUnsafeBytes { write(stdinWriter.rawValue, $0.baseAddress, $0.count) } }
                    } else {
                        stdinOpen = false
                        try? stdinWriter.close()
                    }
                }
                var index = 0
                while index < open.count {
                    guard fds[index].revents != 0 else { index += 1; continue }
                    let n = buffer.withUnsafeMutableBytes { read(open[index].0.rawValue, $0.baseAddress, $0.count) }
                    if n <= 0 {
                        open.remove(at: index)
                        fds.remove(at: index)
                        continue
                    }
                    if open[index].2 { connection.write(tty ? Array(buffer[0..<n]) : StdCopy.frame(open[index].1, buffer[0..<n])) }
                    index += 1
                }
            }
            // The exit code must be recorded before the client, seeing the stream end, asks for it.
            while !done.load(ordering: .acquiring) { usleep(1_000) }
        }
    }

    static func randomHex(_ bytes: Int) -> String {
        var raw = [UInt8](repeating: 0, count: bytes)
        if let random = fopen("/dev/urandom", "rb") {
            _ = fread(&raw, 1, bytes, random)
            fclose(random)
        }
        return raw.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
