import LighterSystem

/// One finding of `build --check`: a rule of Docker's build checks, what it says, and where.
public struct BuildCheckWarning: Sendable, Equatable {
    public var rule: String
    public var detail: String
    /// 1-based line of the instruction.
    public var line: Int

    /// Docker's page for the rule: `https://docs.docker.com/go/dockerfile/rule/json-args-recommended/`.
    public var url: String {
        var kebab = ""
        let characters = Array(rule)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let previous = index > 0 ? characters[index - 1] : nil
            // A word starts at an upper-case letter after a lower-case one, or before one ("JSONArgs").
            if character.isUppercase, index > 0,
               previous?.isLowercase == true || (next?.isLowercase == true && previous?.isUppercase == true) {
                kebab += "-"
            }
            kebab += character.lowercased()
        }
        return "https://docs.docker.com/go/dockerfile/rule/\(kebab)/"
    }
}

/// Docker's build checks (BuildKit's Dockerfile linter, `docker build --check`) over a parsed file:
/// pure, nothing is built or fetched. `# check=skip=Rule,Rule` (or `skip=all`) turns rules off.
extension Dockerfile {
    /// The arguments BuildKit defines for FROM without an ARG.
    static let predefinedPlatformArgs: Set<String> = [
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    ]

    public func checks() throws(LighterError) -> [BuildCheckWarning] {
        let (metaArgs, stages) = try self.stages()
        var warnings: [BuildCheckWarning] = []
        func warn(_ rule: String, _ detail: String, _ line: Int) { warnings.append(BuildCheckWarning(rule: rule, detail: detail, line: line)) }

        // Instruction casing: the majority's, over every keyword as written.
        let all = instructions + instructions.flatMap(\.onbuild)
        let written = all.map { String($0.original.prefix { !$0.isWhitespace }) }
        let upper = written.filter { $0 == $0.uppercased() }.count
        let lower = written.filter { $0 == $0.lowercased() }.count
        for (instruction, word) in zip(all, written) where upper != lower {
            let majority = upper > lower ? "uppercase" : "lowercase"
            if upper > lower ? word != word.uppercased() : word != word.lowercased() {
                warn("ConsistentInstructionCasing", "Command '\(word)' should match the case of the command majority (\(majority))", instruction.line)
            }
        }

        let declared = Set(metaArgs.compactMap { Self.argName($0.text) }).union(Self.predefinedPlatformArgs)
        for instruction in metaArgs { secretCheck(instruction, &warnings) }
        for stage in stages {
            let words = stage.from.original.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            // FROM [--platform=…] image [AS name]: the AS keyword and the name as written.
            if let asIndex = words.firstIndex(where: { $0.lowercased() == "as" }), asIndex + 1 < words.count {
                let from = words[0], keyword = words[asIndex], name = words[asIndex + 1]
                if (from == from.uppercased()) != (keyword == keyword.uppercased()) {
                    warn("FromAsCasing", "'\(keyword)' and '\(from)' keywords' casing do not match", stage.from.line)
                }
                if name != name.lowercased() {
                    warn("StageNameCasing", "Stage name '\(name)' should be lowercase", stage.from.line)
                }
                if ["scratch", "context"].contains(name.lowercased()) {
                    warn("ReservedStageName", "Stage name should not use the same name as reserved stage \"\(name.lowercased())\"", stage.from.line)
                }
            }
            for variable in Self.variables(in: stage.from.text) where !declared.contains(variable) {
                warn("UndefinedArgInFrom", "FROM argument '\(variable)' is not declared", stage.from.line)
            }
            var counts: [String: [Int]] = [:]
            var absoluteWorkdir = false
            for instruction in stage.instructions {
                switch instruction.keyword {
                case "CMD", "ENTRYPOINT":
                    counts[instruction.keyword, default: []].append(instruction.line)
                    if case .shell = instruction.arguments {
                        warn("JSONArgsRecommended", "JSON arguments recommended for \(instruction.keyword) to prevent unintended behavior related to OS signals", instruction.line)
                    }
                case "HEALTHCHECK":
                    counts[instruction.keyword, default: []].append(instruction.line)
                case "MAINTAINER":
                    warn("MaintainerDeprecated", "Maintainer instruction is deprecated in favor of using label", instruction.line)
                case "WORKDIR":
                    if instruction.text.hasPrefix("/") || instruction.text.hasPrefix("$") {
                        absoluteWorkdir = true
                    } else if !absoluteWorkdir {
                        warn("WorkdirRelativePath", "Relative workdir \"\(instruction.text)\" can have unexpected results if the base image changes", instruction.line)
                    }
                case "ENV", "LABEL":
                    if case let .shell(text) = instruction.arguments, let first = text.split(separator: " ").first, !first.contains("=") {
                        warn("LegacyKeyValueFormat", "\"\(instruction.keyword) key=value\" should be used instead of legacy \"\(instruction.keyword) key value\" format", instruction.line)
                    }
                    if instruction.keyword == "ENV" { secretCheck(instruction, &warnings) }
                case "ARG":
                    secretCheck(instruction, &warnings)
                default:
                    break
                }
            }
            for keyword in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
                for line in (counts[keyword] ?? []).dropLast() {
                    warn("MultipleInstructionsDisallowed", "Multiple \(keyword) instructions should not be used in the same stage because only the last one will be used", line)
                }
            }
        }
        let skipped = skippedRules
        return warnings.filter { !skipped.contains($0.rule) && !skipped.contains("all") }.sorted { ($0.line, $0.rule) < ($1.line, $1.rule) }
    }

    /// `# check=skip=A,B;error=true`: the rules turned off.
    var skippedRules: Set<String> {
        guard let check else { return [] }
        var skipped: Set<String> = []
        for part in check.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
            if pair.count == 2, pair[0] == "skip" { skipped.formUnion(pair[1].split(separator: ",").map { String($0).trimmed }) }
        }
        return skipped
    }

    /// `# check=error=true`: warnings fail the build.
    public var checkWarningsAreErrors: Bool {
        guard let check else { return false }
        return check.split(separator: ";").contains { $0.replacing(" ", with: "") == "error=true" }
    }

    /// ARG or ENV names that look like secrets, as BuildKit's SecretsUsedInArgOrEnv matches them: a
    /// word (split at `_`) that is a secret's name.
    private func secretCheck(_ instruction: Instruction, _ warnings: inout [BuildCheckWarning]) {
        let names: [String]
        if instruction.keyword == "ARG" {
            names = Self.argName(instruction.text).map { [$0] } ?? []
        } else {
            names = Self.envNames(instruction)
        }
        let secretWords: Set<String> = ["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"]
        for name in names {
            let words = name.lowercased().split(separator: "_").map(String.init)
            guard words.contains(where: { secretWords.contains($0) }), !words.contains("public") else { continue }
            warnings.append(BuildCheckWarning(rule: "SecretsUsedInArgOrEnv",
                                              detail: "Do not use ARG or ENV instructions for sensitive data (\(instruction.keyword) \"\(name)\")",
                                              line: instruction.line))
        }
    }

    static func argName(_ text: String) -> String? {
        guard let word = text.split(separator: " ").first else { return nil }
        return String(word.prefix { $0 != "=" })
    }

    static func envNames(_ instruction: Instruction) -> [String] {
        guard case let .shell(text) = instruction.arguments else { return [] }
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first else { return [] }
        if !first.contains("=") { return [first] }
        return words.filter { $0.contains("=") }.map { String($0.prefix { $0 != "=" }) }
    }

    /// `$NAME` and `${NAME…}` references in a line.
    static func variables(in text: String) -> [String] {
        var names: [String] = []
        var index = text.startIndex
        while let dollar = text[index...].firstIndex(of: "$") {
            var cursor = text.index(after: dollar)
            if cursor < text.endIndex, text[cursor] == "{" { cursor = text.index(after: cursor) }
            let name = text[cursor...].prefix { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
            if !name.isEmpty, !names.contains(String(name)) { names.append(String(name)) }
            index = name.isEmpty ? cursor : name.endIndex
            if index >= text.endIndex { break }
        }
        return names
    }
}
