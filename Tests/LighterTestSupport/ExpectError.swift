import LighterSystem
import Testing

/// The cases of `LighterError`, by name: what a test expects a call to throw.
public enum LighterErrorCase: String, Sendable {
    case system, invalidArgument, invalidReference, invalidDigest, digestMismatch, sizeMismatch, notFound, conflict,
         unsafeArchive, malformed, limitExceeded, database, unsupported, containerStart, registry, buildFailed
}

extension LighterError {
    /// The name of this error's case (`notFound` for `.notFound(kind:name:)`).
    public var caseName: String { Mirror(reflecting: self).children.first?.label ?? "\(self)" }
}

/// Expects `body` to throw a `LighterError` of case `expected` (any payload), and returns that error
/// for checks of its payload. A different case, another error type or no error fails the test.
@discardableResult
public func expectError<R>(_ expected: LighterErrorCase, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                           performing body: () throws -> R) -> LighterError? {
    let error = #expect(throws: LighterError.self, comment, sourceLocation: sourceLocation, performing: body)
    if let error {
        #expect(error.caseName == expected.rawValue, "expected LighterError.\(expected.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
    return error
}
