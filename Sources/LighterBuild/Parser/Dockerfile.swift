import LighterSystem

/// A parsed Dockerfile: its parser directives and its instructions in order, as written. Nothing is
/// expanded here; variables are substituted by the executor with the build's environment, only in
/// the instructions where Docker substitutes them (`Instruction.expandsVariables`).
public struct Dockerfile: Sendable, Equatable {
    /// The name errors use ("Dockerfile", a path, or "-" for standard input).
    public var name: String
    /// `# escape=` (backslash unless given: `` ` `` on Windows-style files).
    public var escape: Character = "\\"
    /// `# syntax=`: accepted and recorded, never fetched (Lighter's own frontend builds the file).
    public var syntax: String?
    /// `# check=`: the build checks' settings, recorded.
    public var check: String?
    public var instructions: [Instruction] = []

    public init(name: String) { self.name = name }
}

/// One instruction: its keyword (upper case), its `--flags`, its arguments and any heredocs.
public struct Instruction: Sendable, Equatable {
    public enum Arguments: Sendable, Equatable {
        /// The shell form: the rest of the line, continuations joined, as written.
        case shell(String)
        /// The exec (JSON) form: `["a", "b"]`.
        case json([String])
    }

    public var keyword: String
    public var flags: [InstructionFlag]
    public var arguments: Arguments
    /// `<<EOF` documents the arguments name, in order.
    public var heredocs: [Heredoc] = []
    /// The instruction ONBUILD carries.
    public var onbuild: [Instruction] = []
    /// 1-based line of the keyword.
    public var line: Int
    /// The instruction as written on one line (continuations joined): the history's `created_by`.
    public var original: String

    public init(keyword: String, flags: [InstructionFlag] = [], arguments: Arguments, line: Int, original: String) {
        self.keyword = keyword
        self.flags = flags
        self.arguments = arguments
        self.line = line
        self.original = original
    }

    /// The shell form's text, or the JSON form's words joined by spaces.
    public var text: String {
        switch arguments {
        case let .shell(text): return text
        case let .json(words): return words.joined(separator: " ")
        }
    }

    /// The value of `--name` (the last one given), nil when absent.
    public func flag(_ name: String) -> String? { flags.last { $0.name == name }.map { $0.value ?? "true" } }
    /// Every value of a flag that may repeat (`--mount`).
    public func flags(_ name: String) -> [String] { flags.filter { $0.name == name }.map { $0.value ?? "true" } }

    /// Docker substitutes build variables in these instructions' arguments (RUN, CMD and
    /// ENTRYPOINT leave them to the shell).
    public var expandsVariables: Bool {
        Self.expanding.contains(keyword)
    }
    static let expanding: Set<String> = ["ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"]
}

/// `--name=value` (or a bare `--name`) before an instruction's arguments.
public struct InstructionFlag: Sendable, Equatable {
    public var name: String
    public var value: String?
    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

/// A here-document: `<<EOF` (variables expanded), `<<"EOF"`/`<<'EOF'` (taken literally), `<<-EOF`
/// (leading tabs removed).
public struct Heredoc: Sendable, Equatable {
    public var name: String
    public var body: String
    public var expands: Bool
    public var stripsTabs: Bool
    public init(name: String, body: String, expands: Bool, stripsTabs: Bool) {
        self.name = name
        self.body = body
        self.expands = expands
        self.stripsTabs = stripsTabs
    }
}

/// A parse error's place: "Dockerfile:3:7".
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var description: String { "\(file):\(line):\(column)" }

    public func error(_ message: String) -> LighterError {
        .malformed(what: "Dockerfile (\(description))", reason: message)
    }
}
