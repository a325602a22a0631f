/// A usage error a command finds itself (in `validate()` or `run()`): the CLI prints it with a
/// pointer to the command's help and exits with 125, as Docker's CLI does for usage errors.
public struct ValidationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Ends the command with this exit status and nothing printed.
public struct ExitCode: Error, RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ code: Int32) { self.rawValue = code }

    public static let success = ExitCode(0)
    public static let failure = ExitCode(1)
    public static let validationFailure = ExitCode(64)
    public var isSuccess: Bool { rawValue == 0 }
}

/// Ends the command successfully: with its help, or with a message on standard output.
public struct CleanExit: Error, CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        case help(any ParsableCommand.Type)
        case message(String)
    }
    let kind: Kind
    public static func helpRequest(_ type: any ParsableCommand.Type) -> CleanExit { CleanExit(kind: .help(type)) }
    public static func helpRequest(_ command: any ParsableCommand) -> CleanExit { CleanExit(kind: .help(type(of: command))) }
    public static func message(_ text: String) -> CleanExit { CleanExit(kind: .message(text)) }
    public var description: String {
        switch kind {
        case let .help(type): return HelpText.render(path: [type])
        case let .message(text): return text
        }
    }
}

/// What went wrong parsing, with the command path it happened in (for the help and usage it names).
struct CommandError: Error {
    enum Failure {
        case helpRequested
        case versionRequested(String)
        /// Docker's text of the usage error; `showUsage` adds the usage line and the abstract (argument counts).
        case usage(String, showUsage: Bool)
        case validation(String)
    }
    var path: [any ParsableCommand.Type]
    var failure: Failure
}
