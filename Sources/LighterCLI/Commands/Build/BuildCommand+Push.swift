import LighterArguments
import LighterBuild
import LighterEngine
import LighterOCI
import LighterRegistry
import LighterSystem

/// `build --push`: the image (one platform) or an OCI index over each platform's image (several)
/// pushed to the registry of every `-t`, as `docker buildx build --push` does. Several platforms'
/// images are built untagged for the index only and removed after the push.
extension BuildCommand {
    static func checkPush(tags: [Reference], output: BuildOutput) throws(LighterError) {
        guard !tags.isEmpty else { throw .invalidArgument("--push needs a name to push to: give -t REGISTRY/NAME:TAG") }
        guard output == .image else { throw .invalidArgument("--push and --output both say where the result goes: give one of them") }
        for tag in tags where tag.digest != nil { throw .invalidArgument("--push -t \(tag.familiar): push by tag, not by digest") }
    }

    func pushBuilt(engine: Engine, options: BuildOptions, platforms: [Platform], display: BuildProgress) throws(LighterError) -> Digest {
        let pusher = ImagePusher(store: engine.images, options: try registry.registryOptions())
        let quiet = quiet
        let report: @Sendable (PushEvent) -> Void = { event in if !quiet { Console.error(PushCommand.describe(event)) } }
        if platforms.count <= 1 {
            let id = try Builder.build(engine: engine, options: options, platforms: platforms) { display.handle($0) }
            for tag in options.tags {
                let digest = try runBlocking { () async throws(LighterError) -> Digest in try await pusher.push(tag.familiar, as: tag, progress: report) }
                if !quiet { Console.error("pushed \(tag.familiar): digest: \(digest)") }
            }
            return id
        }
        var perPlatform = options
        perPlatform.tags = []
        let built = try Builder.buildPerPlatform(engine: engine, options: perPlatform, platforms: platforms) { display.handle($0) }
        defer { Builder.removeUnlessKept(engine, built) }
        let sources = built.map(\.id.description)
        var index: Digest?
        for tag in options.tags {
            let digest = try runBlocking { () async throws(LighterError) -> Digest in try await pusher.pushIndex(sources, as: tag, progress: report) }
            if !quiet { Console.error("pushed \(tag.familiar): index digest: \(digest)") }
            index = digest
        }
        return index!
    }
}
