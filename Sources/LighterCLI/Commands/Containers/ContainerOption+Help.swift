/// `run --help`, `create --help`, the man pages and the README's options table, from the one table.
extension ContainerOption {
    static func usageLine(_ command: String) -> String { "lighter \(command) [OPTIONS] IMAGE [COMMAND] [ARG...]" }

    static func abstract(_ command: String) -> String {
        command == "run" ? "Create and run a new container from an image" : "Create a new container"
    }

    /// The option as Docker's help names it: `  -c, --cpu-shares int` or `      --rm`.
    var synopsis: String {
        let names = short.map { "  -\($0), --\(long)" } ?? "      --\(long)"
        return placeholder.isEmpty ? names : "\(names) \(placeholder)"
    }

    /// The help text with Docker's `(default …)` suffix.
    var fullHelp: String { defaultValue.map { "\(help) (default \($0))" } ?? help }

    /// Docker's layout: usage, abstract, aliases, then the options, help aligned in one column.
    static func help(_ command: String) -> String {
        let shown = options(for: command).filter { !$0.hidden }
        let width = shown.map(\.synopsis.count).max() ?? 0
        var text = "\nUsage:  \(usageLine(command))\n\n\(abstract(command))\n\nAliases:\n  lighter container \(command), lighter \(command)\n\nOptions:\n"
        for option in shown {
            text += option.synopsis + String(repeating: " ", count: width - option.synopsis.count + 3) + option.fullHelp + "\n"
        }
        return text
    }

    /// `lighter-run.1` / `lighter-create.1` in groff (man(7) macros).
    static func manPage(_ command: String) -> String {
        func escape(_ text: String) -> String {
            text.replacing("\\", with: "\\e").replacing("-", with: "\\-")
        }
        var page = ".TH LIGHTER\\-\(command.uppercased()) 1 \"\" \"Lighter\" \"Lighter Manual\"\n"
        page += ".SH NAME\nlighter\\-\(command) \\- \(escape(abstract(command)))\n"
        page += ".SH SYNOPSIS\n.B lighter \(command)\n[\\fIOPTIONS\\fR] \\fIIMAGE\\fR [\\fICOMMAND\\fR] [\\fIARG\\fR...]\n"
        page += ".SH DESCRIPTION\n\(escape(abstract(command))).\n.SH OPTIONS\n"
        for option in options(for: command) where !option.hidden {
            let names = (option.short.map { "\\fB\\-\($0)\\fR, " } ?? "") + "\\fB\\-\\-\(escape(option.long))\\fR"
            page += ".TP\n\(names)\(option.placeholder.isEmpty ? "" : " \\fI\(option.placeholder)\\fR")\n\(escape(option.fullHelp))\n"
        }
        page += ".SH SEE ALSO\n\\fBlighter\\fR(1)\n"
        return page
    }

    /// The README's table of run/create options (`lighter __options-markdown`; a test keeps the README in step).
    static func markdown() -> String {
        var text = "| option | value | meaning |\n|---|---|---|\n"
        for option in table where !option.hidden {
            let names = (option.short.map { "`-\($0)`, " } ?? "") + "`--\(option.long)`"
            let help = option.fullHelp.replacing("|", with: "\\|") + (option.runOnly ? " (`run` only)" : "")
            text += "| \(names) | \(option.placeholder) | \(help) |\n"
        }
        return text
    }
}
