#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `.dockerignore` with Docker's rules: one pattern a line, `#` comments, paths cleaned and taken
/// relative to the context (a leading `/` means the same), Go's `filepath.Match` per path element
/// plus `**` for any number of elements, `!` for exceptions; the last pattern that matches a path
/// (or one of its parent directories) decides.
public struct DockerIgnore: Sendable {
    struct Pattern: Sendable {
        var elements: [String]
        var exclusion: Bool
    }
    var patterns: [Pattern] = []

    public init(_ text: String) {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.hasPrefix("#") { continue }
            line = line.trimmingBlanks
            if line.isEmpty { continue }
            var exclusion = false
            if line.hasPrefix("!") {
                exclusion = true
                line = String(line.dropFirst()).trimmingBlanks
            }
            let elements = Self.clean(line)
            if elements.isEmpty { continue }
            patterns.append(Pattern(elements: elements, exclusion: exclusion))
        }
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether a directory may be skipped whole: it is excluded and no `!` pattern could bring back
    /// something inside it (with exceptions, Docker walks excluded directories too).
    public func skipsDirectory(_ path: String) -> Bool {
        excludes(path) && !patterns.contains(where: \.exclusion)
    }

    /// Path elements with ".", "" and leading "/" removed and ".." applied.
    static func clean(_ path: String) -> [String] {
        var out: [String] = []
        for element in path.split(separator: "/") {
            if element == "." { continue }
            if element == ".." {
                if !out.isEmpty { out.removeLast() }
                continue
            }
            out.append(String(element))
        }
        return out
    }

    /// Whether the context-relative `path` is left out of the context.
    public func excludes(_ path: String) -> Bool {
        let elements = Self.clean(path)
        var excluded = false
        for pattern in patterns {
            // The path or any parent directory of it.
            var matched = false
            for length in stride(from: elements.count, through: 1, by: -1) {
                if Self.match(pattern.elements[...], elements[0..<length]) {
                    matched = true
                    break
                }
            }
            if matched { excluded = !pattern.exclusion }
        }
        return excluded
    }

    /// True when `pattern` matches every element of `path`.
    static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            var rest = path
            while true {
                if match(pattern.dropFirst(), rest) { return true }
                if rest.isEmpty { return false }
                rest = rest.dropFirst()
            }
        }
        guard let element = path.first, fnmatch(first, element, 0) == 0 else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }
}

extension String {
    var trimmingBlanks: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
