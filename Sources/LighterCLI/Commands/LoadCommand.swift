import LighterArguments
import LighterOCI
import LighterStore
import LighterSystem

/// `load [-i FILE]`: docker-archive or OCI layout (tar or directory).
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Load images from a docker-archive or OCI layout (tar file, directory, or standard input).")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("i"), .long], help: "Read from a tar archive file or an OCI layout directory, instead of STDIN.") var input: String?
    @Option(name: .long, help: "Platform to pick from a multi-platform index (default: this machine's).") var platform: String?
    @Flag(name: .shortAndLong, help: "Suppress the load output.") var quiet = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let platform = try platform.map { (p) throws(LighterError) -> Platform in try Platform(parsing: p) }
            let images = try store.openImageStore()
            let loaded: [LoadedImage]
            if let input {
                guard FileSystem.exists(input) else { throw .notFound(kind: "file", name: input) }
                loaded = try images.load(from: input, platform: platform)
            } else {
                let stdin = FileDescriptor(adopting: 0)
                stdin.forget()
                loaded = try images.withLock(.shared) { () throws(LighterError) -> [LoadedImage] in try images.load(from: stdin, platform: platform) }
            }
            for image in loaded { images.emit("load", id: image.id.description, name: image.tags.first?.familiar) }
            guard !quiet else { return }
            for image in loaded {
                if image.tags.isEmpty { Console.out("Loaded image ID: \(image.id)") }
                for tag in image.tags { Console.out("Loaded image: \(tag.familiar)") }
            }
        }
    }
}
