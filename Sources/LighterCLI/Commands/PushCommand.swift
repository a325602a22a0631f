import LighterArguments
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

/// `push NAME[:TAG]`.
struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Upload an image to a registry.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryCLIOptions
    @Flag(name: .shortAndLong, help: "Suppress verbose output.") var quiet = false
    @Argument(help: "Image reference: NAME[:TAG] (a local image with this name).") var image: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let reference = try Reference(parsing: image)
            guard reference.digest == nil else { throw .invalidArgument("push \(image): push by tag, not by digest") }
            let pusher = ImagePusher(store: try store.openImageStore(), options: try registry.registryOptions())
            let quiet = quiet
            let digest = try runBlocking { () async throws(LighterError) -> Digest in
                try await pusher.push(image, as: reference) { event in if !quiet { Console.out(PushCommand.describe(event)) } }
            }
            Console.out(quiet ? reference.familiar : "\(reference.tag ?? "latest"): digest: \(digest)")
        }
    }

    static func describe(_ event: PushEvent) -> String {
        switch event {
        case let .blobExists(digest): return "\(digest.short): Layer already exists"
        case let .blobMounted(digest, from): return "\(digest.short): Mounted from \(from)"
        case let .blobPushed(digest, _): return "\(digest.short): Pushed"
        case let .manifestPushed(reference, digest): return "\(reference): manifest \(digest)"
        }
    }
}

/// `manifest push TARGET IMAGE...`: push local images (one per platform) and an OCI index of them.
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "manifest", abstract: "Push multi-platform images.",
                                                    subcommands: [ManifestPushCommand.self])
}

struct ManifestPushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push", abstract: "Push local images as one multi-platform index under TARGET.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryCLIOptions
    @Flag(name: .shortAndLong, help: "Suppress verbose output.") var quiet = false
    @Argument(help: "Where to push the index: NAME[:TAG].") var target: String
    @Argument(help: "Local images, one per platform.") var images: [String]

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let reference = try Reference(parsing: target)
            guard reference.digest == nil else { throw .invalidArgument("manifest push \(target): push by tag, not by digest") }
            let pusher = ImagePusher(store: try store.openImageStore(), options: try registry.registryOptions())
            let (images, quiet) = (images, quiet)
            let digest = try runBlocking { () async throws(LighterError) -> Digest in
                try await pusher.pushIndex(images, as: reference) { event in if !quiet { Console.out(PushCommand.describe(event)) } }
            }
            Console.out(quiet ? digest.description : "\(reference.tag ?? "latest"): index digest: \(digest)")
        }
    }
}
