/// One option of `run`/`create`, declared once: the parser, `--help`, the man page, the shell
/// completions and the README's table all come from `ContainerOption.table`.
struct ContainerOption: Sendable {
    /// What the option takes and where its value lands in the request.
    enum Kind: Sendable {
        /// `--rm`, `--rm=false` (Go's ParseBool values).
        case flag(WritableKeyPath<ContainerCommandLine, Bool> & Sendable)
        /// One value; given again, the last wins (as Docker's pflag).
        case text(WritableKeyPath<ContainerCommandLine, String?> & Sendable)
        /// One value with a default (shown in help).
        case required(WritableKeyPath<ContainerCommandLine, String> & Sendable)
        /// Repeatable: each value is appended.
        case list(WritableKeyPath<ContainerCommandLine, [String]> & Sendable)
        /// A number, read as Go's strconv.ParseInt does (negative numbers too: `--pids-limit -1`).
        case integer(WritableKeyPath<ContainerCommandLine, Int64?> & Sendable)
    }

    let long: String
    let short: Character?
    /// What the option takes, made when first asked for: building all 92 key paths with the table
    /// cost ~0.5 ms of CPU in every `run`/`create` (`swift_getKeyPath`); a parse needs a few.
    var kind: Kind { makeKind() }
    private let makeKind: @Sendable () -> Kind
    /// The value's name in help (Docker's: string, list, int, bytes …); empty for flags.
    let placeholder: String
    let help: String
    /// Shown as `(default …)` in help.
    var defaultValue: String? = nil
    /// `run` only (`--detach`, `--sig-proxy`, `--detach-keys`…).
    var runOnly = false
    /// Left out of help (the global `--root`).
    var hidden = false

    init(_ long: String, _ short: Character? = nil, _ kind: @autoclosure @escaping @Sendable () -> Kind, _ placeholder: String,
         _ help: String, default defaultValue: String? = nil, runOnly: Bool = false, hidden: Bool = false) {
        self.long = long
        self.short = short
        self.makeKind = kind
        self.placeholder = placeholder
        self.help = help
        self.defaultValue = defaultValue
        self.runOnly = runOnly
        self.hidden = hidden
    }

    var isFlag: Bool { if case .flag = kind { return true } else { return false } }

    /// `-c, --cpu-shares` (as Docker names a flag in its errors).
    var names: String { short.map { "-\($0), --\(long)" } ?? "--\(long)" }

    /// The options of `command` ("run" or "create").
    static func options(for command: String) -> [ContainerOption] {
        command == "run" ? table : table.filter { !$0.runOnly }
    }
}
