#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterArchive
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

/// `delta create BASE TARGET (-o FILE | --push)`.
struct DeltaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delta", abstract: "Make delta updates between two images.",
                                                    subcommands: [DeltaCreateCommand.self])
}

struct DeltaCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Make a delta that rebuilds TARGET's layers on a board holding BASE.",
        discussion: """
            Each layer of TARGET that BASE lacks becomes a zstd delta against BASE's uncompressed layers. \
            With -o, an archive for `lighter load` on a board that holds BASE; with --push, an OCI artifact \
            beside TARGET in its registry (referrers API, else the sha256-<digest> tag), which `pull` and \
            `auto-update` use on boards that hold BASE.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryCLIOptions
    @Option(name: [.customShort("o"), .long], help: "Write the delta as an archive for `lighter load`.") var output: String?
    @Flag(name: .long, help: "Push the delta to TARGET's registry, beside TARGET (pushed there first).") var push = false
    @Option(name: .long, help: "zstd compression level of the deltas, 1 to 22 (default 3).") var level: Int32 = LayerDelta.defaultLevel
    @Argument(help: "The image boards hold.") var base: String
    @Argument(help: "The image they are to get.") var target: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard (output != nil) != push else { throw .invalidArgument("give either -o FILE or --push") }
            guard (1...22).contains(level) else { throw .invalidArgument("--level \(level): zstd levels are 1 to 22") }
            let images = try store.openImageStore()
            try DeltaCreateCommand.withBundle(images, base: base, target: target, level: level) { (bundle) throws(LighterError) in
                if let output {
                    try images.saveDelta(bundle, name: try? images.resolve(target).tag, to: output)
                } else {
                    let reference = try Reference(parsing: target)
                    let pusher = ImagePusher(store: images, options: try registry.registryOptions())
                    let source = try runBlocking { () async throws(LighterError) -> ReferrersSource in
                        try await pusher.pushDelta(bundle, to: reference)
                    }
                    Console.out("Pushed \(bundle.manifestDigest) to \(reference.registry)/\(reference.repository) "
                                + (source == .api ? "(referrers API)" : "(referrers tag \(ReferrersIndex.tag(for: bundle.target.manifestDigest)))"))
                }
                DeltaCreateCommand.report(bundle)
            }
        }
    }

    /// Make the delta in a work directory under the data root, hand it to `body`, remove the directory.
    static func withBundle(_ images: ImageStore, base: String, target: String, level: Int32,
                           _ body: (DeltaBundle) throws(LighterError) -> Void) throws(LighterError) {
        let work = "\(images.paths.ingest)/delta-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileSystem.makeDirectories(work, mode: 0o700)
        defer { try? FileSystem.removeTree(work) }
        let bundle = try images.withLock(.shared) { () throws(LighterError) -> DeltaBundle in
            try images.createDelta(base: base, target: target, in: work, level: level)
        }
        try body(bundle)
    }

    /// What the delta holds, on standard error: its size against the layers it replaces.
    static func report(_ bundle: DeltaBundle) {
        let full = bundle.fullBytes
        let hundredths = full > 0 ? bundle.deltaBytes * 10000 / full : 0
        let percent = "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
        Console.error("Delta \(bundle.manifestDigest.short): \(bundle.blobs.count) layer(s), \(bundle.deltaBytes) bytes for \(full) bytes of layers (\(percent) %)")
        for layer in bundle.config.layers where layer.delta == nil {
            Console.error("Layer \(layer.digest.short) is shipped whole: its blob cannot be made again from its tar (compressed by another tool)")
        }
    }
}
