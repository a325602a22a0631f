import LighterArchive
import LighterArguments
import LighterStore
import LighterSystem

/// `save [-o FILE] [--format docker|oci|oci-dir] IMAGE...`.
struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "save", abstract: "Save one or more images to a tar archive (streamed to STDOUT by default).")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("o"), .long], help: "Write to a file (or a directory with --format oci-dir), instead of STDOUT.") var output: String?
    @Option(name: .long, help: "docker (docker-archive, default), oci (OCI layout tar) or oci-dir (OCI layout directory).") var format: String = "docker"
    @Option(name: .customLong("delta-from"), help: "Save only what turns this image into IMAGE (one image, -o FILE; load it where this image is).") var deltaFrom: String?
    @Argument(help: "Images to save.") var images: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard let archiveFormat = ImageArchiveFormat(rawValue: format) else {
                throw .invalidArgument("--format \(format): use docker, oci or oci-dir")
            }
            guard !images.isEmpty else { throw .invalidArgument("\"save\" requires at least 1 argument") }
            let store = try store.openImageStore()
            if let deltaFrom {
                guard images.count == 1, let output else { throw .invalidArgument("--delta-from saves one image, with -o FILE") }
                try DeltaCreateCommand.withBundle(store, base: deltaFrom, target: images[0], level: LayerDelta.defaultLevel) { (bundle) throws(LighterError) in
                    try store.saveDelta(bundle, name: try? store.resolve(images[0]).tag, to: output)
                }
            } else if let output {
                try store.save(images, format: archiveFormat, to: output)
            } else {
                guard !Console.stdoutIsTerminal else {
                    throw .invalidArgument("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                }
                let stdout = FileDescriptor(adopting: 1)
                stdout.forget()
                try store.save(images, format: archiveFormat, to: stdout)
            }
            for image in images { store.emit("save", id: (try? store.resolve(image).id.description) ?? image, name: image) }
        }
    }
}
