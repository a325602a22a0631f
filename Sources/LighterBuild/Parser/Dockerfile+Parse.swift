import LighterSystem

extension Dockerfile {
    /// Every instruction Docker's frontend knows, with the flags each accepts.
    static let flagsByInstruction: [String: Set<String>] = [
        "ADD": ["chown", "chmod", "link", "checksum", "keep-git-dir", "exclude", "unpack"],
        "ARG": [], "CMD": [],
        "COPY": ["from", "chown", "chmod", "link", "parents", "exclude"],
        "ENTRYPOINT": [], "ENV": [], "EXPOSE": [],
        "FROM": ["platform"],
        "HEALTHCHECK": ["interval", "timeout", "start-period", "start-interval", "retries"],
        "LABEL": [], "MAINTAINER": [], "ONBUILD": [],
        "RUN": ["mount", "network", "security"],
        "SHELL": [], "STOPSIGNAL": [], "USER": [], "VOLUME": [], "WORKDIR": [],
    ]
    /// Instructions whose arguments may be a JSON array.
    static let jsonCapable: Set<String> = ["ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"]
    /// Instructions that may carry here-documents.
    static let heredocCapable: Set<String> = ["ADD", "COPY", "RUN"]
    /// Instructions that may stand without arguments.
    static let argumentsOptional: Set<String> = ["HEALTHCHECK"]

    /// Parse a Dockerfile as Docker's frontend does: directives at the top, comments, continuations
    /// (the escape character at a line's end), instructions in any case, `--flags`, JSON and shell
    /// forms, here-documents. `name` is what errors call the file. Pure: no I/O.
    public init(parsing text: String, name: String = "Dockerfile") throws(LighterError) {
        self.init(name: name)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
        var index = try parseDirectives(lines)
        while index < lines.count {
            let start = index
            let trimmed = lines[index].drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                index += 1
                continue
            }
            var logical = ""
            while index < lines.count {
                let line = lines[index]
                index += 1
                let content = line.drop { $0 == " " || $0 == "\t" }
                if index - 1 != start {
                    // Comment and empty lines inside a continued instruction are skipped.
                    if content.hasPrefix("#") || content.isEmpty { continue }
                }
                if let joined = continued(line) {
                    logical += joined
                    continue
                }
                logical += line
                break
            }
            var instruction = try parseInstruction(logical, line: start + 1, nested: false)
            if Self.heredocCapable.contains(instruction.keyword), case let .shell(text) = instruction.arguments {
                for marker in Self.heredocMarkers(in: text) {
                    var body = ""
                    var closed = false
                    while index < lines.count {
                        var line = lines[index]
                        index += 1
                        if marker.stripsTabs { line = line.drop { $0 == "\t" } }
                        if line == marker.name {
                            closed = true
                            break
                        }
                        body += line + "\n"
                    }
                    guard closed else {
                        throw SourcePosition(file: name, line: start + 1, column: 1)
                            .error("here-document <<\(marker.name) is not closed: no line \"\(marker.name)\" ends it")
                    }
                    instruction.heredocs.append(Heredoc(name: marker.name, body: body, expands: marker.expands, stripsTabs: marker.stripsTabs))
                }
            }
            instructions.append(instruction)
        }
    }

    /// `# name=value` lines at the very top; the first other line ends them. An unknown name is a
    /// comment (and ends them, as in Docker).
    private mutating func parseDirectives(_ lines: [Substring]) throws(LighterError) -> Int {
        var seen: Set<String> = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard line.hasPrefix("#") else { break }
            let body = line.dropFirst().drop { $0 == " " || $0 == "\t" }
            guard let equals = body.firstIndex(of: "=") else { break }
            let key = body[..<equals].trimmingCharacters(in: " \t").lowercased()
            let value = body[body.index(after: equals)...].trimmingCharacters(in: " \t")
            guard ["escape", "syntax", "check"].contains(key), !key.contains(" ") else { break }
            let position = SourcePosition(file: name, line: index + 1, column: 1)
            guard seen.insert(key).inserted else { throw position.error("the \(key) directive is given twice") }
            switch key {
            case "escape":
                guard value == "\\" || value == "`" else {
                    throw position.error("invalid escape directive \"\(value)\": it must be ` or \\")
                }
                escape = value.first!
            case "syntax": syntax = value
            default: check = value
            }
            index += 1
        }
        return index
    }

    /// The line without its continuation escape, or nil when it does not continue.
    private func continued(_ line: Substring) -> Substring? {
        var end = line.endIndex
        while end > line.startIndex, [" ", "\t"].contains(line[line.index(before: end)]) { end = line.index(before: end) }
        guard end > line.startIndex, line[line.index(before: end)] == escape else { return nil }
        return line[..<line.index(before: end)]
    }

    func parseInstruction(_ logical: String, line: Int, nested: Bool) throws(LighterError) -> Instruction {
        let indent = logical.prefix { $0 == " " || $0 == "\t" }.count
        let body = logical.dropFirst(indent)
        let word = body.prefix { $0 != " " && $0 != "\t" }
        let keyword = word.uppercased()
        let position = SourcePosition(file: name, line: line, column: indent + 1)
        guard let allowed = Self.flagsByInstruction[keyword] else {
            throw position.error("unknown instruction \"\(word)\"")
        }
        var rest = body.dropFirst(word.count).drop { $0 == " " || $0 == "\t" }
        var flags: [InstructionFlag] = []
        while rest.hasPrefix("--") {
            let column = logical.distance(from: logical.startIndex, to: rest.startIndex) + 1
            let token = rest.prefix { $0 != " " && $0 != "\t" }
            rest = rest.dropFirst(token.count).drop { $0 == " " || $0 == "\t" }
            let text = token.dropFirst(2)
            let flagName = String(text.prefix { $0 != "=" })
            let value = text.contains("=") ? String(text.drop { $0 != "=" }.dropFirst()) : nil
            guard !flagName.isEmpty else {
                throw SourcePosition(file: name, line: line, column: column).error("\(keyword) has an empty flag \"\(token)\"")
            }
            guard allowed.contains(flagName) else {
                throw SourcePosition(file: name, line: line, column: column).error("unknown flag --\(flagName) for \(keyword)")
            }
            flags.append(InstructionFlag(name: flagName, value: value.map(Self.unquoted)))
        }
        let arguments = String(rest.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
        guard !arguments.isEmpty || Self.argumentsOptional.contains(keyword) else {
            throw position.error("\(keyword) requires at least one argument")
        }
        var instruction = Instruction(keyword: keyword, flags: flags, arguments: .shell(arguments), line: line,
                                      original: String(body.reversed().drop { $0 == " " || $0 == "\t" }.reversed()))
        if Self.jsonCapable.contains(keyword), arguments.hasPrefix("["), let words = Self.jsonStrings(arguments) {
            instruction.arguments = .json(words)
        }
        switch keyword {
        case "SHELL":
            guard case let .json(words) = instruction.arguments, !words.isEmpty else {
                throw position.error("SHELL requires the arguments in JSON form, such as [\"/bin/sh\", \"-c\"]")
            }
        case "ONBUILD":
            guard !nested else { throw position.error("ONBUILD cannot be nested in ONBUILD") }
            let inner = try parseInstruction(arguments, line: line, nested: true)
            guard !["ONBUILD", "FROM", "MAINTAINER"].contains(inner.keyword) else {
                throw position.error("\(inner.keyword) is not allowed as an ONBUILD trigger")
            }
            instruction.onbuild = [inner]
        default: break
        }
        return instruction
    }

    static func unquoted(_ value: String) -> String {
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    /// A JSON array of strings, or nil (then the text is the shell form, as Docker reads it).
    static func jsonStrings(_ text: String) -> [String]? {
        guard case let .array(items)? = try? JSONNode.parse(Array(text.utf8), what: "exec form") else { return nil }
        var words: [String] = []
        for item in items {
            guard case let .string(word) = item else { return nil }
            words.append(word)
        }
        return words
    }

    struct HeredocMarker {
        var name: String
        var expands: Bool
        var stripsTabs: Bool
    }

    /// The `<<WORD`, `<<-WORD`, `<<"WORD"`, `<<'WORD'` markers in a shell-form line, in order
    /// (`<<<` here-strings are not here-documents).
    static func heredocMarkers(in text: String) -> [HeredocMarker] {
        let chars = Array(text)
        var markers: [HeredocMarker] = []
        var i = 0
        var quote: Character?
        while i < chars.count {
            let c = chars[i]
            if let open = quote {
                if c == open { quote = nil }
                i += 1
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
                i += 1
                continue
            }
            guard c == "<", i + 1 < chars.count, chars[i + 1] == "<", i + 2 >= chars.count || chars[i + 2] != "<",
                  i == 0 || chars[i - 1] != "<" else {
                i += 1
                continue
            }
            var j = i + 2
            let strips = j < chars.count && chars[j] == "-"
            if strips { j += 1 }
            var expands = true
            var word = ""
            if j < chars.count, chars[j] == "\"" || chars[j] == "'" {
                let closing = chars[j]
                expands = false
                j += 1
                while j < chars.count, chars[j] != closing {
                    word.append(chars[j])
                    j += 1
                }
                j += 1
            } else {
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "-" || chars[j] == "." {
                    word.append(chars[j])
                    j += 1
                }
            }
            if !word.isEmpty { markers.append(HeredocMarker(name: word, expands: expands, stripsTabs: strips)) }
            i = max(j, i + 2)
        }
        return markers
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(self.drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}
