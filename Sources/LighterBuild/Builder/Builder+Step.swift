import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

extension Builder {
    /// One instruction: from the cache when its key is there, else executed and recorded.
    func step(_ instruction: Instruction, state: BuildState, label: String) throws(LighterError) -> BuildState {
        try checkInterrupted()
        var state = state
        if instruction.keyword == "ARG" {
            // ARG changes no image: it brings names into the stage's scope (meta ARG values, build args).
            for (name, value) in try declaredArgs(instruction, environment: state.substitution) {
                // Unset when neither given, defaulted, declared before FROM with a value, nor predefined.
                if let known = value ?? metaArgs[name].flatMap({ $0 }) ?? platformArgs[name] {
                    state.args[name] = known
                }
            }
            return state
        }
        let step = "[\(label)] \(instruction.original)"
        let started = Stopwatch.now()
        progress(BuildEvent(kind: .started, step: step, seconds: 0))
        let prepared = try prepare(instruction, state: state)
        let args = state.args.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{1}")
        let key = BuildCache.key([state.key.hex, platform.description, instruction.keyword,
                                  instruction.flags.map { "--\($0.name)=\($0.value ?? "")" }.joined(separator: " "),
                                  prepared.cacheText, args, prepared.contentHash?.hex ?? ""]
                                 // Layers of another compression are other blobs: gzip's keys stay as they were.
                                 + (options.compression == .gzip ? [] : ["compression=\(options.compression.rawValue)"]))
        if !options.noCache, let hit = try cache.lookup(key) {
            var next = try BuildState(configBytes: hit.configBytes, layers: hit.layers)
            next.args = state.args
            next.cmdSetInStage = state.cmdSetInStage || instruction.keyword == "CMD"
            next.imageID = try recordStepImage(configBytes: hit.configBytes, layers: hit.layers, parent: state.imageID)
            usedCacheKeys.append(key)
            progress(BuildEvent(kind: .cached, step: step, seconds: Stopwatch.now() - started, image: next.imageID))
            return next
        }
        var next = state
        let history: String
        switch instruction.keyword {
        case "RUN":
            history = try run(instruction, state: &next, step: step)
        case "COPY", "ADD":
            history = try copy(instruction, prepared: prepared, state: &next)
        case "WORKDIR":
            try applyMetadata(instruction, state: &next)
            history = instruction.original
            let made = try makeWorkdir(state: &next)
            next.config.history = (next.config.history ?? []) + [ImageConfig.History(created: now(), createdBy: history, comment: "buildkit.dockerfile.v0",
                                                                                     emptyLayer: made ? nil : true)]
        default:
            try applyMetadata(instruction, state: &next)
            history = instruction.original
            next.config.history = (next.config.history ?? []) + [ImageConfig.History(created: now(), createdBy: history, comment: "buildkit.dockerfile.v0", emptyLayer: true)]
        }
        if instruction.keyword == "RUN" || instruction.keyword == "COPY" || instruction.keyword == "ADD" {
            next.config.history = (next.config.history ?? []) + [ImageConfig.History(created: now(), createdBy: history, comment: "buildkit.dockerfile.v0")]
        }
        next.config.created = now()
        let bytes = try JSON.encode(next.config)
        next.key = Digest.of(bytes)
        try cache.save(key, configBytes: bytes, layers: next.layers)
        next.imageID = try recordStepImage(configBytes: bytes, layers: next.layers, parent: state.imageID)
        progress(BuildEvent(kind: .done, step: step, seconds: Stopwatch.now() - started, image: next.imageID))
        return next
    }

    /// The state a step left as an untagged image whose parent is the step's starting image (Docker's
    /// classic builder keeps one image per step); nothing is written when it is there already with
    /// that parent (a rebuild from the cache). Nil when step images are not kept.
    func recordStepImage(configBytes: [UInt8], layers: [LayerBlob], parent: Digest?) throws(LighterError) -> Digest? {
        guard keepsStepImages else { return nil }
        let store = engine.images
        let id = Digest.of(configBytes)
        if try store.imageExists(id), try store.parent(of: id) == parent { return id }
        return try store.withLock(.shared) { () throws(LighterError) -> Digest in
            try store.addImage(configBytes: configBytes, layers: layers, tags: [], parent: parent, durable: false)
        }
    }

    /// What a step's cache key holds besides its parent: the arguments as they expand, and for
    /// COPY/ADD the hash of the files they read.
    struct Prepared {
        var cacheText: String
        var contentHash: Digest?
        var sources: [String] = []
        var destination = ""
        var fromState: BuildState?
        /// ADD's URL sources, fetched (URL → file).
        var downloads: [String: Download] = [:]
    }

    func prepare(_ instruction: Instruction, state: BuildState) throws(LighterError) -> Prepared {
        switch instruction.keyword {
        case "RUN":
            var prepared = Prepared(cacheText: instruction.original + instruction.heredocs.map { "\n" + $0.body }.joined())
            // What a bind mount of the context shows RUN is part of the key, as a COPY's files are.
            let sources = try runMounts(instruction, create: false).contextSources
            if !sources.isEmpty { prepared.contentHash = try contextTree().contentHash(sources) }
            return prepared
        case "CMD", "ENTRYPOINT", "SHELL", "HEALTHCHECK", "ONBUILD", "MAINTAINER":
            return Prepared(cacheText: instruction.original + instruction.heredocs.map { "\n" + $0.body }.joined())
        case "COPY", "ADD":
            return try prepareCopy(instruction, state: state)
        default:
            let words: [String]
            switch instruction.arguments {
            case let .json(list): words = try list.map { (word: String) throws(LighterError) -> String in try lexer.word(word, environment: state.substitution) }
            case let .shell(text): words = try lexer.words(text, environment: state.substitution)
            }
            return Prepared(cacheText: words.joined(separator: "\u{1}"))
        }
    }
}
