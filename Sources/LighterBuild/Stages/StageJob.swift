import LighterOCI
import LighterStore
import LighterSystem

/// What a stage worker (`lighter __build-stage`) is given: the build's options and the states of
/// the stages already built (a stage it reads is never built twice, even with --no-cache). Secrets
/// travel as their specs (`id=…,src=…|env=…`): the worker reads them itself, never from this file.
struct StageJob: JSONConvertible {
    var options: BuildOptions
    var done: [Int: BuildState]

    init(options: BuildOptions, done: [Int: BuildState]) {
        self.options = options
        self.done = done
    }

    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let fields = try JSONFields(json, path)
        options = BuildOptions(contextDirectory: try fields.required("context"), dockerfile: try fields.required("dockerfile"))
        options.dockerfileName = try fields.required("dockerfileName")
        options.dockerignore = try fields.value("dockerignore", default: "")
        options.buildArgs = try fields.value("buildArgs", default: [:])
        options.noCache = try fields.value("noCache", default: false)
        options.pull = try fields.value("pull", default: false)
        options.platform = try fields.optional("platform", as: String.self).map { (text: String) throws(LighterError) -> Platform in
            try Platform(parsing: text)
        }
        options.network = try fields.required("network")
        options.quiet = try fields.value("quiet", default: false)
        options.sourceDateEpoch = try fields.optional("sourceDateEpoch")
        options.intermediateImages = try fields.value("intermediateImages", default: false)
        let compression = try fields.value("compression", default: LayerCommit.Compression.gzip.rawValue)
        guard let chosen = LayerCommit.Compression(rawValue: compression) else {
            throw .malformed(what: "build stage job", reason: "unknown layer compression \"\(compression)\"")
        }
        options.compression = chosen
        options.ssh = try fields.value("ssh", default: [:])
        options.secrets = try fields.value("secrets", default: [String]()).map { (text: String) throws(LighterError) -> BuildSecret in
            try BuildSecret(parsing: text)
        }
        let states: [String: JSONNode] = try fields.value("done", default: [:])
        done = [:]
        for (key, node) in states {
            guard let index = Int(key) else { throw path.appending("done").badValue("stage index \"\(key)\" is not a number") }
            done[index] = try BuildState(json: node, path: path.appending("done"))
        }
    }

    var json: JSONNode {
        var states: [String: JSONNode] = [:]
        for (index, state) in done { states[String(index)] = state.json }
        return .object([
            "context": options.contextDirectory, "dockerfile": options.dockerfile, "dockerfileName": options.dockerfileName,
            "dockerignore": options.dockerignore, "buildArgs": options.buildArgs, "noCache": options.noCache, "pull": options.pull,
            "platform": options.platform?.description, "network": options.network, "quiet": options.quiet,
            "sourceDateEpoch": options.sourceDateEpoch, "intermediateImages": options.intermediateImages, "compression": options.compression.rawValue, "ssh": options.ssh, "secrets": options.secrets.map(\.spec), "done": JSONNode.object(states),
        ])
    }
}

extension BuildState {
    /// A stage's final state as a worker reports it: the config as stored (its digest is the
    /// state's identity in cache keys) and the layer blobs.
    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let fields = try JSONFields(json, path)
        let config: String = try fields.required("config")
        var layers: [LayerBlob] = []
        for line in (try fields.required("layers", as: [String].self)) {
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3, let size = Int64(parts[1]) else { throw path.appending("layers").badValue("\"\(line)\" is no layer") }
            layers.append(LayerBlob(digest: try Digest(parsing: parts[0]), mediaType: parts[2], size: size))
        }
        try self.init(configBytes: Array(config.utf8), layers: layers)
        key = try Digest(parsing: try fields.required("key"))
        imageID = try fields.optional("imageID", as: String.self).map { (text: String) throws(LighterError) -> Digest in try Digest(parsing: text) }
    }

    var json: JSONNode {
        let config = (try? JSON.encode(self.config)) ?? []
        return .object([
            "config": String(decoding: config, as: UTF8.self), "key": key.description, "imageID": imageID?.description,
            "layers": layers.map { "\($0.digest) \($0.size) \($0.mediaType)" },
        ])
    }
}
