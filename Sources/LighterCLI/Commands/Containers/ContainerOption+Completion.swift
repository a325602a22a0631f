/// Shell completion of `run`/`create` options, from the one table (CompletionCommand adds them
/// to ArgumentParser's script for the rest of the command tree).
extension ContainerOption {
    /// Every spelling of the options of `command`, for bash's compgen.
    static func words(_ command: String) -> [String] {
        options(for: command).filter { !$0.hidden }.flatMap { option in ["--\(option.long)"] + (option.short.map { ["-\($0)"] } ?? []) } + ["--help"]
    }

    static func bashCompletion() -> String {
        ["run", "create"].map { command in
            """
            _lighter_\(command)() {
                local cur="${COMP_WORDS[COMP_CWORD]}"
                if [[ "$cur" == -* ]]; then
                    COMPREPLY=( $(compgen -W "\(words(command).joined(separator: " "))" -- "$cur") )
                else
                    COMPREPLY=( $(compgen -f -- "$cur") )
                fi
            }
            """
        }.joined(separator: "\n") + "\n"
    }

    static func zshCompletion() -> String {
        func quoted(_ text: String) -> String { text.replacing("'", with: "'\\''").replacing("[", with: "\\[").replacing("]", with: "\\]").replacing(":", with: "\\:") }
        return ["run", "create"].map { command in
            let specs = options(for: command).filter { !$0.hidden }.map { option -> String in
                let value = option.isFlag ? "" : ":\(option.placeholder):"
                let repeatable: Bool = { if case .list = option.kind { return true } else { return false } }()
                let names = option.short.map { "{-\($0),--\(option.long)}" } ?? "--\(option.long)"
                return "        \(repeatable ? "'*'" : "")\(names)'[\(quoted(option.help))]\(value)'"
            }
            return "_lighter_\(command)() {\n    _arguments -s -S \\\n" + specs.joined(separator: " \\\n") + " \\\n        ':image:' '*::command:_normal'\n}"
        }.joined(separator: "\n") + "\n"
    }

    static func fishCompletion() -> String {
        func quoted(_ text: String) -> String { text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") }
        var lines: [String] = []
        for command in ["run", "create"] {
            for option in options(for: command) where !option.hidden {
                var line = "complete -c lighter -n '__fish_seen_subcommand_from \(command)' -l \(option.long)"
                if let short = option.short { line += " -s \(short)" }
                if !option.isFlag { line += " -r" }
                lines.append(line + " -d '\(quoted(option.help))'")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
