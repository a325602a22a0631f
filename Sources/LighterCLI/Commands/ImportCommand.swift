import LighterArguments
import LighterOCI
import LighterStore
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `import FILE|- [REPOSITORY[:TAG]]`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import the contents from a tarball to create a filesystem image.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("c"), .long], help: "Apply a Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL).")
    var change: [String] = []
    @Option(name: [.customShort("m"), .long], help: "Set a commit message for the imported image.") var message: String?
    @Option(name: .long, help: "Set platform (os/arch[/variant]) of the image, e.g. linux/arm64.") var platform: String?
    @Argument(help: "A tarball (plain, gzip or zstd), or - for standard input.") var file: String
    @Argument(help: "Name the image REPOSITORY[:TAG].") var reference: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let ref = try reference.map { (r) throws(LighterError) -> Reference in try Reference(parsing: r) }
            let platform = try platform.map { (p) throws(LighterError) -> Platform in try Platform(parsing: p) }
            let source: FileDescriptor
            if file == "-" {
                source = FileDescriptor(adopting: 0)
                source.forget()
            } else {
                guard FileSystem.exists(file) else { throw .notFound(kind: "file", name: file) }
                guard !FileSystem.isDirectory(file) else { throw .invalidArgument("\(file) is a directory; import takes a tarball") }
                source = try FileDescriptor(path: file, flags: O_RDONLY)
            }
            let id = try store.openImageStore().importTarball(from: source, sourceName: file == "-" ? "-" : file, reference: ref, changes: change, platform: platform, message: message)
            Console.out(id.description)
        }
    }
}
