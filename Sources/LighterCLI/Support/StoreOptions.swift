import LighterArguments
import LighterDatabase
import LighterEngine
import LighterStore
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--root`: the data root, also from `LIGHTER_ROOT`, default /var/lib/lighter.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data root (default: $LIGHTER_ROOT or /var/lib/lighter).", valueName: "dir"))
    var root: String?

    var resolvedRoot: String {
        if let root { return root }
        if let env = getenv("LIGHTER_ROOT"), env.pointee != 0 { return String(cString: env) }
        return StorePaths.defaultRoot
    }

    /// The options with `--root` as given (nil: from the environment or the default).
    static func resolve(_ root: String?) -> StoreOptions {
        var options = StoreOptions()
        options.root = root
        return options
    }

    func openImageStore() throws(LighterError) -> ImageStore {
        try ImageStore(dataRoot: DataRoot(root: resolvedRoot, schemas: Engine.schemas))
    }
}

/// Output selection shared by listing commands: Docker's `--format table|json|TEMPLATE`.
struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Format output: 'table' (default), 'json', or a Go-style template such as '{{.Repository}}:{{.Tag}}' or '{{json .}}'.")
    var format: String?
}

/// Print a Lighter error the way the CLI reports every error, then exit with `code`.
func reportAndExit(_ error: LighterError, code: Int32? = nil) -> ExitCode {
    Console.error("lighter: \(error)")
    return ExitCode(code ?? error.exitCode)
}

/// Run a command body, turning a `LighterError` into a message on stderr and an exit status.
func guarded(exitCode: Int32? = nil, _ body: () throws(LighterError) -> Void) throws(ExitCode) {
    do {
        try body()
    } catch {
        throw reportAndExit(error, code: exitCode)
    }
}
