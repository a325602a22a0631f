#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterDatabase
import LighterEngine
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

/// Builds a Dockerfile into an image: stages in order of need (those the target does not need are
/// never built), each instruction a step; RUN runs as a container through the engine and its upper
/// directory becomes a layer, COPY/ADD write into a created (never started) container's root and
/// commit it the same way, the other instructions change the config only. Every step is looked up
/// in the build cache first and recorded there after.
public final class Builder {
    let engine: Engine
    let cache: BuildCache
    let options: BuildOptions
    let file: Dockerfile
    let lexer: ShellLexer
    let progress: (BuildEvent) -> Void
    var stages: [BuildStage] = []
    /// ARGs before the first FROM, with their values.
    var metaArgs: [String: String?] = [:]
    var results: [Int: BuildState] = [:]
    /// Images registered only to run a step in, forgotten when the build ends.
    var runnerImages: Set<Digest> = []
    /// Containers this build made and has not removed yet (removed on failure too).
    var containers: Set<String> = []
    let platform: Platform
    /// The stage being built (COPY --from names only stages before it).
    var currentStage = 0
    /// Cache entries this build reused (their `used_at` is set once, at the end).
    var usedCacheKeys: [Digest] = []
    /// The build context, opened on first use.
    var openedContext: SourceTree?
    /// A stage worker's cancel pipe (readable once the builder that started it wants it to stop).
    var cancelDescriptor: Int32?

    /// Whether each step's state is kept as an image (Docker's classic builder's intermediate images).
    var keepsStepImages: Bool { options.intermediateImages && options.output == .image }

    /// The predefined platform ARGs (BuildKit's).
    var platformArgs: [String: String] {
        let host = Platform.host
        return [
            "TARGETPLATFORM": platform.description, "TARGETOS": platform.os, "TARGETARCH": platform.architecture,
            "TARGETVARIANT": platform.variant ?? "",
            "BUILDPLATFORM": host.description, "BUILDOS": host.os, "BUILDARCH": host.architecture, "BUILDVARIANT": host.variant ?? "",
        ]
    }
    static let proxyArgs: Set<String> = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
                                         "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]

    public init(engine: Engine, options: BuildOptions, progress: @escaping (BuildEvent) -> Void = { _ in }) throws(LighterError) {
        self.engine = engine
        cache = BuildCache(store: engine.images)
        self.options = options
        self.progress = progress
        file = try Dockerfile(parsing: options.dockerfile, name: options.dockerfileName)
        lexer = ShellLexer(escape: file.escape)
        platform = options.platform ?? Platform.host
    }

    /// Open the data root with the build cache's tables and an engine over it.
    public static func openEngine(root: String) throws(LighterError) -> Engine {
        _ = try DataRoot(root: root, schemas: BuildCache.schemas)
        return try Engine(root: root)
    }

    /// Build; returns the image ID (tagged with the options' tags).
    public func build() throws(LighterError) -> Digest {
        // Ctrl-C, SIGTERM and SIGHUP wait while a step runs (RUN's monitor forwards them to the
        // container); the build stops before the next step, removes what it made and only then
        // takes the signal's default action.
        Self.blockInterrupts()
        defer { lighter_signal_mask(Self.interrupts, Int32(Self.interrupts.count), 0) }
        // The store lock, shared for the whole build: a GC (rmi, prune) in another process waits
        // until the build has recorded or dropped the layers it made, and its base's.
        let lock = try FileLock(path: engine.images.paths.lockFile, mode: .shared)
        defer { lock.release() }
        defer { cleanUp() }
        try loadStages()
        let targetIndex = try targetStage()
        // A multi-platform build may have built the target already, in a worker (Builder+Platforms).
        if results[targetIndex] == nil { try buildIndependentStages(for: targetIndex) }
        var final = try stageResult(targetIndex)
        // `--label`: one LABEL step per key, sorted, at the end of the target stage, as Docker's
        // classic builder adds them (a history entry and a step image each). Their time is the last
        // step's, so a rebuild from the cache gives the same image.
        for (key, value) in options.labels.sorted(by: { $0.key < $1.key }) {
            var config = final.containerConfig
            config.Labels = (config.Labels ?? [:]).merging([key: value]) { $1 }
            final.containerConfig = config
            final.config.history = (final.config.history ?? []) + [ImageConfig.History(created: final.config.created, createdBy: "LABEL \(key)=\(value)",
                                                                                       comment: "buildkit.dockerfile.v0", emptyLayer: true)]
            let bytes = try JSON.encode(final.config)
            final.imageID = try recordStepImage(configBytes: bytes, layers: final.layers, parent: final.imageID)
        }
        let bytes = try JSON.encode(final.config)
        if options.output != .image {
            try writeOutput(final)
            try cache.touch(usedCacheKeys)
            return Digest.of(bytes)
        }
        // The final image is the last step's; when its bytes differ (a stage's base as it is), the
        // last step's image is its parent.
        let parent = keepsStepImages && final.imageID != Digest.of(bytes) ? final.imageID : nil
        let id = try engine.images.withLock(.shared) { () throws(LighterError) -> Digest in
            try engine.images.addImage(configBytes: bytes, layers: final.layers, tags: options.tags, parent: parent)
        }
        runnerImages.remove(id)
        try cache.touch(usedCacheKeys)
        return id
    }

    /// The stages and the ARGs before the first FROM, with their values.
    func loadStages() throws(LighterError) {
        let (meta, parsed) = try file.stages()
        stages = parsed
        var global = platformArgs
        for instruction in meta {
            for (name, value) in try declaredArgs(instruction, environment: global) {
                metaArgs[name] = value
                global[name] = value ?? ""
            }
        }
    }

    /// The stage `--target` names, else the last.
    func targetStage() throws(LighterError) -> Int {
        guard let target = options.target else { return stages.count - 1 }
        guard let stage = stages.first(where: { $0.name == target.lowercased() }) else {
            throw .notFound(kind: "build stage", name: "\(target) (the Dockerfile names \(stages.compactMap(\.name).joined(separator: ", ")))")
        }
        return stage.index
    }

    static let interrupts: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static func blockInterrupts() { lighter_signal_mask(interrupts, Int32(interrupts.count), 1) }

    /// Throws when Ctrl-C (or SIGTERM, SIGHUP) came during the last step.
    func checkInterrupted() throws(LighterError) {
        var pending = sigset_t()
        sigpending(&pending)
        for signal in Self.interrupts where sigismember(&pending, signal) == 1 {
            throw .buildFailed("interrupted by signal \(signal)")
        }
        if let cancelDescriptor {
            var ready = pollfd(fd: cancelDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 0) > 0 { throw .buildFailed("stopped: another stage of the build failed") }
        }
    }

    /// Remove what the build made to run steps in: containers (a failed step's too) and the images
    /// registered for them. Their layers stay, held by the cache.
    func cleanUp() {
        for id in containers { try? engine.remove(id, force: true) }
        containers.removeAll()
        for id in runnerImages { _ = try? engine.images.forgetIntermediateImage(id) }
        runnerImages.removeAll()
    }

    /// The state a stage ends in, building it (and what it needs) the first time it is asked for.
    func stageResult(_ index: Int) throws(LighterError) -> BuildState {
        if let done = results[index] { return done }
        let saved = currentStage
        currentStage = index
        defer { currentStage = saved }
        let stage = stages[index]
        var state = try from(stage)
        let total = stage.instructions.count + 1
        for (offset, instruction) in stage.instructions.enumerated() {
            state = try step(instruction, state: state, label: label(stage, offset + 2, total))
        }
        results[index] = state
        return state
    }

    func label(_ stage: BuildStage, _ number: Int, _ total: Int) -> String {
        stages.count > 1 ? "\(stage.name ?? "stage-\(stage.index)") \(number)/\(total)" : "\(number)/\(total)"
    }

    /// The stage an expression names (`AS` name or index), nil for an image.
    func stageIndex(named name: String, before index: Int) -> Int? {
        if let number = Int(name), number >= 0, number < index { return number }
        return stages.first { $0.index < index && $0.name == name.lowercased() }?.index
    }

    /// `ARG name[=default] …`: the names with their values (a --build-arg wins over the default).
    func declaredArgs(_ instruction: Instruction, environment: [String: String]) throws(LighterError) -> [(String, String?)] {
        var result: [(String, String?)] = []
        for word in try lexer.words(instruction.text, environment: environment) {
            let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0]
            guard !name.isEmpty else { throw position(instruction).error("ARG needs a name: \"\(word)\"") }
            result.append((name, options.buildArgs[name] ?? (parts.count > 1 ? parts[1] : nil)))
        }
        return result
    }

    func position(_ instruction: Instruction) -> SourcePosition {
        SourcePosition(file: file.name, line: instruction.line, column: 1)
    }

    /// The time recorded in history and config: SOURCE_DATE_EPOCH, else now.
    func now() -> String {
        if let epoch = options.sourceDateEpoch { return Time.rfc3339(seconds: epoch, nanoseconds: 0) }
        let now = Time.now()
        return Time.rfc3339(seconds: now.seconds, nanoseconds: now.nanoseconds)
    }
}
