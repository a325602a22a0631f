import LighterSystem
import LighterTemplate
import Testing

/// Inputs the fuzzer (scripts/fuzz, target `template`) crashed the parser with.
@Suite struct TemplateFuzzRegressionTests {
    /// An error inside `block` (or `define`) nested in range/if/with left the parser's variables at
    /// ["$"]; the enclosing clause then trimmed them by a negative count as it unwound (a trap).
    @Test(arguments: [
        #"{{range $i, $e := .A}}{{if 1}}{{block "B" .}}{{$i}}{{end}}{{end}}{{end}}"#,
        #"{{with $x := .A}}{{if 1}}{{block "B" .}}{{$x}}{{end}}{{end}}{{end}}"#,
        #"{{$v := 1}}{{if 1}}{{block "B" .}}{{.X | nosuchfunction}}{{end}}{{end}}"#,
    ])
    func errorInsideBlockWithinAClauseIsAnError(text: String) {
        #expect(throws: LighterError.self) { _ = try Template(text) }
    }

    /// The variables are back after a block that parsed: `$i` is defined again after it.
    @Test func variablesAfterABlock() throws {
        let template = try Template(#"{{range $i, $e := .A}}{{block "B" .}}-{{end}}{{$i}}{{end}}"#)
        #expect(try template.execute(TemplateValue(jsonText: Array(#"{"A":["x","y"]}"#.utf8))) == "-0-1")
    }
}
