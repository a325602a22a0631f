#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterSystem

/// A user name and password (or identity token) for one registry.
public struct Credentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `base64(user:password)`, the `auth` field of Docker's config.json and the Basic header.
    public var encoded: String { Base64.encode(Array("\(username):\(password)".utf8)) }

    public init(decoding auth: String, registry: String) throws(LighterError) {
        guard let bytes = Base64.decode(auth), let text = String(validating: bytes, as: UTF8.self), let colon = text.firstIndex(of: ":") else {
            throw .malformed(what: "credentials for \(registry)", reason: "\"auth\" is not base64 of user:password")
        }
        username = String(text[..<colon])
        password = String(text[text.index(after: colon)...])
    }
}

/// Docker's `config.json` credentials format: `{"auths": {"HOST": {"auth": "base64(user:pass)"}}}`.
/// Lighter writes its own file in this format (mode 0600) and reads Docker's too.
public struct CredentialStore: Sendable {
    public let options: RegistryOptions

    public init(options: RegistryOptions) { self.options = options }

    struct File: Codable {
        var auths: [String: Entry]?
        struct Entry: Codable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
        }
    }

    /// Credentials for `registry` (as in a reference), from Lighter's file first, then Docker's.
    /// Credentials given in `options.credentials` come before both.
    public func credentials(for registry: String) throws(LighterError) -> Credentials? {
        if let given = options.credentials { return given }
        for path in [options.authFile] + (options.dockerConfigFile.map { [$0] } ?? []) {
            guard let file = try read(path) else { continue }
            for key in keys(for: registry) {
                guard let entry = file.auths?[key] else { continue }
                if let auth = entry.auth, !auth.isEmpty { return try Credentials(decoding: auth, registry: registry) }
                if let username = entry.username, let password = entry.password { return Credentials(username: username, password: password) }
            }
        }
        return nil
    }

    /// Store credentials for `registry` in Lighter's file (created 0600, written durably).
    public func save(_ credentials: Credentials, for registry: String) throws(LighterError) {
        var file = try read(options.authFile) ?? File(auths: [:])
        var auths = file.auths ?? [:]
        auths[RegistryHost.credentialKey(for: registry)] = File.Entry(auth: credentials.encoded)
        file.auths = auths
        try write(file)
    }

    /// Forget `registry`; returns false when nothing was stored for it.
    @discardableResult
    public func remove(for registry: String) throws(LighterError) -> Bool {
        guard var file = try read(options.authFile), var auths = file.auths else { return false }
        var removed = false
        for key in keys(for: registry) where auths.removeValue(forKey: key) != nil { removed = true }
        guard removed else { return false }
        file.auths = auths
        try write(file)
        return true
    }

    private func keys(for registry: String) -> [String] {
        var keys = [RegistryHost.credentialKey(for: registry), registry, "https://\(registry)", "http://\(registry)"]
        if registry == "docker.io" { keys += ["index.docker.io", "registry-1.docker.io"] }
        return keys
    }

    private func read(_ path: String) throws(LighterError) -> File? {
        guard FileSystem.exists(path) else { return nil }
        return try JSON.decode(File.self, from: try FileSystem.readFile(path), what: "credentials file \(path)")
    }

    private func write(_ file: File) throws(LighterError) {
        try FileSystem.makeDirectories(FileSystem.dirname(of: options.authFile), mode: 0o700)
        try FileSystem.writeDurably(try JSON.encode(file, pretty: true), to: options.authFile, mode: 0o600)
        try syscall("chmod", options.authFile) { chmod(options.authFile, 0o600) }
    }
}
