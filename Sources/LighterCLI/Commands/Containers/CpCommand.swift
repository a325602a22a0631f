import LighterArguments
import LighterEngine
import LighterSystem

/// `cp CONTAINER:SRC DEST` / `cp SRC CONTAINER:DEST`: copy files and directories out of and into a container's
/// root filesystem (running or stopped). Container paths cannot lead out of its root, whatever its symlinks say.
struct CpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files/folders between a container and the local filesystem.",
        discussion: "Use '-' as the source to read a tar archive from stdin and extract it to a directory in the container, or as the destination to write a tar archive of the container source to stdout.")
    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("a"), .long], help: "Archive mode (copy all uid/gid information).") var archive = false
    @Flag(name: [.customShort("L"), .customLong("follow-link")], help: "Always follow symbol link in SRC_PATH.") var followLink = false
    @Argument(help: "CONTAINER:SRC_PATH or SRC_PATH or -.") var source: String
    @Argument(help: "DEST_PATH or CONTAINER:DEST_PATH or -.") var destination: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let from = CpCommand.split(source), to = CpCommand.split(destination)
            // The local copy keeps owners only from a tar on standard input, and copies links as links.
            if followLink || (archive && !(source == "-" && to != nil)) {
                throw .unsupported(feature: "cp \(followLink ? "-L" : "-a") on the local store (it is applied through a daemon: lighter -H HOST cp …)",
                                   fix: "copy without it, or use `cp -a - CONTAINER:DIR` with a tar on standard input")
            }
            switch (from, to) {
            case (.some, .some):
                throw .invalidArgument("copying between containers is not supported")
            case (nil, nil):
                throw .invalidArgument("must specify at least one container source (CONTAINER:PATH)")
            case let (.some(container), nil):
                let engine = try store.openEngine()
                let id = try engine.resolve(container.name)
                if destination == "-" {
                    try engine.copyOutArchive(id, from: container.path, to: FileDescriptor(adopting: 1))
                } else {
                    try engine.copyOut(id, from: container.path, to: destination)
                }
            case let (nil, .some(container)):
                let engine = try store.openEngine()
                let id = try engine.resolve(container.name)
                if source == "-" {
                    try engine.copyInArchive(id, from: FileDescriptor(adopting: 0), to: container.path, keepOwners: archive)
                } else {
                    try engine.copyIn(id, from: source, to: container.path)
                }
            }
        }
    }

    /// "name:/path" → (name, /path); a local path (containing no ':' before its first '/', or "-") → nil.
    /// Local paths with a ':' are written "./a:b" or "/a:b", as in Docker.
    static func split(_ argument: String) -> (name: String, path: String)? {
        guard !argument.hasPrefix("/"), !argument.hasPrefix("."), let colon = argument.firstIndex(of: ":") else { return nil }
        let name = String(argument[..<colon])
        guard !name.isEmpty, !name.contains("/") else { return nil }
        let path = String(argument[argument.index(after: colon)...])
        return (name, path.isEmpty ? "/" : path)
    }
}
