import LighterOCI
import LighterSystem
import LighterTemplate

/// One row of listing output: ordered (key, value) pairs; keys are Docker's template field names.
struct OutputRow {
    var fields: [(key: String, value: String)]
    subscript(_ key: String) -> String? { fields.first { $0.key == key }?.value }

    /// The row as a template's dot: an object of its fields, all strings.
    var value: TemplateValue {
        var object: [String: TemplateValue] = [:]
        for (key, value) in fields { object[key] = .string(value) }
        return .object(object)
    }
}

/// Renders rows as Docker does: an aligned table (tabwriter, padding 3), JSON lines, or a Go
/// template (LighterTemplate) over each row.
struct OutputRenderer {
    /// Column headers for the table: (field key, header text).
    let columns: [(key: String, header: String)]
    /// Methods of Docker's row type that templates call with arguments (`.Label "key"`).
    var methods: [String: TemplateMethod] = [:]

    /// Docker's `.Label "key"` of ps, network and volume rows: that label's value, "" when it has none,
    /// read from the row's `Labels` ("k=v,k2=v2"; a value holding a comma is taken whole when the text
    /// after the comma has no "=").
    static let labelMethod = TemplateMethod(parameters: 1) { receiver, arguments in
        guard case let .object(fields) = receiver, case let .string(labels)? = fields["Labels"] else { return "" }
        var pairs: [(String, String)] = []
        for part in labels.split(separator: ",", omittingEmptySubsequences: false) {
            if let equals = part.firstIndex(of: "=") {
                pairs.append((String(part[..<equals]), String(part[part.index(after: equals)...])))
            } else if !pairs.isEmpty {
                pairs[pairs.count - 1].1 += "," + part
            }
        }
        return pairs.last { $0.0 == arguments.first }?.1 ?? ""
    }

    func render(_ rows: [OutputRow], format: String?, quietKey: String? = nil, quiet: Bool = false) throws(LighterError) -> [String] {
        if quiet, let quietKey { return rows.map { $0[quietKey] ?? "" } }
        switch format {
        case nil, "table", "":
            return table(rows)
        case "json":
            return rows.map { $0.value.json }
        case let format?:
            // Docker: a `table` prefix keeps the header row; `\t` and `\n` written out are escapes.
            let isTable = format.hasPrefix("table")
            var body = isTable ? String(format.dropFirst("table".count)) : format
            body = String(body.drop { $0 == " " })
            while body.hasSuffix(" ") { body.removeLast() }
            body = body.replacing("\\t", with: "\t").replacing("\\n", with: "\n")
            let parsed = try FormatTemplate.parse(body, missingKeyIsError: true)
            let template = methods.isEmpty ? parsed : parsed.with(methods: methods)
            var lines: [String] = []
            for row in rows {
                do {
                    lines.append(try template.execute(row.value))
                } catch {
                    throw FormatTemplate.wrapped(error)
                }
            }
            guard isTable else { return lines }
            // The header row renders the template over each field's header text, with the
            // functions that would change it made harmless (Docker ignores its errors).
            let header = template.with(functions: .dockerHeader).executePartially(headerValue(rows)).output
            return tabulate(([header] + lines).joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        }
    }

    /// Each field's header text: the column's, else the field's name in capitals, its words
    /// apart (`CreatedAt` → `CREATED AT`), as Docker names its columns.
    private func headerValue(_ rows: [OutputRow]) -> TemplateValue {
        var fields: [String: TemplateValue] = [:]
        for key in rows.first?.fields.map(\.key) ?? [] { fields[key] = .string(Self.headerText(key)) }
        for column in columns { fields[column.key] = .string(column.header) }
        return .object(fields)
    }

    static func headerText(_ key: String) -> String {
        var words = ""
        var previous: Character?
        for character in key {
            if let previous, character.isUppercase, previous.isLowercase { words += " " }
            words.append(character)
            previous = character
        }
        return words.uppercased()
    }

    private func table(_ rows: [OutputRow]) -> [String] {
        let header = columns.map(\.header).joined(separator: "\t")
        let lines = rows.map { row in columns.map { row[$0.key] ?? "" }.joined(separator: "\t") }
        return tabulate([header] + lines)
    }

    /// Align tab-separated cells like Docker's tabwriter (minimum cell width 10, padding 3).
    private func tabulate(_ lines: [String]) -> [String] {
        let cells = lines.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var widths: [Int] = []
        for row in cells {
            for (i, cell) in row.enumerated().dropLast() {
                if widths.count <= i { widths.append(0) }
                widths[i] = max(widths[i], cell.count)
            }
        }
        return cells.map { row in
            var line = ""
            for (i, cell) in row.enumerated() {
                if i < row.count - 1 {
                    line += cell + String(repeating: " ", count: max(widths[i] + 3, 10) - cell.count)
                } else {
                    line += cell
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

}

/// A JSON string literal.
func jsonString(_ value: String) -> String { JSON.quote(value) }
