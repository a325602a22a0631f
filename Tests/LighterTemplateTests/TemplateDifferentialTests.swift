import LighterSystem
import LighterTemplate
import LighterTestSupport
import Testing

/// Renders every template of the corpus with Lighter and with Go's text/template (built from
/// `goRenderer` with the `go` of the host: Debian's golang-go) and compares them byte for byte:
/// the same output, or both failing with the same message.
@Suite struct TemplateDifferentialTests {
    struct Outcome: Equatable, CustomStringConvertible {
        let ok: Bool
        let text: String
        var description: String { (ok ? "ok " : "error ") + GoQuoted.quote(text) }
    }

    enum GoQuoted {
        static func quote(_ s: String) -> String {
            var out = ""
            TemplateValueText.write(s, into: &out)
            return out
        }
    }

    /// Go's outcomes for the cases, in order.
    static func goOutcomes(_ cases: [(template: String, document: String)]) throws -> [Outcome] {
        let dir = TestDirectory("lighter-template-go")
        try FileSystem.writeDurably(Array(goRenderer.utf8), to: dir.sub("main.go"))
        let environment = ["GOCACHE": dir.sub("cache"), "GOPATH": dir.sub("gopath"), "HOME": dir.path, "GOFLAGS": "", "CGO_ENABLED": "0"]
        let build = Run.capture(["/bin/sh", "-c", "cd \(dir.path) && go build -o render main.go"], environment: environment)
        try #require(build.status == 0, "go build failed (is golang-go installed? scripts/install-deps.sh): \(build.stderr)")
        var input = "["
        for (i, item) in cases.enumerated() {
            if i > 0 { input += ",\n" }
            input += "["
            TemplateValueText.write(item.template, into: &input)
            input += ","
            TemplateValueText.write(item.document, into: &input)
            input += "]"
        }
        input += "]"
        let run = Run.capture([dir.sub("render")], stdin: input, environment: environment)
        try #require(run.status == 0, "the Go renderer failed: \(run.stderr)")
        guard case let .array(results) = try JSONNode.parse(Array(run.stdout.utf8), what: "Go's results") else {
            throw LighterError.malformed(what: "Go's results", reason: "not an array")
        }
        return results.map { result in
            guard case let .object(fields) = result, case let .bool(ok)? = fields["ok"], case let .string(text)? = fields["out"] else {
                return Outcome(ok: false, text: "unreadable result")
            }
            return Outcome(ok: ok, text: text)
        }
    }

    static func lighterOutcome(_ template: String, _ document: String) -> Outcome {
        do {
            let value = try TemplateValue(jsonText: Array(document.utf8))
            return Outcome(ok: true, text: try Template(template).execute(value))
        } catch {
            if case let .invalidArgument(message) = error { return Outcome(ok: false, text: message) }
            return Outcome(ok: false, text: error.description)
        }
    }

    /// Where Lighter knowingly differs from Go, and why. The test checks that these still differ
    /// (so that a fix shows up here) and that they stay few.
    static let knownDivergences: [String: String] = [
        "{{1i}}": "complex constants: Lighter refuses them (no JSON value is complex)",
    ]

    @Test func lighterRendersAsGoDoes() throws {
        let cases = TemplateCorpus.cases
        let expected = try Self.goOutcomes(cases)
        try #require(expected.count == cases.count)
        var mismatches: [String] = []
        for (index, item) in cases.enumerated() {
            let got = Self.lighterOutcome(item.template, item.document)
            if Self.knownDivergences[item.template] != nil {
                #expect(got != expected[index], "\(item.template) now renders as Go does: drop it from knownDivergences")
                continue
            }
            if got != expected[index] {
                mismatches.append("template \(GoQuoted.quote(item.template)) over \(item.document.prefix(30))…:\n  go:      \(expected[index])\n  lighter: \(got)")
            }
        }
        // The corpus exercises execution, not only errors; the random part reaches execution too.
        let rendered = expected.filter(\.ok).count
        let grammarRendered = expected.suffix(3000).filter(\.ok).count
        #expect(cases.count >= 4800)
        #expect(rendered >= 800, "Go rendered \(rendered) of \(cases.count)")
        #expect(grammarRendered >= 300, "Go rendered \(grammarRendered) of the 3000 grammar templates")
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(cases.count) templates differ from Go:\n\(mismatches.joined(separator: "\n"))")
    }
}

/// A JSON string literal (for the Go program's input and for messages).
enum TemplateValueText {
    static func write(_ s: String, into out: inout String) {
        out += String(decoding: JSONNode.string(s).serialized(), as: UTF8.self)
    }
}
