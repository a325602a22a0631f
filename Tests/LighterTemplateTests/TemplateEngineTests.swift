import LighterSystem
import LighterTemplate
import Testing

private func render(_ text: String, _ json: String = "{}") throws -> String {
    try Template(text).execute(TemplateValue(jsonText: Array(json.utf8)))
}

@Suite struct TemplateEngineTests {
    @Test func textAndFields() throws {
        #expect(try render("a {{.A}} b", #"{"A":"x"}"#) == "a x b")
    }
}
