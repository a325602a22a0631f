#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterEngine
import LighterStore
import LighterSystem

/// The streaming endpoints: attach (hijacked), logs, wait and events. Output comes from the files the
/// monitors and every Lighter process write (json-file logs, events.jsonl), never from daemon memory,
/// so a restarted daemon, or a container started by the CLI, streams alike.
extension DaemonRoutes {
    static func addStreams(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/containers/{id}/attach") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let record = try engine.inspect(id)
            // stdin reaches a container through its monitor's standard input: a pipe made here and handed
            // to the monitor at start, as `docker run -i` attaches; a container started without one
            // (`run -dit`) takes it through its monitor's attach socket instead.
            var stdinWriter: FileDescriptor?
            if request.flag("stdin") && record.spec.interactive {
                guard record.state.status == .created else {
                    guard record.state.status == .running || record.state.status == .paused else {
                        throw .conflict("You cannot attach to a stopped container, start it first")
                    }
                    guard request.flag("stream") else { throw .invalidArgument("attaching stdin needs stream=1") }
                    guard let socket = monitorSocket(id) else {
                        throw .unsupported(feature: "attaching stdin through the daemon to a container whose stdin was attached at its start (run -i without -d: its monitor holds that one source)",
                                           fix: "start it detached (run -dit) to attach later, or use `lighter attach` on the board")
                    }
                    let streams = (stdout: request.query("stdout").map { _ in request.flag("stdout") } ?? true,
                                   stderr: request.query("stderr").map { _ in request.flag("stderr") } ?? true)
                    relayThroughMonitor(socket, responder.hijack(multiplexed: !record.spec.tty), tty: record.spec.tty, streams: streams)
                    return
                }
                var fds: [Int32] = [-1, -1]
                try syscall("pipe2") { lighter_pipe(&fds) }
                stdinWriter = FileDescriptor(adopting: fds[1])
                context.pendingInput.withLock { $0[id] = FileDescriptor(adopting: fds[0]) }
            }
            guard request.flag("stream") || request.flag("logs") else { throw .invalidArgument("attach needs stream=1 or logs=1") }
            let tail = LineTail(path: logPath(engine, id), fromStart: request.flag("logs"), create: record.spec.log.driver != "none")
            let connection = responder.hijack(multiplexed: !record.spec.tty)
            defer { _ = context.pendingInput.withLock { $0.removeValue(forKey: id) } }
            if let writer = stdinWriter {
                let early = connection.takeBuffered()
                if !early.isEmpty { _ = early.withUnsafeBytes { write(writer.rawValue, $0.baseAddress, $0.count) } }
            }
            let streams = (stdout: request.query("stdout").map { _ in request.flag("stdout") } ?? true,
                           stderr: request.query("stderr").map { _ in request.flag("stderr") } ?? true)
            let initialStart = record.state.startedAt
            // The container's directory holds its log and its record: output and exit both wake the loop.
            let watch = DirectoryWatch([DirectoryWatch.directory(of: tail.path)])
            var backoff = Backoff()
            var seenRunning = record.state.status == .running || record.state.status == .restarting
            while true {
                let sent = forward(tail.lines(), tty: record.spec.tty, streams: streams, timestamps: false, since: nil, to: { connection.write($0) })
                if sent == nil { return }
                if sent! > 0 { backoff.reset(); continue }
                if !request.flag("stream") { return }
                guard let now = try? engine.inspect(id) else {
                    _ = forward(tail.lines(), tty: record.spec.tty, streams: streams, timestamps: false, since: nil, to: { connection.write($0) })
                    return
                }
                switch now.state.status {
                case .running, .restarting, .paused: seenRunning = true
                case .exited, .dead, .removing:
                    if seenRunning || now.state.startedAt != initialStart {
                        _ = forward(tail.lines(), tty: record.spec.tty, streams: streams, timestamps: false, since: nil, to: { connection.write($0) })
                        return
                    }
                case .created: break
                }
                if connection.peerClosed { return }
                if let writer = stdinWriter {
                    // Client → container stdin while waiting; its EOF (CloseWrite) closes the container's stdin.
                    if !relayInput(connection, to: writer, milliseconds: Int32(backoff.delay / 1000)) {
                        try? writer.close()
                        stdinWriter = nil
                    }
                    backoff.grow()
                } else {
                    watch.pause(&backoff)
                }
            }
        }
        router.add("GET", "/containers/{id}/logs") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let record = try engine.inspect(id)
            guard request.flag("stdout") || request.flag("stderr") else {
                throw .invalidArgument("Bad parameters: you must choose at least one stream")
            }
            let streams = (stdout: request.flag("stdout"), stderr: request.flag("stderr"))
            let since = try request.query("since").flatMap { (text) throws(LighterError) -> Int64? in
                text.isEmpty || text == "0" ? nil : try EventsCommand.timestamp(text, flag: "since", now: nowNano()) / 1_000_000_000
            }
            var tailCount: Int?
            if let text = request.query("tail"), text != "all", !text.isEmpty {
                guard let n = Int(text) else { throw .invalidArgument("invalid value for tail: \(text)") }
                tailCount = max(n, 0)
            }
            let past = JSONLogReader.select(try engine.logEntries(id), since: since, tail: tailCount)
            let follower = request.flag("follow") ? LineTail(path: logPath(engine, id), fromStart: false) : nil
            responder.startStream(contentType: record.spec.tty ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")
            let timestamps = request.flag("timestamps")
            for entry in past {
                guard wanted(entry.stream, streams) else { continue }
                if !responder.send(frame(entry.log, stream: entry.stream, time: timestamps ? entry.time : nil, tty: record.spec.tty)) { return }
            }
            guard let follower else {
                responder.finish()
                return
            }
            let watch = DirectoryWatch([DirectoryWatch.directory(of: follower.path)])
            var backoff = Backoff(minimum: 5_000, maximum: 100_000)
            while true {
                guard let sent = forward(follower.lines(), tty: record.spec.tty, streams: streams, timestamps: timestamps, since: since, to: { responder.send($0) }) else { return }
                if sent > 0 { backoff.reset(); continue }
                let now = try? engine.inspect(id)
                if now == nil || ![.running, .restarting, .paused].contains(now!.state.status) {
                    _ = forward(follower.lines(), tty: record.spec.tty, streams: streams, timestamps: timestamps, since: since, to: { responder.send($0) })
                    responder.finish()
                    return
                }
                if responder.connection.peerClosed { return }
                watch.pause(&backoff)
            }
        }
        router.add("POST", "/containers/{id}/wait") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let condition = request.query("condition").flatMap { $0.isEmpty ? nil : $0 } ?? "not-running"
            guard ["not-running", "next-exit", "removed"].contains(condition) else {
                throw .invalidArgument("invalid condition: \"\(condition)\"")
            }
            // Watch the event log from now: the monitor records each exit there as `die` with its code,
            // which outlives a `--rm` container's record.
            let events = LineTail(path: EventLog(root: context.root).path, fromStart: false, create: true)
            var record = try engine.inspect(id)
            let initialFinish = record.state.finishedAt
            // Docker answers the headers at once, so the client can start the container meanwhile.
            responder.startStream(contentType: "application/json")
            var exitCode: Int32? = nil
            if condition == "not-running" && ![.running, .restarting, .paused].contains(record.state.status) {
                exitCode = record.state.exitCode
            }
            // The event log's `die`/`destroy` and the record's rename wake the loop at once.
            let watch = DirectoryWatch([DirectoryWatch.directory(of: events.path), DirectoryWatch.directory(of: logPath(engine, id))])
            var backoff = Backoff(minimum: 2_000, maximum: 50_000)
            var removed = false
            while exitCode == nil || (condition == "removed" && !removed) {
                var progressed = false
                for line in events.lines() {
                    guard let node = try? JSONNode.parse(line, what: "event"), let event = try? Event(json: node),
                          event.type == "container", event.actorID == id else { continue }
                    progressed = true
                    if event.action == "die" { exitCode = Int32(event.attributes["exitCode"] ?? "") ?? exitCode ?? 0 }
                    if event.action == "destroy" { removed = true }
                }
                if progressed { continue }
                if let now = try? engine.inspect(id) {
                    // An exit recorded before the event log was opened (its `die` line already behind us).
                    let stopped = ![.running, .restarting, .paused, .created].contains(now.state.status)
                    if exitCode == nil, stopped, condition == "not-running" || now.state.finishedAt != initialFinish {
                        exitCode = now.state.exitCode
                    }
                    record = now
                } else {
                    removed = true
                    if exitCode == nil { exitCode = record.state.exitCode }
                }
                if responder.connection.peerClosed { return }
                if exitCode == nil || (condition == "removed" && !removed) { watch.pause(&backoff) }
            }
            // The monitor logs `die` just before it records the exit: answer once the record says so too,
            // as Docker does (docker-py's `run(remove=True)` removes the container right after `wait`).
            for _ in 0..<2_500 where !removed {
                guard let now = try? engine.inspect(id) else { break }
                if ![.running, .paused].contains(now.state.status) || now.state.finishedAt != initialFinish { break }
                if responder.connection.peerClosed { return }
                usleep(2_000)
            }
            responder.send(JSONNode.object(["StatusCode": number(exitCode ?? 0), "Error": .null]).serialized() + [0x0a])
            responder.finish()
        }
        router.add("GET", "/events") { (request, responder) throws(LighterError) in
            let now = nowNano()
            let since = try request.query("since").flatMap { (t) throws(LighterError) -> Int64? in t.isEmpty ? nil : try EventsCommand.timestamp(t, flag: "since", now: now) }
            let until = try request.query("until").flatMap { (t) throws(LighterError) -> Int64? in t.isEmpty ? nil : try EventsCommand.timestamp(t, flag: "until", now: now) }
            let filter = try EventFilter(try filters(request).map { "\($0.0)=\($0.1)" })
            let log = EventLog(root: context.root)
            let follower = LineTail(path: log.path, fromStart: false, create: true)
            responder.startStream(contentType: "application/json")
            func send(_ event: Event) -> Bool {
                guard filter.matches(event) else { return true }
                return responder.send(event.json.serialized() + [0x0a])
            }
            if let since {
                for event in log.read() where event.timeNano >= since && event.timeNano <= (until ?? now) {
                    if !send(event) { return }
                }
            }
            if let until, until <= now {
                responder.finish()
                return
            }
            let watch = DirectoryWatch([DirectoryWatch.directory(of: follower.path)])
            var backoff = Backoff(minimum: 10_000, maximum: 100_000)
            while true {
                var any = false
                for line in follower.lines() {
                    guard let node = try? JSONNode.parse(line, what: "event"), let event = try? Event(json: node) else { continue }
                    if let until, event.timeNano > until { responder.finish(); return }
                    any = true
                    if !send(event) { return }
                }
                if let until, nowNano() > until { responder.finish(); return }
                if responder.connection.peerClosed { return }
                if any { backoff.reset() } else { watch.pause(&backoff) }
            }
        }
    }

    /// Wait up to `milliseconds` for bytes from the client and copy them to `writer`; false at the
    /// client's end of input (or when the container no longer reads).
    static func relayInput(_ connection: HTTPConnection, to writer: FileDescriptor, milliseconds: Int32) -> Bool {
        guard connection.waitForInput(milliseconds: max(milliseconds, 1)) else { return true }
        guard let buffer = connection.receiveAvailable() else { return false }
        let n = buffer.count
        var offset = 0
        while offset < n {
            let written = buffer.withUnsafeBytes { write(writer.rawValue, $0.baseAddress! + offset, n - offset) }
            if written < 0 {
                if lighter_errno() == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    static func nowNano() -> Int64 {
        let now = Time.now()
        return now.seconds * 1_000_000_000 + now.nanoseconds
    }

    static func logPath(_ engine: Engine, _ id: String) -> String { "\(engine.images.paths.containers)/\(id)/\(id)-json.log" }

    static func wanted(_ stream: String, _ streams: (stdout: Bool, stderr: Bool)) -> Bool {
        stream == "stderr" ? streams.stderr : streams.stdout
    }

    /// One log entry as the API sends it: stdcopy-framed without a TTY, raw with one.
    static func frame(_ text: String, stream: String, time: String?, tty: Bool) -> [UInt8] {
        let payload = Array(((time.map { $0 + " " }) ?? "").utf8) + Array(text.utf8)
        return tty ? payload : StdCopy.frame(stream == "stderr" ? .stderr : .stdout, payload)
    }

    /// Send json-file lines; the number sent, or nil once the client is gone.
    static func forward(_ lines: [[UInt8]], tty: Bool, streams: (stdout: Bool, stderr: Bool), timestamps: Bool, since: Int64?,
                        to write: ([UInt8]) -> Bool) -> Int? {
        var count = 0
        for line in lines {
            guard case let .object(fields)? = try? JSONNode.parse(line, what: "log line"),
                  case let .string(text)? = fields["log"] else { continue }
            let stream: String = if case let .string(s)? = fields["stream"] { s } else { "stdout" }
            let time: String = if case let .string(t)? = fields["time"] { t } else { "" }
            guard wanted(stream, streams) else { continue }
            if let since, (Time.parseRFC3339(time) ?? 0) < since { continue }
            if !write(frame(text, stream: stream, time: timestamps ? time : nil, tty: tty)) { return nil }
            count += 1
        }
        return count
    }
}
