#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `--secret id=ID[,src=FILE|,env=VAR]` (BuildKit's forms; `type=file|env` accepted; with neither
/// src nor env, the variable named by the id, as BuildKit does). Read when a RUN mounts it, never
/// stored: not in a layer, the cache key or the history.
public struct BuildSecret: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case file(String)
        case environment(String)
    }

    public var id: String
    public var source: Source
    /// The flag's text (what a stage worker is given to read the secret itself).
    public var spec: String

    public init(parsing text: String) throws(LighterError) {
        var fields: [String: String] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                throw .invalidArgument("--secret \(text): each field is KEY=VALUE (id=ID,src=FILE or id=ID,env=VAR)")
            }
            let key = parts[0].lowercased()
            guard ["id", "src", "source", "env", "type"].contains(key) else {
                throw .invalidArgument("--secret \(text): unknown field \"\(parts[0])\" (use id, src, env or type)")
            }
            fields[key] = parts[1]
        }
        guard let id = fields["id"] else { throw .invalidArgument("--secret \(text): give id=ID") }
        let file = fields["src"] ?? fields["source"]
        switch (fields["type"], file, fields["env"]) {
        case (_, .some, .some):
            throw .invalidArgument("--secret \(text): give src= or env=, not both")
        case (nil, let file?, nil), ("file", let file?, nil):
            source = .file(file)
        case (nil, nil, let variable?), ("env", nil, let variable?):
            source = .environment(variable)
        case ("env", nil, nil):
            source = .environment(id)
        case (nil, nil, nil):
            source = getenv(id) != nil ? .environment(id) : .file(id)
        case let (type?, _, _):
            throw .invalidArgument("--secret \(text): type=\(type) does not fit the fields given (type=file with src=, type=env with env=)")
        }
        self.id = id
        spec = text
    }

    /// The secret's bytes, read now.
    public func contents() throws(LighterError) -> [UInt8] {
        switch source {
        case let .file(path):
            do {
                return try FileSystem.readFile(path)
            } catch {
                throw .notFound(kind: "secret file", name: "\(path) (--secret id=\(id)): \(error)")
            }
        case let .environment(name):
            guard let value = getenv(name) else {
                throw .notFound(kind: "environment variable", name: "\(name) (--secret id=\(id) reads it)")
            }
            return Array(String(cString: value).utf8)
        }
    }
}
