#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LighterOCI
import LighterSystem

/// One row of listing output: ordered (key, value) pairs; keys are Docker's template field names.
struct OutputRow {
    var fields: [(key: String, value: String)]
    subscript(_ key: String) -> String? { fields.first { $0.key == key }?.value }
}

/// Renders rows as Docker does: an aligned table (tabwriter, padding 3), JSON lines, or a template.
struct OutputRenderer {
    /// Column headers for the table: (field key, header text).
    let columns: [(key: String, header: String)]

    func render(_ rows: [OutputRow], format: String?, quietKey: String? = nil, quiet: Bool = false) throws(LighterError) -> [String] {
        if quiet, let quietKey { return rows.map { $0[quietKey] ?? "" } }
        switch format {
        case nil, "table", "":
            return table(rows)
        case "json", "{{json .}}":
            return rows.map(jsonLine)
        case let template?:
            var body = template
            var header = false
            if body.hasPrefix("table ") || body == "table" {
                header = true
                body = String(body.dropFirst(5)).trimmed
            }
            let lines = try rows.map { (row) throws(LighterError) -> String in try apply(body, to: row) }
            if header {
                let headerRow = OutputRow(fields: columns.map { ($0.key, $0.header) })
                let headerLine = try apply(body, to: headerRow)
                return tabulate([headerLine] + lines)
            }
            return lines
        }
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

    private func jsonLine(_ row: OutputRow) -> String {
        "{" + row.fields.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",") + "}"
    }

    /// Replace `{{.Field}}`, `{{json .}}` and `{{json .Field}}`; `\t` and `\n` escapes as Docker allows.
    private func apply(_ template: String, to row: OutputRow) throws(LighterError) -> String {
        var result = ""
        var rest = Substring(template.replacing( "\\t", with: "\t").replacing( "\\n", with: "\n"))
        while let open = rest.firstRange(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw .invalidArgument("--format \(template): unclosed {{")
            }
            let action = rest[open.upperBound..<close.lowerBound].trimmed
            if action == "json ." {
                result += jsonLine(row)
            } else if action.hasPrefix("json .") {
                let key = String(action.dropFirst(6))
                guard let value = row[key] else { throw .invalidArgument("--format: no field \"\(key)\" (fields: \(row.fields.map(\.key).joined(separator: ", ")))") }
                result += jsonString(value)
            } else if action.hasPrefix(".") {
                let key = String(action.dropFirst())
                guard let value = row[key] else { throw .invalidArgument("--format: no field \"\(key)\" (fields: \(row.fields.map(\.key).joined(separator: ", ")))") }
                result += value
            } else {
                throw .invalidArgument("--format: unsupported template action {{\(action)}}")
            }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }
}

/// A JSON string literal.
func jsonString(_ value: String) -> String { JSON.quote(value) }
