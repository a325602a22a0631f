/// A command's `--help`: overview, usage, arguments, options and subcommands, wrapped at 80 columns.
enum HelpText {
    static let width = 80
    static let column = 26

    static func render(path: [any ParsableCommand.Type]) -> String {
        let command = path[path.count - 1]
        let configuration = command.configuration
        let definitions = Declarations.collect(command.init()).definitions.filter { !$0.hidden }
        var sections: [String] = []
        if !configuration.abstract.isEmpty { sections.append(wrap("OVERVIEW: " + configuration.abstract, indent: 0)) }
        if !configuration.discussion.isEmpty { sections.append(wrap(configuration.discussion, indent: 0)) }
        sections.append("USAGE: " + usage(path))

        let arguments = definitions.filter { $0.kind == .positional }
        if !arguments.isEmpty {
            sections.append("ARGUMENTS:\n" + arguments.map { row("<\($0.valueName)>", text($0)) }.joined(separator: "\n"))
        }
        var options = definitions.filter { $0.kind != .positional }.map { row(label($0), text($0)) }
        if path.count == 1, !configuration.version.isEmpty { options.append(row("--version", "Show the version.")) }
        options.append(row("-h, --help", "Show help information."))
        sections.append("OPTIONS:\n" + options.joined(separator: "\n"))

        let subcommands = configuration.subcommands.filter { $0.configuration.shouldDisplay }
        if !subcommands.isEmpty {
            let rows = subcommands.map { sub -> String in
                var names = ([sub._commandName] + sub.configuration.aliases).joined(separator: ", ")
                if let fallback = configuration.defaultSubcommand, fallback == sub { names += " (default)" }
                return row(names, sub.configuration.abstract)
            }
            let helpPath = (["help"] + path.dropFirst().map { $0._commandName }).joined(separator: " ")
            let root = CommandPath.prefix(path).isEmpty ? path[0]._commandName : CommandPath.prefix(path) + " " + path[0]._commandName
            sections.append("SUBCOMMANDS:\n" + rows.joined(separator: "\n") + "\n\n  See '\(root) \(helpPath) <subcommand>' for detailed help.")
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// `lighter images [--root <dir>] [--all] [<repository>]`, or `lighter image <subcommand>`.
    static func usage(_ path: [any ParsableCommand.Type]) -> String {
        let command = path[path.count - 1]
        if let usage = command.configuration.usage { return usage }
        let name = CommandPath.display(path)
        if !command.configuration.subcommands.isEmpty { return name + " <subcommand>" }
        let definitions = Declarations.collect(command.init()).definitions.filter { !$0.hidden }
        let words = definitions.map { definition -> String in
            switch definition.kind {
            case .flag:
                let spellings = [definition.preferredName] + definition.inverted.prefix(1).map { "--" + $0 }
                return "[" + spellings.joined(separator: "|") + "]"
            case .option:
                let word = "\(definition.preferredName) <\(definition.valueName)>" + (definition.repeats ? " ..." : "")
                return definition.required ? word : "[\(word)]"
            case .positional:
                let word = "<\(definition.valueName)>" + (definition.repeats ? " ..." : "")
                return definition.required ? word : "[\(word)]"
            }
        }
        return ([name] + words).joined(separator: " ")
    }

    static func label(_ definition: ArgumentDefinition) -> String {
        var names = definition.shorts.map { "-\($0)" } + definition.longs.map { "--\($0)" }
        names += definition.inverted.map { "--\($0)" }
        let label = names.joined(separator: ", ")
        return definition.kind == .option ? label + " <\(definition.valueName)>" : label
    }

    static func text(_ definition: ArgumentDefinition) -> String {
        var text = definition.help.abstract
        if !definition.allowedValues.isEmpty { text += (text.isEmpty ? "" : " ") + "(values: \(definition.allowedValues.joined(separator: ", ")))" }
        if let value = definition.defaultText, definition.kind != .flag { text += (text.isEmpty ? "" : " ") + "(default: \(value))" }
        if !definition.help.discussion.isEmpty { text += "\n" + definition.help.discussion }
        return text
    }

    /// `  label` then the text from column 26 (on the next line when the label is longer).
    static func row(_ label: String, _ text: String) -> String {
        var line = "  " + label
        guard !text.isEmpty else { return line }
        if line.count < column {
            line += String(repeating: " ", count: column - line.count)
        } else {
            line += "\n" + String(repeating: " ", count: column)
        }
        return line + wrap(text, indent: column, start: column).dropFirst(0)
    }

    /// `text`'s words in lines of at most 80 columns; lines after the first indented by `indent`.
    static func wrap(_ text: String, indent: Int, start: Int = 0) -> String {
        var result = ""
        var column = start
        for (number, paragraph) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if number > 0 {
                result += "\n" + String(repeating: " ", count: indent)
                column = indent
            }
            var first = true
            for word in paragraph.split(separator: " ") {
                if !first, column + 1 + word.count > width {
                    result += "\n" + String(repeating: " ", count: indent)
                    column = indent
                    first = true
                }
                if !first {
                    result += " "
                    column += 1
                }
                result += word
                column += word.count
                first = false
            }
        }
        return result
    }
}
