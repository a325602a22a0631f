/// The shells `completionScript(for:)` writes for.
public enum CompletionShell: String, CaseIterable, Sendable {
    case bash, zsh, fish
}

extension ParsableCommand {
    /// A completion script for the command tree: subcommand names, then each command's options.
    /// Every command path has a function `_<root>_<sub>_<sub>` (bash, zsh), defined before the
    /// last line; a later definition of the same name replaces it.
    public static func completionScript(for shell: CompletionShell) -> String {
        let paths = CommandTree.all(from: [self])
        switch shell {
        case .bash: return CompletionScript.bash(paths)
        case .zsh: return CompletionScript.zsh(paths)
        case .fish: return CompletionScript.fish(paths)
        }
    }
}

enum CompletionScript {
    static func function(_ path: [any ParsableCommand.Type]) -> String {
        "_" + path.map { $0._commandName.replacing("-", with: "_") }.joined(separator: "_")
    }

    static func options(_ path: [any ParsableCommand.Type]) -> [ArgumentDefinition] {
        Declarations.collect(path[path.count - 1].init()).definitions.filter { $0.kind != .positional && !$0.hidden }
    }

    static func subcommands(_ path: [any ParsableCommand.Type]) -> [any ParsableCommand.Type] {
        path[path.count - 1].configuration.subcommands.filter { $0.configuration.shouldDisplay }
    }

    static func bash(_ paths: [[any ParsableCommand.Type]]) -> String {
        let root = paths[0][0]._commandName
        var script = "#!/bin/bash\n# bash completion for \(root): source <(\(root) completion bash)\n\n"
        for path in paths {
            let words = options(path).flatMap { option in option.shorts.map { "-\($0)" } + (option.longs + option.inverted).map { "--\($0)" } } + ["--help"]
            let names = subcommands(path).flatMap { [$0._commandName] + $0.configuration.aliases }
            script += "\(function(path))() {\n    local cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
            script += "    if [[ \"$cur\" == -* ]]; then\n        COMPREPLY=( $(compgen -W \"\(words.joined(separator: " "))\" -- \"$cur\") )\n"
            if names.isEmpty {
                script += "    else\n        COMPREPLY=( $(compgen -f -- \"$cur\") )\n    fi\n}\n"
            } else {
                script += "    else\n        COMPREPLY=( $(compgen -W \"\(names.joined(separator: " "))\" -- \"$cur\") )\n    fi\n}\n"
            }
        }
        // The dispatcher: the command words typed so far pick the function.
        script += "_\(root)_complete() {\n    local path=\"\" word i\n    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        script += "        word=\"${COMP_WORDS[i]}\"\n        [[ \"$word\" == -* ]] && continue\n        case \"$path $word\" in\n"
        for path in paths.dropFirst() {
            let parent = path.dropFirst().dropLast().map { " " + $0._commandName }.joined()
            let spellings = ([path[path.count - 1]._commandName] + path[path.count - 1].configuration.aliases).map { "\"\(parent) \($0)\"" }
            script += "            \(spellings.joined(separator: "|"))) path=\"\(parent) \(path[path.count - 1]._commandName)\" ;;\n"
        }
        script += "            *) break ;;\n        esac\n    done\n    case \"$path\" in\n"
        for path in paths {
            let words = path.dropFirst().map { " " + $0._commandName }.joined()
            script += "        \"\(words)\") \(function(path)) ;;\n"
        }
        script += "    esac\n}\ncomplete -F _\(root)_complete \(root)\n"
        return script
    }

    static func zshQuoted(_ text: String) -> String {
        text.replacing("'", with: "'\\''").replacing("[", with: "\\[").replacing("]", with: "\\]").replacing(":", with: "\\:")
    }

    static func zsh(_ paths: [[any ParsableCommand.Type]]) -> String {
        let root = paths[0][0]._commandName
        var script = "#compdef \(root)\n\n"
        for path in paths {
            var specs = options(path).map { option -> String in
                let names = option.shorts.map { "-\($0)" } + (option.longs + option.inverted).map { "--\($0)" }
                let spelled = names.count == 1 ? names[0] : "{" + names.joined(separator: ",") + "}"
                let value = option.kind == .option ? ":\(option.valueName):" : ""
                return "        \(option.repeats ? "'*'" : "")\(spelled)'[\(zshQuoted(option.help.abstract))]\(value)'"
            }
            specs.append("        '(-h --help)'{-h,--help}'[Show help information.]'")
            let subs = subcommands(path)
            script += "\(function(path))() {\n"
            if subs.isEmpty {
                script += "    _arguments -s -S \\\n" + specs.joined(separator: " \\\n") + " \\\n        '*:argument:_files'\n}\n\n"
                continue
            }
            script += "    local context state state_descr line\n    typeset -A opt_args\n"
            script += "    _arguments -C \\\n" + specs.joined(separator: " \\\n") + " \\\n        ': :->command' \\\n        '*:: :->argument'\n"
            script += "    case $state in\n        command)\n            local -a commands\n            commands=(\n"
            for sub in subs {
                script += "                '\(sub._commandName.replacing(":", with: "\\:")):\(zshQuoted(sub.configuration.abstract))'\n"
            }
            script += "            )\n            _describe 'subcommand' commands\n            ;;\n        argument)\n            case ${words[1]} in\n"
            for sub in subs {
                script += "                \(([sub._commandName] + sub.configuration.aliases).joined(separator: "|"))) \(function(path + [sub])) ;;\n"
            }
            script += "            esac\n            ;;\n    esac\n}\n\n"
        }
        return script + "\(function([paths[0][0]])) \"$@\"\n"
    }

    static func fish(_ paths: [[any ParsableCommand.Type]]) -> String {
        func quoted(_ text: String) -> String { text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") }
        let root = paths[0][0]._commandName
        var lines = ["# fish completion for \(root): save as ~/.config/fish/completions/\(root).fish",
                     "function __\(root)_path_is",
                     "    set -l words (commandline -opc)",
                     "    set -e words[1]",
                     "    set -l path",
                     "    for word in $words",
                     "        string match -q -- '-*' $word; and continue",
                     "        set -a path $word",
                     "    end",
                     "    test \"$path\" = \"$argv\"",
                     "end",
                     "complete -c \(root) -f"]
        for path in paths {
            let words = path.dropFirst().map { $0._commandName }.joined(separator: " ")
            let condition = "-n '__\(root)_path_is \(words)'"
            for sub in subcommands(path) {
                for name in [sub._commandName] + sub.configuration.aliases {
                    lines.append("complete -c \(root) \(condition) -a '\(name)' -d '\(quoted(sub.configuration.abstract))'")
                }
            }
            let leaf = path[path.count - 1]
            let condition2 = path.count == 1 ? condition : "-n '__fish_seen_subcommand_from \(leaf._commandName)'"
            for option in options(path) {
                var line = "complete -c \(root) \(condition2)"
                for long in option.longs + option.inverted { line += " -l \(long)" }
                for short in option.shorts { line += " -s \(short)" }
                if option.kind == .option { line += " -r" }
                lines.append(line + " -d '\(quoted(option.help.abstract))'")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
