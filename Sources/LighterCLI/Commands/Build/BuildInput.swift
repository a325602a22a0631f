import LighterArchive
import LighterBuild
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where `build` reads its context and Dockerfile: a directory; or a tar on standard input
/// (`build -`), unpacked into a private directory under the data root and removed afterwards; the
/// Dockerfile from `-f FILE`, `-f -` (standard input) or the context's `Dockerfile`; the ignore file
/// `FILE.dockerignore` next to it, else the context's `.dockerignore`.
enum BuildInput {
    static let unpackedPrefix = "build-context-"

    static func options(context: String, file: String?, root: String) throws(LighterError) -> BuildOptions {
        var directory = context
        if context == "-" {
            guard file != "-" else { throw .invalidArgument("the context and the Dockerfile cannot both come from standard input") }
            directory = "\(root)/tmp/\(unpackedPrefix)\(getpid())"
            try FileSystem.makeDirectories(directory, mode: 0o700)
            let input = FileDescriptor(adopting: 0)
            input.forget()
            do {
                _ = try LayerApplier.apply(from: input, into: directory, expectedDigest: nil, limits: LayerLimits())
            } catch {
                try? FileSystem.removeTree(directory)
                throw error
            }
        } else {
            guard FileSystem.isDirectory(context) else {
                throw .notFound(kind: "build context directory", name: context)
            }
        }
        let text: String
        let name: String
        var ignorePath = "\(directory)/.dockerignore"
        if file == "-" {
            let input = FileDescriptor(adopting: 0)
            input.forget()
            var bytes: [UInt8] = []
            while true {
                let chunk = try input.read(upTo: 65536)
                if chunk.isEmpty { break }
                bytes += chunk
            }
            text = String(decoding: bytes, as: UTF8.self)
            name = "-"
        } else {
            let path = file ?? "\(directory)/Dockerfile"
            guard FileSystem.exists(path) else {
                throw .notFound(kind: "Dockerfile", name: "\(path) (give its path with -f)")
            }
            text = String(decoding: try FileSystem.readFile(path), as: UTF8.self)
            name = file ?? "Dockerfile"
            if FileSystem.exists(path + ".dockerignore") { ignorePath = path + ".dockerignore" }
        }
        var options = BuildOptions(contextDirectory: directory, dockerfile: text)
        options.dockerfileName = name
        if FileSystem.exists(ignorePath) {
            options.dockerignore = String(decoding: try FileSystem.readFile(ignorePath), as: UTF8.self)
        }
        return options
    }

    /// Remove a context `options` unpacked from standard input.
    static func removeUnpacked(_ options: BuildOptions) {
        if options.contextDirectory.contains("/tmp/\(unpackedPrefix)") { try? FileSystem.removeTree(options.contextDirectory) }
    }
}
