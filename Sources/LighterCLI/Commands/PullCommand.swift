import LighterArguments
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

/// `pull NAME[:TAG|@DIGEST]`.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download an image from a registry.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryCLIOptions
    @Option(name: .long, help: "Platform to pick from a multi-platform image, os/arch[/variant] (default: this machine's).") var platform: String?
    @Flag(name: .shortAndLong, help: "Suppress verbose output.") var quiet = false
    @Argument(help: "Image reference: NAME[:TAG|@DIGEST].") var image: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let reference = try Reference(parsing: image)
            let platform = try platform.map { (p) throws(LighterError) -> Platform in try Platform(parsing: p) }
            let images = try store.openImageStore()
            let puller = ImagePuller(store: images, options: try registry.registryOptions())
            let display = PullProgress(quiet: quiet)
            if !quiet { Console.out(reference.digest == nil ? "\(reference.tag ?? "latest"): Pulling from \(reference.familiarName)" : "Pulling \(reference.familiar)") }
            let pulled = try runBlocking { () async throws(LighterError) -> PulledImage in
                try await puller.pull(reference, platform: platform) { display.handle($0) }
            }
            display.finish()
            images.emit("pull", id: reference.familiar, name: reference.familiar)
            if quiet {
                Console.out(reference.familiar)
            } else {
                Console.out("Digest: \(pulled.resolvedDigest)")
                Console.out(pulled.downloadedLayers > 0 ? "Status: Downloaded newer image for \(reference.familiar)" : "Status: Image is up to date for \(reference.familiar)")
                Console.out(reference.description)
            }
        }
    }
}
