#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterHTTP
import LighterSystem

/// The attached commands against an Engine API: `run` in the foreground, `start -a/-i`, `attach` and
/// `exec`, through the API's hijacked streams (`RemoteSession`), exiting with the process's code as
/// Docker's CLI does.
enum RemoteAttach {
    /// Which of stdin, stdout, stderr `run` attaches: `-a` as given, else stdout and stderr (and stdin with -i).
    static func streams(_ line: ContainerCommandLine) throws(LighterError) -> (stdin: Bool, stdout: Bool, stderr: Bool) {
        guard !line.flags.attach.isEmpty else { return (line.flags.interactive, true, true) }
        var chosen = (stdin: false, stdout: false, stderr: false)
        for name in line.flags.attach {
            switch name.lowercased() {
            case "stdin": chosen.stdin = true
            case "stdout": chosen.stdout = true
            case "stderr": chosen.stderr = true
            default: throw .invalidArgument("invalid argument \"\(name)\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR")
            }
        }
        return chosen
    }

    /// `run` without -d, once the container `id` is created: attach first (no output is lost), ask
    /// for the wait, start, relay, then the exit code the wait reports.
    static func foreground(_ line: ContainerCommandLine, id: String, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let chosen = try streams(line)
        let stream = try attach(id, stdin: chosen.stdin, stdout: chosen.stdout, stderr: chosen.stderr, client: client)
        let wait = try client.request("POST", "/containers/\(id)/wait", query: [("condition", line.rm ? "removed" : "next-exit")])
        do throws(LighterError) {
            try client.request("POST", "/containers/\(id)/start").discard()
        } catch {
            guard case let .registry(host, message) = error, host == EngineAPIClient.daemonHost else { throw error }
            if line.rm { try? client.request("DELETE", "/containers/\(id)", query: [("force", "1")]).discard() }
            Console.error(message)
            return startFailureCode(message)
        }
        let keys = try DetachKeys(line.flags.detachKeys ?? DetachKeys.dockerDefault)
        let session = containerSession(id, tty: line.flags.tty, input: chosen.stdin, keys: keys, sigProxy: line.flags.sigProxy, client: client)
        return try finish(session, stream, wait: wait)
    }

    /// Docker's CLI: 127 when the command was not found, 126 when it could not be run, else 125.
    static func startFailureCode(_ message: String) -> Int32 {
        if message.contains("executable file not found") || message.contains("no such file or directory") { return 127 }
        if message.contains("permission denied") || message.contains("is a directory") { return 126 }
        return 125
    }

    /// `start -a` / `start -i` of one container.
    static func start(_ command: StartCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        guard command.containers.count == 1, let name = command.containers.first else {
            throw .invalidArgument("you cannot start and attach multiple containers at once")
        }
        let document = try client.document("/containers/\(EngineAPIClient.escape(name))/json")
        let id = document[field: "Id"]?.text ?? name
        let tty = document[field: "Config"]?[field: "Tty"] == .bool(true)
        let stdin = command.interactive && document[field: "Config"]?[field: "OpenStdin"] == .bool(true)
        let stream = try attach(id, stdin: stdin, stdout: true, stderr: true, client: client)
        let wait = try client.request("POST", "/containers/\(id)/wait", query: [("condition", "next-exit")])
        try client.request("POST", "/containers/\(id)/start").discard()
        let session = containerSession(id, tty: tty, input: stdin, keys: try DetachKeys(DetachKeys.dockerDefault), sigProxy: true, client: client)
        return try finish(session, stream, wait: wait)
    }

    /// `attach [--no-stdin] [--sig-proxy=false] [--detach-keys K] CONTAINER` to a running container.
    static func attach(_ command: AttachCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let document = try client.document("/containers/\(EngineAPIClient.escape(command.container))/json")
        let id = document[field: "Id"]?.text ?? command.container
        guard document[field: "State"]?[field: "Running"] == .bool(true) else {
            throw .registry(host: EngineAPIClient.daemonHost, message: "You cannot attach to a stopped container, start it first")
        }
        let tty = document[field: "Config"]?[field: "Tty"] == .bool(true)
        let stdin = !command.noStdin && document[field: "Config"]?[field: "OpenStdin"] == .bool(true)
        let stream = try attach(id, stdin: stdin, stdout: true, stderr: true, client: client)
        let wait = try client.request("POST", "/containers/\(id)/wait", query: [("condition", "not-running")])
        let keys = try DetachKeys(command.detachKeys ?? DetachKeys.dockerDefault)
        let session = containerSession(id, tty: tty, input: stdin, keys: keys, sigProxy: command.sigProxy, client: client)
        return try finish(session, stream, wait: wait)
    }

    /// `exec [-d] [-i] [-t] [-e …] [--env-file …] [-w DIR] [-u USER] [--privileged] CONTAINER COMMAND…`:
    /// the exec's exit code (`GET /exec/{id}/json` once its stream ended).
    static func exec(_ command: ExecCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        guard !command.command.isEmpty else { throw .invalidArgument("\"exec\" requires at least 2 arguments: a container and a command") }
        if let bad = command.env.first(where: { $0.hasPrefix("=") || $0.isEmpty }) {
            throw .invalidArgument("invalid environment variable \"\(bad)\"")
        }
        var env: [String] = []
        for file in command.envFile { env += try ContainerFlags.environmentFile(file) }
        for entry in command.env { if let value = try ContainerFlags.environmentEntry(entry) { env.append(value) } }
        var body: [String: JSONNode] = [
            "AttachStdin": .bool(command.interactive && !command.detach), "AttachStdout": .bool(!command.detach),
            "AttachStderr": .bool(!command.detach), "Tty": .bool(command.tty), "Privileged": .bool(command.privileged),
            "Detach": .bool(command.detach), "Cmd": .array(command.command.map(JSONNode.string)),
        ]
        if !env.isEmpty { body["Env"] = .array(env.map(JSONNode.string)) }
        if let user = command.user { body["User"] = .string(user) }
        if let workdir = command.workdir { body["WorkingDir"] = .string(workdir) }
        let created = try JSONNode.parse(try client.bytes("POST", "/containers/\(EngineAPIClient.escape(command.container))/exec",
                                                          json: JSONNode.object(body).serialized()), what: "the daemon's answer to exec")
        let execID = created[field: "Id"]?.text ?? ""
        let start = JSONNode.object(["Detach": .bool(command.detach), "Tty": .bool(command.tty)]).serialized()
        if command.detach {
            try client.request("POST", "/exec/\(execID)/start", json: start).discard()
            return 0
        }
        let stream = try client.hijack("/exec/\(execID)/start", json: start)
        let session = RemoteSession(tty: command.tty, input: command.interactive, detachKeys: try DetachKeys(DetachKeys.dockerDefault), proxySignals: false,
                                    resize: { rows, columns in
                                        try? client.request("POST", "/exec/\(execID)/resize", query: [("h", String(rows)), ("w", String(columns))]).discard()
                                    }, signal: { _ in })
        if let code = try relay(session, stream) { return code }
        // The daemon records the code as the stream ends; a moment's grace for a slower one.
        for _ in 0..<100 {
            let state = try client.document("/exec/\(execID)/json")
            if state[field: "Running"] != .bool(true), let code = state[field: "ExitCode"], code != .null { return Int32(truncatingIfNeeded: code.integer) }
            usleep(20_000)
        }
        throw .registry(host: EngineAPIClient.daemonHost, message: "exec \(execID): the daemon reported no exit code")
    }

    // MARK: shared

    private static func attach(_ id: String, stdin: Bool, stdout: Bool, stderr: Bool, client: EngineAPIClient) throws(LighterError) -> HijackedStream {
        try client.hijack("/containers/\(id)/attach", query: [("stream", "1"), ("stdin", stdin ? "1" : "0"),
                                                              ("stdout", stdout ? "1" : "0"), ("stderr", stderr ? "1" : "0")])
    }

    private static func containerSession(_ id: String, tty: Bool, input: Bool, keys: DetachKeys, sigProxy: Bool, client: EngineAPIClient) -> RemoteSession {
        RemoteSession(tty: tty, input: input, detachKeys: keys, proxySignals: sigProxy && !tty,
                      resize: { rows, columns in
                          try? client.request("POST", "/containers/\(id)/resize", query: [("h", String(rows)), ("w", String(columns))]).discard()
                      },
                      signal: { number in
                          try? client.request("POST", "/containers/\(id)/kill", query: [("signal", String(number))]).discard()
                      })
    }

    /// Relay until the stream ends (then closed: nil), or the CLI's own exit code when the session
    /// ended first: 0 for the detach keys, 128 + the signal that interrupted it.
    private static func relay(_ session: RemoteSession, _ stream: HijackedStream) throws(LighterError) -> Int32? {
        session.sendSize()
        switch try session.pump(stream) {
        case .detached: return 0
        case let .interrupted(signal): return 128 + signal
        case .ended:
            stream.close()
            return nil
        }
    }

    /// Relay until the stream ends, then the wait's `StatusCode` (its `Error.Message` reported).
    private static func finish(_ session: RemoteSession, _ stream: HijackedStream, wait: HTTPResponse) throws(LighterError) -> Int32 {
        if let code = try relay(session, stream) { return code }
        let result = try JSONNode.parse(try wait.collect(upTo: 1024 * 1024), what: "the daemon's answer to wait")
        if let message = result[field: "Error"]?[field: "Message"]?.text, !message.isEmpty { Console.error(message) }
        return Int32(truncatingIfNeeded: result[field: "StatusCode"]?.integer ?? 0)
    }
}
