import LighterSystem
import LighterTestSupport
import Testing

/// The helper the suites use in place of `#expect(throws: LighterError.self)`: it must fail on
/// another case, another error type and no error.
@Suite struct ExpectErrorTests {
    struct Other: Error {}

    @Test func theExpectedCasePassesAndHandsTheErrorBack() {
        let error = expectError(.notFound) { () throws -> Void in throw LighterError.notFound(kind: "image", name: "x") }
        #expect(error == .notFound(kind: "image", name: "x"))
        #expect(LighterError.system(call: "open", path: nil, errno: 2).caseName == "system")
    }

    @Test func anotherCaseFails() {
        withKnownIssue { expectError(.notFound) { () throws -> Void in throw LighterError.conflict("in use") } }
    }

    @Test func anotherErrorTypeFails() {
        withKnownIssue { expectError(.notFound) { () throws -> Void in throw Other() } }
    }

    @Test func noErrorFails() {
        withKnownIssue { expectError(.notFound) { () throws -> Void in } }
    }
}
