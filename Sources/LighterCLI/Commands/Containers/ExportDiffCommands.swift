#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import CLighter
import LighterEngine
import LighterSystem

/// `export [-o FILE] CONTAINER`: a tar of the container's root filesystem, to stdout or FILE.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export a container's filesystem as a tar archive.")
    @OptionGroup var store: StoreOptions
    @Option(name: .shortAndLong, help: "Write to a file, instead of STDOUT.") var output: String?
    @Argument(help: "The container.") var container: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let id = try engine.resolve(container)
            guard let output else {
                guard isatty(1) == 0 else {
                    throw .invalidArgument("cowardly refusing to save to a terminal. Use the -o flag or redirect")
                }
                try engine.export(id, to: FileDescriptor(adopting: 1))
                return
            }
            // Written beside the target and renamed into place once complete, as `save -o` does.
            let temporary = output + ".lighter-export-\(getpid())"
            let fd = try syscall("open", temporary) { lighter_open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
            do throws(LighterError) {
                defer { close(fd) }
                try engine.export(id, to: FileDescriptor(adopting: fd))
                try syscall("fsync", temporary) { fsync(fd) }
            } catch {
                try? FileSystem.remove(temporary)
                throw error
            }
            try FileSystem.rename(temporary, to: output)
        }
    }
}

/// `diff CONTAINER`: Docker's A/C/D lines for what changed in the container's filesystem.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Inspect changes to files or directories on a container's filesystem.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The container.") var container: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            for change in try engine.changes(try engine.resolve(container)) {
                Console.out("\(change.kind.rawValue) \(change.path)")
            }
        }
    }
}
