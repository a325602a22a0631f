#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterSystem

/// Independent stages at the same time, as BuildKit runs them: the stages the target needs (its
/// FROM and COPY --from chain; the others never run) are built in waves — every stage whose own
/// stages are done is ready; two or more ready ones are built at once, each by a stage worker
/// process (`lighter __build-stage`, at most `stageConcurrency` together). A process per stage,
/// not a thread: the builder is the monitor of its RUN containers (signals, reaping) and the engine
/// never forks from a multi-threaded process. A stage found only later (an ONBUILD's COPY --from)
/// is still built when first needed, in this process.
extension Builder {
    /// How many stages build together: the CPUs online, at least two.
    var stageConcurrency: Int { max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// The earlier stages a stage reads: its FROM's and its COPY/ADD --from's.
    func stageDependencies(_ stage: BuildStage) -> Set<Int> {
        var environment = platformArgs
        for (name, value) in metaArgs { environment[name] = value ?? "" }
        var names = [stage.base]
        names += stage.instructions.filter { $0.keyword == "COPY" || $0.keyword == "ADD" }.compactMap { $0.flag("from") }
        var result: Set<Int> = []
        for name in names {
            if let expanded = try? lexer.word(name, environment: environment), let index = stageIndex(named: expanded, before: stage.index) {
                result.insert(index)
            }
        }
        return result
    }

    /// Build the stages `target` needs that do not need each other, concurrently, before it.
    func buildIndependentStages(for target: Int) throws(LighterError) {
        var needed: [Int: Set<Int>] = [:]
        var queue = [target]
        while let index = queue.popLast() {
            guard needed[index] == nil else { continue }
            let dependencies = stageDependencies(stages[index])
            needed[index] = dependencies
            queue += dependencies
        }
        while true {
            let ready = needed.filter { results[$0.key] == nil && $0.key != target && $0.value.allSatisfy { results[$0] != nil } }.keys.sorted()
            if ready.isEmpty { return }
            if ready.count == 1 {
                _ = try stageResult(ready[0])
                continue
            }
            for start in stride(from: 0, to: ready.count, by: stageConcurrency) {
                try buildInWorkers(Array(ready[start..<min(ready.count, start + stageConcurrency)]))
            }
        }
    }

    /// Build a stage on its own (a worker's whole job): `done` holds the stages built before.
    func buildStage(_ index: Int, done: [Int: BuildState]) throws(LighterError) -> BuildState {
        Self.blockInterrupts()
        let lock = try FileLock(path: engine.images.paths.lockFile, mode: .shared)
        defer { lock.release() }
        defer { cleanUp() }
        try loadStages()
        guard stages.indices.contains(index) else { throw .invalidArgument("the Dockerfile has no stage \(index)") }
        results = done
        let state = try stageResult(index)
        try cache.touch(usedCacheKeys)
        return state
    }

    struct Worker {
        var index: Int
        var pid: pid_t
        var reader: FileDescriptor
        /// The write end of its cancel pipe: closed to make it stop.
        var cancel: FileDescriptor
        var pending: [UInt8] = []
        var open = true
    }

    /// Run one worker process per stage in `indexes`, relay their progress, take their results.
    /// When one fails the others are told to stop (their cancel pipe closes: they stop before their
    /// next step and remove what they made) and the first failure is the build's.
    func buildInWorkers(_ indexes: [Int]) throws(LighterError) {
        try Self.runWorkers(indexes.map { (self, $0) })
    }

    /// Workers for stages of one or more builders (`--platform a,b`: a builder per platform, each
    /// its target stage): each builder's options go to its workers in a job file, each worker's
    /// progress to its builder's display and its result into its builder's `results`.
    static func runWorkers(_ jobs: [(builder: Builder, index: Int)]) throws(LighterError) {
        var jobFiles: [ObjectIdentifier: String] = [:]
        defer { for path in jobFiles.values { try? FileSystem.remove(path) } }
        var workers: [Worker] = []
        var owners: [Builder] = []
        var failure: String?
        for (builder, index) in jobs {
            do throws(LighterError) {
                let key = ObjectIdentifier(builder)
                let job: String
                if let written = jobFiles[key] {
                    job = written
                } else {
                    job = try builder.writeStageJob()
                    jobFiles[key] = job
                }
                workers.append(try builder.spawnWorker(index, job: job))
                owners.append(builder)
            } catch {
                failure = failure ?? error.description
                break
            }
        }
        if failure != nil { for worker in workers { try? worker.cancel.close() } }
        while workers.contains(where: \.open) {
            var polls = workers.filter(\.open).map { pollfd(fd: $0.reader.rawValue, events: Int16(POLLIN), revents: 0) }
            if poll(&polls, nfds_t(polls.count), -1) < 0 {
                if lighter_errno() == EINTR { continue }
                break
            }
            for number in workers.indices where workers[number].open {
                guard let ready = polls.first(where: { $0.fd == workers[number].reader.rawValue }), ready.revents != 0 else { continue }
                let chunk = (try? workers[number].reader.read(upTo: 64 * 1024)) ?? []
                if chunk.isEmpty { workers[number].open = false }
                workers[number].pending += chunk
                while let newline = workers[number].pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: workers[number].pending[..<newline], as: UTF8.self)
                    workers[number].pending.removeSubrange(...newline)
                    if let error = owners[number].workerLine(line, stage: workers[number].index), failure == nil {
                        failure = error
                        for other in workers where other.pid != workers[number].pid { try? other.cancel.close() }
                    }
                }
            }
        }
        for (number, worker) in workers.enumerated() {
            var status: Int32 = 0
            _ = try? syscallTolerating("waitpid", "build stage worker", [ECHILD]) { waitpid(worker.pid, &status, 0) }
            try? worker.cancel.close()
            if failure == nil, owners[number].results[worker.index] == nil {
                failure = "the worker building stage \(owners[number].stageName(worker.index)) ended without a result (status \(status))"
            }
        }
        if let failure { throw .buildFailed(failure.hasPrefix("build failed: ") ? String(failure.dropFirst(14)) : failure) }
    }

    /// This build's options and finished stages in a job file for its workers (removed by the caller).
    func writeStageJob() throws(LighterError) -> String {
        let temp = "\(engine.images.paths.root)/tmp"
        try FileSystem.makeDirectories(temp, mode: 0o700)
        let job = "\(temp)/build-stages-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        try FileSystem.writeThrowaway(StageJob(options: options, done: results).jsonBytes(), to: job, mode: 0o600)
        return job
    }

    /// One line from a worker: progress goes to the display, a result into `results`; returns an
    /// error's message.
    func workerLine(_ line: String, stage: Int) -> String? {
        let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        // `done/HEX`: the step's image; `running/ID`: a RUN's container.
        let head = parts[0].split(separator: "/", maxSplits: 1).map(String.init)
        switch head.first ?? "" {
        case "started", "done", "cached":
            guard parts.count == 3 else { return nil }
            let kind: BuildEvent.Kind = head[0] == "started" ? .started : head[0] == "done" ? .done : .cached
            let image = head.count > 1 ? try? Digest(hex: head[1]) : nil
            progress(BuildEvent(kind: kind, step: parts[2], seconds: Double(parts[1]) ?? 0, image: image))
            return nil
        case "running", "removed":
            guard parts.count == 3, head.count == 2 else { return nil }
            progress(BuildEvent(kind: head[0] == "running" ? .running : .removed, step: parts[2], seconds: 0, container: head[1]))
            return nil
        case "result":
            do throws(LighterError) {
                let text = parts.dropFirst().joined(separator: "\t")
                results[stage] = try BuildState(json: try JSONNode.parse(Array(text.utf8), what: "stage result"), path: JSONPath(what: "stage result"))
                return nil
            } catch {
                return "stage \(stageName(stage)): \(error)"
            }
        case "error":
            return parts.dropFirst().joined(separator: "\t").split(separator: "\u{1}").joined(separator: "\n")
        default:
            return nil
        }
    }

    func stageName(_ index: Int) -> String { stages[index].name ?? String(index) }

    /// Start `lighter __build-stage ROOT JOB INDEX` with descriptor 3 the write end of its report
    /// pipe and 4 the read end of its cancel pipe.
    func spawnWorker(_ index: Int, job: String) throws(LighterError) -> Worker {
        var fds: [Int32] = [-1, -1]
        try syscall("pipe2") { lighter_pipe(&fds) }
        let reader = FileDescriptor(adopting: fds[0])
        let writer = try Self.above4(fds[1])
        defer { try? writer.close() }
        try syscall("pipe2") { lighter_pipe(&fds) }
        let cancelled = try Self.above4(fds[0])
        let cancel = FileDescriptor(adopting: fds[1])
        defer { try? cancelled.close() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writer.rawValue, 3)
        posix_spawn_file_actions_adddup2(&actions, cancelled.rawValue, 4)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("lighter"), strdup(StageWorker.command), strdup(engine.images.paths.root),
                                                    strdup(job), strdup(String(index)), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, engine.executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw .system(call: "posix_spawn", path: engine.executable, errno: rc) }
        return Worker(index: index, pid: pid, reader: reader, cancel: cancel)
    }

    /// `fd` moved to a number above 4 (close-on-exec kept), so the child's dup2 onto 3 and 4 never
    /// overwrites the other end it needs.
    static func above4(_ fd: Int32) throws(LighterError) -> FileDescriptor {
        defer { close(fd) }
        return FileDescriptor(adopting: try syscall("fcntl") { fcntl(fd, F_DUPFD_CLOEXEC, 10) })
    }
}
