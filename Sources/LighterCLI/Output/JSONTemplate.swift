import LighterSystem
import LighterTemplate

/// `inspect --format`: a Go template (Docker's functions included) over each JSON document, as
/// `docker inspect -f` renders it; `json` prints the document on one line.
enum JSONTemplate {
    static func render(_ template: String, value bytes: [UInt8], missingKeyIsError: Bool = false) throws(LighterError) -> String {
        let document = try TemplateValue(jsonText: bytes)
        return try FormatTemplate.parse(template == "json" ? "{{json .}}" : template, missingKeyIsError: missingKeyIsError).execute(document)
    }
}

/// Docker's wording around template errors: `template parsing error: template: :1: ...`.
enum FormatTemplate {
    static func parse(_ text: String, missingKeyIsError: Bool = false) throws(LighterError) -> Template {
        do {
            return try Template(text, missingKeyIsError: missingKeyIsError)
        } catch {
            throw Self.wrapped(error)
        }
    }

    static func wrapped(_ error: LighterError) -> LighterError {
        guard case let .invalidArgument(message) = error else { return error }
        return .invalidArgument("template parsing error: \(message)")
    }
}
