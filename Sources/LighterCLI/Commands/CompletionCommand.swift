import LighterArguments

/// `completion bash|zsh|fish`: ArgumentParser's script for the command tree, with `run` and
/// `create` completed from ContainerOption's table (ArgumentParser does not parse them).
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "completion", abstract: "Print a shell completion script (bash, zsh or fish).",
                                                    discussion: "bash: `source <(lighter completion bash)`; zsh: save it as `_lighter` in your $fpath; fish: save it in ~/.config/fish/completions/lighter.fish.")

    @Argument(help: "bash, zsh or fish.") var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else {
            throw ValidationError("unknown shell \"\(shell)\": bash, zsh or fish")
        }
        Console.out(Self.script(for: kind))
    }

    static func script(for shell: CompletionShell) -> String {
        let base = LighterCommand.completionScript(for: shell)
        switch shell {
        case .bash: return base + "\n" + ContainerOption.bashCompletion()
        case .fish: return base + "\n" + ContainerOption.fishCompletion()
        default:
            // zsh's script ends by calling `_lighter`: the table's functions go before that call.
            var lines = base.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let call = lines.lastIndex { $0.hasPrefix("_lighter") } ?? lines.endIndex
            lines.insert(ContainerOption.zshCompletion(), at: call)
            return lines.joined(separator: "\n")
        }
    }
}

/// `__man run|create [DIR]`: write `lighter-run.1` / `lighter-create.1` (groff) for packagers;
/// without DIR, print it. `__options-markdown`: the README's table of run/create options.
struct ManPageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__man", abstract: "Print the man page of run or create.", shouldDisplay: false)

    @Argument(help: "run or create.") var command: String

    func run() throws {
        guard command == "run" || command == "create" else { throw ValidationError("man pages are generated for run and create") }
        Console.out(ContainerOption.manPage(command))
    }
}

struct OptionsMarkdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__options-markdown", abstract: "Print the README's table of run/create options.", shouldDisplay: false)

    func run() throws { Console.out(String(ContainerOption.markdown().dropLast())) }
}
