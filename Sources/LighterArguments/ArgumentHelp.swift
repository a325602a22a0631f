/// The help of one option, flag or argument: a text, the placeholder of its value, whether it shows.
public struct ArgumentHelp: ExpressibleByStringInterpolation, Sendable {
    public var abstract: String
    public var discussion: String
    public var valueName: String?
    public var visibility: ArgumentVisibility

    public init(_ abstract: String = "", discussion: String = "", valueName: String? = nil, visibility: ArgumentVisibility = .default) {
        self.abstract = abstract
        self.discussion = discussion
        self.valueName = valueName
        self.visibility = visibility
    }

    public init(stringLiteral value: String) { self.init(value) }

    public static var hidden: ArgumentHelp { ArgumentHelp(visibility: .hidden) }
    public static var `private`: ArgumentHelp { ArgumentHelp(visibility: .private) }
}

/// Whether help shows an option: `.hidden` and `.private` ones are parsed but not listed.
public struct ArgumentVisibility: Sendable, Equatable {
    enum Level: Sendable { case shown, hidden, privateOnly }
    let level: Level
    public static let `default` = ArgumentVisibility(level: .shown)
    public static let hidden = ArgumentVisibility(level: .hidden)
    public static let `private` = ArgumentVisibility(level: .privateOnly)
}

/// How a single-value option takes its value. Docker's parser takes the next word whatever it
/// looks like (`--cpu-quota -1`), so every strategy does.
public enum SingleValueParsingStrategy: Sendable {
    case next, unconditional, scanningForValue
}

/// How an array option takes its values: one per occurrence (`-e A -e B`), or every word up to the next option.
public enum ArrayParsingStrategy: Sendable {
    case singleValue, unconditionalSingleValue, upToNextOption, remaining
}

/// How an array argument takes its words.
public enum ArgumentArrayParsingStrategy: Sendable {
    /// Every positional word left (options may come between them).
    case remaining
    /// Options end at the command's first positional word: the rest, options included, is this
    /// argument's (`exec CONTAINER COMMAND -x`), as Docker's CLI reads exec/run.
    case captureForPassthrough
    /// Every word the command does not know, options included; no unknown-option errors.
    case allUnrecognized
    /// Every word after this argument's first one, unconditionally (the same as captureForPassthrough here).
    case unconditionalRemaining
}

/// The negative spelling of a Bool flag: `--no-human` for `--human`.
public enum FlagInversion: Sendable {
    case prefixedNo, prefixedEnableDisable
}

/// Accepted for source compatibility: Lighter's flags are plain Bools.
public enum FlagExclusivity: Sendable {
    case exclusive, chooseFirst, chooseLast
}
