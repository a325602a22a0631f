#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The one error type of Lighter. Every case names the problem in words a user can act on.
public enum LighterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed: which call, on what, and errno.
    case system(call: String, path: String?, errno: Int32)
    /// A command-line flag or argument has a bad value.
    case invalidArgument(String)
    /// An image reference (`name:tag`, `name@sha256:…`) cannot be parsed.
    case invalidReference(String)
    /// A digest string is malformed or uses an algorithm Lighter does not support.
    case invalidDigest(String)
    /// Content did not hash to what it claimed.
    case digestMismatch(what: String, expected: String, actual: String)
    /// Content had a different length from what it claimed.
    case sizeMismatch(what: String, expected: Int64, actual: Int64)
    /// Something named does not exist (kind: "image", "container", "blob", ...).
    case notFound(kind: String, name: String)
    /// The operation conflicts with the current state (image in use, name taken, ...).
    case conflict(String)
    /// A layer archive tried to escape its snapshot or is otherwise hostile.
    case unsafeArchive(entry: String, reason: String)
    /// A file or stream is malformed (bad JSON, truncated tar, unknown format).
    case malformed(what: String, reason: String)
    /// A configured limit was exceeded (e.g. decompressed layer size).
    case limitExceeded(String)
    /// The SQLite metadata database reported an error.
    case database(code: Int32, message: String)
    /// The host lacks something Lighter needs; `fix` says how to get it.
    case unsupported(feature: String, fix: String)
    /// A container process could not be started; `exitCode` is what Docker exits with
    /// (127 executable not found, 126 not executable, 125 set-up failed).
    case containerStart(message: String, exitCode: Int32)
    /// Talking to an image registry failed: which registry, and what it (or the network) said.
    case registry(host: String, message: String)
    /// A build step's process ran and failed: where, its exit code and its last output lines.
    case buildFailed(String)

    public var description: String {
        switch self {
        case let .system(call, path, code):
            let what = path.map { "\(call) \($0)" } ?? call
            return "\(what): \(String(cString: strerror(code))) (errno \(code))"
        case let .invalidArgument(message): return "invalid argument: \(message)"
        case let .invalidReference(ref): return "invalid reference format: \(ref)"
        case let .invalidDigest(message): return "invalid digest: \(message)"
        case let .digestMismatch(what, expected, actual):
            return "digest mismatch for \(what): expected \(expected), got \(actual)"
        case let .sizeMismatch(what, expected, actual):
            return "size mismatch for \(what): expected \(expected) bytes, got \(actual)"
        case let .notFound(kind, name): return "no such \(kind): \(name)"
        case let .conflict(message): return "conflict: \(message)"
        case let .unsafeArchive(entry, reason): return "refusing layer entry \"\(entry)\": \(reason)"
        case let .malformed(what, reason): return "malformed \(what): \(reason)"
        case let .limitExceeded(message): return "limit exceeded: \(message)"
        case let .database(code, message):
            // SQLITE_CORRUPT, SQLITE_NOTADB: say what repairs it.
            let damaged = code & 0xff == 11 || code & 0xff == 26
            return "metadata database error \(code): \(message)"
                + (damaged ? " (the database is damaged: `lighter system check --repair` rebuilds it from the content store)" : "")
        case let .unsupported(feature, fix): return "\(feature) is not available: \(fix)"
        case let .containerStart(message, _): return "cannot start container process: \(message)"
        case let .registry(host, message): return "registry \(host): \(message)"
        case let .buildFailed(message): return "build failed: \(message)"
        }
    }

    /// The process exit status the CLI uses for this error (Docker uses 125 for engine errors;
    /// 1 for "no such object" in commands like `rmi`/`inspect`).
    public var exitCode: Int32 {
        switch self {
        case .notFound, .buildFailed: return 1
        case let .containerStart(_, exitCode): return exitCode
        default: return 125
        }
    }
}
