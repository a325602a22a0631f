import LighterSystem

/// An image reference: `[registry[:port]/]path[:tag][@sha256:…]`, with Docker's defaults
/// (registry `docker.io`, `library/` for one-component names on it, tag `latest`).
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    public static let defaultRegistry = "docker.io"

    public var registry: String
    public var repository: String
    public var tag: String?
    public var digest: Digest?

    public init(parsing input: String) throws(LighterError) {
        var rest = Substring(input)
        guard !rest.isEmpty else { throw .invalidReference("empty reference") }
        if let at = rest.firstIndex(of: "@") {
            digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        // A tag is after the last ':' that comes after the last '/'.
        let lastSlash = rest.lastIndex(of: "/")
        if let colon = rest.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            let tag = String(rest[rest.index(after: colon)...])
            guard Reference.isValidTag(tag) else {
                throw .invalidReference("\(input): tag \"\(tag)\" must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
            }
            self.tag = tag
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if components.count > 1, Reference.looksLikeRegistry(components[0]) {
            registry = components.removeFirst()
        } else {
            registry = Reference.defaultRegistry
        }
        if registry == "index.docker.io" { registry = Reference.defaultRegistry }
        guard !components.isEmpty, components.allSatisfy(Reference.isValidPathComponent) else {
            throw .invalidReference("\(input): repository name must be lowercase letters, digits and separators (. _ __ -)")
        }
        if registry == Reference.defaultRegistry && components.count == 1 {
            components.insert("library", at: 0)
        }
        repository = components.joined(separator: "/")
        // Docker counts the normalized name (`docker.io/library/NAME`), as distribution's reference package.
        guard registry.utf8.count + 1 + repository.utf8.count <= Reference.nameTotalLengthMax else {
            throw .invalidReference("repository name must not be more than \(Reference.nameTotalLengthMax) characters")
        }
        if tag == nil && digest == nil { tag = "latest" }
    }

    public init(registry: String, repository: String, tag: String?, digest: Digest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// The longest name (registry/repository) Docker accepts.
    public static let nameTotalLengthMax = 255

    static func looksLikeRegistry(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
            || component.contains(where: { $0.isUppercase })
    }

    static func isValidTag(_ tag: String) -> Bool {
        guard let first = tag.unicodeScalars.first, tag.unicodeScalars.count <= 128 else { return false }
        func word(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_") }
        return word(first) && tag.unicodeScalars.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    static func isValidPathComponent(_ component: String) -> Bool {
        // [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
        let scalars = Array(component.unicodeScalars)
        guard !scalars.isEmpty else { return false }
        func alnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
        guard alnum(scalars.first!), alnum(scalars.last!) else { return false }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if alnum(c) { i += 1; continue }
            var j = i
            while j < scalars.count && !alnum(scalars[j]) { j += 1 }
            let separator = String(String.UnicodeScalarView(scalars[i..<j]))
            let ok = separator == "." || separator == "_" || separator == "__" || separator.allSatisfy { $0 == "-" }
            if !ok { return false }
            i = j
        }
        return true
    }

    /// Fully qualified: `docker.io/library/busybox:latest`.
    public var description: String {
        var s = "\(registry)/\(repository)"
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// The short form Docker shows: `busybox:latest`, `example.com/app:1`.
    public var familiar: String {
        var s = familiarName
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// Repository without tag in Docker's short form: `busybox`, `user/app`, `example.com/app`.
    public var familiarName: String {
        if registry == Reference.defaultRegistry {
            return repository.hasPrefix("library/") ? String(repository.dropFirst("library/".count)) : repository
        }
        return "\(registry)/\(repository)"
    }
}
