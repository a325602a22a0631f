import LighterOCI
import LighterStore
import LighterSystem

/// A stage's image as the build has it after some steps: config, layer blobs, the ARGs declared in
/// the stage so far, and the key the next step's cache key starts from.
struct BuildState {
    var config: ImageConfig
    var layers: [LayerBlob]
    /// ARG name → value, in the stage's scope.
    var args: [String: String] = [:]
    /// CMD was given in this stage (then a later ENTRYPOINT keeps it; else it drops the base's).
    var cmdSetInStage = false
    /// The digest of the config bytes this state was stored as (its identity in cache keys).
    var key: Digest
    /// The image this state is in the store as (the base image, or a step's image): the next step's
    /// image names it as its parent. Nil for `scratch` and when step images are not kept.
    var imageID: Digest?

    init(configBytes: [UInt8], layers: [LayerBlob]) throws(LighterError) {
        config = try ImageConfig(jsonBytes: configBytes, what: "image config")
        self.layers = layers
        key = Digest.of(configBytes)
    }

    var containerConfig: ContainerConfig {
        get { config.config ?? ContainerConfig() }
        set { config.config = newValue }
    }

    /// The config's Env as a dictionary (later entries win).
    var environment: [String: String] {
        var result: [String: String] = [:]
        for entry in containerConfig.Env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    /// What variable substitution sees: the stage's ARGs, overridden by ENV (as in Docker).
    var substitution: [String: String] { args.merging(environment) { $1 } }

    mutating func setEnv(_ name: String, _ value: String) {
        var env = containerConfig.Env ?? []
        let entry = "\(name)=\(value)"
        if let index = env.firstIndex(where: { $0 == name || $0.hasPrefix(name + "=") }) {
            env[index] = entry
        } else {
            env.append(entry)
        }
        containerConfig.Env = env
    }

    /// The shell of the shell form: SHELL, else /bin/sh -c.
    var shell: [String] { containerConfig.Shell ?? ["/bin/sh", "-c"] }
}
