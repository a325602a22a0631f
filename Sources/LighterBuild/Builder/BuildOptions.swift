import LighterOCI
import LighterSystem

/// What `lighter build` asks for.
public struct BuildOptions: Sendable {
    /// The context directory (a tar on standard input is unpacked into one by the CLI).
    public var contextDirectory: String
    /// The Dockerfile's text and the name errors give it.
    public var dockerfile: String
    public var dockerfileName: String = "Dockerfile"
    /// `.dockerignore` (or `Dockerfile.dockerignore`) text; empty when there is none.
    public var dockerignore: String = ""
    public var tags: [Reference] = []
    public var target: String?
    public var buildArgs: [String: String] = [:]
    public var labels: [String: String] = [:]
    public var noCache = false
    public var pull = false
    public var platform: Platform?
    /// RUN's network when the instruction gives none: the engine's default bridge, `none` or `host`.
    public var network = "bridge"
    /// No RUN output and no step lines (the CLI prints only the image ID).
    public var quiet = false
    /// SOURCE_DATE_EPOCH: fixed times in layers and the config.
    public var sourceDateEpoch: Int64?
    /// `--secret`: what `RUN --mount=type=secret` can mount.
    public var secrets: [BuildSecret] = []
    /// `--ssh`: agent sockets by id (key files already loaded into a private agent, SSHAgent) that
    /// `RUN --mount=type=ssh` binds.
    public var ssh: [String: String] = [:]
    /// `--output`: the image (stored), or the final filesystem as a directory or a tar.
    public var output: BuildOutput = .image
    /// How the layers the build commits are compressed (`--compression`).
    public var compression: LayerCommit.Compression = .gzip
    /// Keep every step's state as an untagged image whose parent is the previous step's, as Docker's
    /// classic builder does (`images -a`, `history`); only when the output is the image store and
    /// one platform is built.
    public var intermediateImages = true

    public init(contextDirectory: String, dockerfile: String) {
        self.contextDirectory = contextDirectory
        self.dockerfile = dockerfile
    }
}

/// One line of progress: a step started, finished (with its time) or was taken from the cache; a
/// RUN's container was made (`running`) or removed after its commit (`removed`).
public struct BuildEvent: Sendable {
    public enum Kind: Sendable { case started, done, cached, running, removed }
    public var kind: Kind
    /// "[2/3] RUN echo hi" or "[builder 1/2] COPY . /src".
    public var step: String
    public var seconds: Double
    /// The image the step left (a step image, or FROM's base), on `done` and `cached`.
    public var image: Digest? = nil
    /// The ID of the container a RUN step runs in, on `running` and `removed`.
    public var container: String? = nil
}
