import LighterEngine
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

extension Builder {
    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// FROM: an earlier stage, `scratch`, or an image (pulled when missing, or always with --pull);
    /// the base's ONBUILD triggers run first.
    func from(_ stage: BuildStage) throws(LighterError) -> BuildState {
        var environment = platformArgs
        for (name, value) in metaArgs { environment[name] = value ?? "" }
        let base = try lexer.word(stage.base, environment: environment)
        let started = Stopwatch.now()
        let step = "[\(label(stage, 1, stage.instructions.count + 1))] FROM \(base)"
        progress(BuildEvent(kind: .started, step: step, seconds: 0))
        var state: BuildState
        if let index = stageIndex(named: base, before: stage.index) {
            state = try stageResult(index)
            state.args = [:]
            state.cmdSetInStage = false
        } else if base.lowercased() == "scratch" {
            var config = ImageConfig(created: nil, architecture: platform.architecture, os: platform.os, variant: platform.variant,
                                     config: nil, diffIDs: [], history: [])
            var container = ContainerConfig()
            container.Env = [Self.defaultPath]
            config.config = container
            state = try BuildState(configBytes: try JSON.encode(config), layers: [])
        } else {
            let wanted = try stage.from.flag("platform").map { (text: String) throws(LighterError) -> Platform in
                try Platform(parsing: try lexer.word(text, environment: environment))
            } ?? platform
            state = try imageState(base, platform: wanted, pull: options.pull)
            if state.containerConfig.Env?.contains(where: { $0.hasPrefix("PATH=") }) != true {
                var container = state.containerConfig
                container.Env = [Self.defaultPath] + (container.Env ?? [])
                state.containerConfig = container
            }
        }
        // ONBUILD triggers of the base run as the stage's first steps, and are not inherited.
        let triggers = state.containerConfig.OnBuild ?? []
        if !triggers.isEmpty {
            var container = state.containerConfig
            container.OnBuild = nil
            state.containerConfig = container
            state.key = Digest.of(try JSON.encode(state.config))
            for trigger in triggers {
                let instruction = try file.parseInstruction(trigger, line: stage.from.line, nested: true)
                state = try self.step(instruction, state: state, label: "\(label(stage, 1, stage.instructions.count + 1)) ONBUILD")
            }
        }
        progress(BuildEvent(kind: .done, step: step, seconds: Stopwatch.now() - started, image: state.imageID))
        return state
    }

    /// An image's state: resolved in the store, pulled from its registry when missing (or always).
    func imageState(_ name: String, platform: Platform, pull: Bool) throws(LighterError) -> BuildState {
        var id: Digest?
        if !pull {
            do throws(LighterError) {
                id = try engine.images.resolve(name).id
            } catch {
                guard case .notFound = error else { throw error }
            }
        }
        if id == nil {
            let reference = try Reference(parsing: name)
            let puller = ImagePuller(store: engine.images, options: RegistryOptions())
            let pulled = try runBlocking { () async throws(LighterError) -> PulledImage in
                try await puller.pull(reference, platform: platform)
            }
            id = pulled.id
        }
        guard let id else { throw .notFound(kind: "image", name: name) }
        let record = try engine.images.image(id: id)
        let bytes = try engine.images.configBytes(of: id)
        var state = try BuildState(configBytes: bytes, layers: record.layers.map {
            LayerBlob(digest: $0.blob, mediaType: $0.mediaType, size: $0.blobSize)
        })
        state.imageID = id
        if state.config.platform.architecture != platform.architecture || state.config.platform.os != platform.os {
            throw .conflict("image \(name) is for \(state.config.platform), the build is for \(platform): give FROM --platform or pull the right one")
        }
        return state
    }
}
