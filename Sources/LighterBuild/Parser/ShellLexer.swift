#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// Docker's word processing for the instructions that substitute variables (ENV, COPY, WORKDIR …):
/// quotes ('…' literal, "…" with `$` expanded), the escape character, and `$VAR`, `${VAR}`,
/// `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?message}`, `${VAR?message}`,
/// `${VAR#glob}`, `${VAR##glob}`, `${VAR%glob}`, `${VAR%%glob}`, `${VAR/glob/text}`, `${VAR//glob/text}`.
public struct ShellLexer: Sendable {
    public var escape: Character
    public init(escape: Character = "\\") { self.escape = escape }

    /// One word: quotes removed, variables substituted (ENV and LABEL values, WORKDIR, USER …).
    public func word(_ text: String, environment: [String: String]) throws(LighterError) -> String {
        var state = State(chars: Array(text), environment: environment, escape: escape)
        return try state.process(splitting: false).joined
    }

    /// Words split at unquoted blanks (also inside unquoted substituted values), as for COPY's
    /// sources, EXPOSE, VOLUME and ENV's `k=v k2=v2` form.
    public func words(_ text: String, environment: [String: String]) throws(LighterError) -> [String] {
        var state = State(chars: Array(text), environment: environment, escape: escape)
        return try state.process(splitting: true).words
    }

    /// A here-document's body: `$` substitutions (and the escape character before `$` or itself)
    /// only; quotes and line breaks stay as written.
    public func expandVariables(_ text: String, environment: [String: String]) throws(LighterError) -> String {
        var state = State(chars: Array(text), environment: environment, escape: escape)
        var out = ""
        while state.i < state.chars.count {
            let c = state.chars[state.i]
            if c == "$" {
                out += try state.dollar()
            } else if c == escape, state.i + 1 < state.chars.count, state.chars[state.i + 1] == "$" || state.chars[state.i + 1] == escape {
                out.append(state.chars[state.i + 1])
                state.i += 2
            } else {
                out.append(c)
                state.i += 1
            }
        }
        return out
    }

    struct Words {
        var words: [String] = []
        var current = ""
        var inWord = false
        var joined = ""

        mutating func raw(_ c: Character) {
            current.append(c)
            joined.append(c)
            inWord = true
        }
        mutating func raw(_ s: String) {
            current += s
            joined += s
            inWord = true
        }
        /// Characters of an unquoted expansion: blanks split words.
        mutating func split(_ s: String) {
            for c in s {
                if c == " " || c == "\t" || c == "\n" {
                    joined.append(c)
                    end()
                } else {
                    raw(c)
                }
            }
        }
        mutating func end() {
            if inWord { words.append(current) }
            current = ""
            inWord = false
        }
        /// A quoted empty string is still a word.
        mutating func markWord() { inWord = true }
    }

    struct State {
        let chars: [Character]
        let environment: [String: String]
        let escape: Character
        var i = 0

        init(chars: [Character], environment: [String: String], escape: Character) {
            self.chars = chars
            self.environment = environment
            self.escape = escape
        }

        func error(_ message: String) -> LighterError {
            .invalidArgument("\(message) in \"\(String(chars))\"")
        }

        mutating func process(splitting: Bool, stop: Character? = nil) throws(LighterError) -> Words {
            var out = Words()
            while i < chars.count {
                let c = chars[i]
                if let stop, c == stop { break }
                switch c {
                case "'":
                    i += 1
                    out.markWord()
                    while i < chars.count, chars[i] != "'" {
                        out.raw(chars[i])
                        i += 1
                    }
                    guard i < chars.count else { throw error("unexpected end of text: a ' is not closed") }
                    i += 1
                case "\"":
                    i += 1
                    out.markWord()
                    try doubleQuoted(into: &out)
                case "$":
                    let value = try dollar()
                    if splitting { out.split(value) } else { out.raw(value) }
                case escape:
                    i += 1
                    if i < chars.count {
                        out.raw(chars[i])
                        i += 1
                    } else {
                        out.raw(escape)
                    }
                case " " where splitting, "\t" where splitting, "\n" where splitting:
                    out.joined.append(c)
                    out.end()
                    i += 1
                default:
                    out.raw(c)
                    i += 1
                }
            }
            out.end()
            return out
        }

        mutating func doubleQuoted(into out: inout Words) throws(LighterError) {
            while i < chars.count {
                let c = chars[i]
                if c == "\"" {
                    i += 1
                    return
                }
                if c == "$" {
                    out.raw(try dollar())
                    continue
                }
                if c == escape, i + 1 < chars.count, ["\"", "$", escape].contains(chars[i + 1]) {
                    out.raw(chars[i + 1])
                    i += 2
                    continue
                }
                out.raw(c)
                i += 1
            }
            throw error("unexpected end of text: a \" is not closed")
        }

        static func isNameCharacter(_ c: Character) -> Bool {
            c == "_" || (c.isASCII && (c.isLetter || c.isNumber))
        }

        /// At a `$`: the substituted value (a lone `$` stays itself).
        mutating func dollar() throws(LighterError) -> String {
            i += 1
            guard i < chars.count else { return "$" }
            if chars[i] != "{" {
                var name = ""
                while i < chars.count, Self.isNameCharacter(chars[i]) {
                    name.append(chars[i])
                    i += 1
                }
                return name.isEmpty ? "$" : (environment[name] ?? "")
            }
            i += 1
            var name = ""
            while i < chars.count, Self.isNameCharacter(chars[i]) {
                name.append(chars[i])
                i += 1
            }
            guard !name.isEmpty else { throw error("bad substitution: ${ needs a variable name") }
            guard i < chars.count else { throw error("bad substitution: ${\(name) is not closed") }
            let value = environment[name]
            if chars[i] == "}" {
                i += 1
                return value ?? ""
            }
            var modifier = String(chars[i])
            i += 1
            if modifier == ":" {
                guard i < chars.count else { throw error("bad substitution: ${\(name): is not closed") }
                modifier.append(chars[i])
                i += 1
            } else if (modifier == "#" || modifier == "%" || modifier == "/"), i < chars.count, chars[i] == Character(modifier) {
                modifier.append(chars[i])
                i += 1
            }
            switch modifier {
            case ":-", "-", ":+", "+", ":?", "?":
                let word = try nested(stops: ["}"]).text
                let isSet = value != nil
                let isFull = !(value ?? "").isEmpty
                switch modifier {
                case ":-": return isFull ? value! : word
                case "-": return isSet ? value! : word
                case ":+": return isFull ? word : ""
                case "+": return isSet ? word : ""
                default:
                    let ok = modifier == ":?" ? isFull : isSet
                    if ok { return value! }
                    throw .invalidArgument("\(name): \(word.isEmpty ? "is not set" : word)")
                }
            case "#", "##", "%", "%%":
                let pattern = try nested(stops: ["}"]).text
                return Self.trim(value ?? "", pattern: pattern, fromStart: modifier.hasPrefix("#"), longest: modifier.count == 2)
            case "/", "//":
                let (pattern, terminator) = try nested(stops: ["/", "}"])
                let replacement = terminator == "/" ? try nested(stops: ["}"]).text : ""
                return Self.replace(value ?? "", pattern: pattern, with: replacement, all: modifier == "//")
            default:
                throw error("bad substitution: unsupported modifier \"\(modifier)\" for ${\(name)}")
            }
        }

        /// The word up to one of `stops` (consumed and returned), itself processed.
        mutating func nested(stops: Set<Character>) throws(LighterError) -> (text: String, terminator: Character) {
            var out = Words()
            while i < chars.count {
                let c = chars[i]
                if stops.contains(c) {
                    i += 1
                    return (out.joined, c)
                }
                switch c {
                case "'":
                    i += 1
                    while i < chars.count, chars[i] != "'" {
                        out.raw(chars[i])
                        i += 1
                    }
                    guard i < chars.count else { throw error("unexpected end of text: a ' is not closed") }
                    i += 1
                case "\"":
                    i += 1
                    try doubleQuoted(into: &out)
                case "$":
                    out.raw(try dollar())
                case escape where i + 1 < chars.count:
                    out.raw(chars[i + 1])
                    i += 2
                default:
                    out.raw(c)
                    i += 1
                }
            }
            throw error("bad substitution: ${ is not closed")
        }

        static func matches(_ text: String, _ pattern: String) -> Bool {
            fnmatch(pattern, text, 0) == 0
        }

        static func trim(_ value: String, pattern: String, fromStart: Bool, longest: Bool) -> String {
            let chars = Array(value)
            let lengths = longest ? Array((0...chars.count).reversed()) : Array(0...chars.count)
            for length in lengths {
                let part = fromStart ? String(chars[..<length]) : String(chars[(chars.count - length)...])
                if matches(part, pattern) {
                    return fromStart ? String(chars[length...]) : String(chars[..<(chars.count - length)])
                }
            }
            return value
        }

        static func replace(_ value: String, pattern: String, with replacement: String, all: Bool) -> String {
            guard !pattern.isEmpty else { return value }
            let chars = Array(value)
            var result = ""
            var start = 0
            var replaced = false
            while start < chars.count {
                var matched: Int?
                if !replaced || all {
                    for end in stride(from: chars.count, to: start, by: -1) where matches(String(chars[start..<end]), pattern) {
                        matched = end
                        break
                    }
                }
                if let end = matched {
                    result += replacement
                    start = end
                    replaced = true
                } else {
                    result.append(chars[start])
                    start += 1
                }
            }
            return result
        }
    }
}
