/// Reads a command line as Docker's CLI (cobra/pflag) does: the subcommand path, then `--name VALUE`,
/// `--name=VALUE`, `-n VALUE`, `-nVALUE`, `-n=VALUE`, bundles (`-aq`), `--flag=false`, repeated
/// options (lists append, single values: the last wins), values that start with `-`, `--` ending the
/// options, options between arguments (except for commands with a pass-through argument, whose
/// options end at the first argument, as for `exec`).
struct CommandParser {
    let root: any ParsableCommand.Type

    func parse(_ arguments: [String]) throws -> any ParsableCommand {
        var path: [any ParsableCommand.Type] = [root]
        var index = 0
        while let current = path.last, !current.configuration.subcommands.isEmpty {
            if index < arguments.count, let sub = Self.subcommand(arguments[index], of: current) {
                path.append(sub)
                index += 1
            } else if index < arguments.count, arguments[index] == "help" {
                throw CommandError(path: Self.resolve(Array(arguments[(index + 1)...]), from: path), failure: .helpRequested)
            } else if let fallback = current.configuration.defaultSubcommand,
                      index >= arguments.count || !["-h", "--help", "--version"].contains(arguments[index]) {
                path.append(fallback)
            } else {
                break
            }
        }
        return try parseLeaf(path, Array(arguments[index...]))
    }

    static func subcommand(_ word: String, of type: any ParsableCommand.Type) -> (any ParsableCommand.Type)? {
        type.configuration.subcommands.first { $0._commandName == word || $0.configuration.aliases.contains(word) }
    }

    /// The path named by `words` (for `help a b`), as far as they name subcommands.
    static func resolve(_ words: [String], from path: [any ParsableCommand.Type]) -> [any ParsableCommand.Type] {
        var path = path
        for word in words {
            guard let last = path.last, let sub = subcommand(word, of: last) else { break }
            path.append(sub)
        }
        return path
    }

    private func parseLeaf(_ path: [any ParsableCommand.Type], _ arguments: [String]) throws -> any ParsableCommand {
        let leaf = path[path.count - 1]
        var command = leaf.init()
        let (definitions, groups) = Declarations.collect(command)
        let options = definitions.filter { $0.kind != .positional }
        let positionals = definitions.filter { $0.kind == .positional }
        let passthrough = positionals.contains { $0.positional == .passthrough }
        let collector = positionals.first { $0.positional == .allUnrecognized }
        let hasSubcommands = !leaf.configuration.subcommands.isEmpty

        func usage(_ message: String, showUsage: Bool = false) -> CommandError {
            CommandError(path: path, failure: .usage(message, showUsage: showUsage))
        }
        func store(_ definition: ArgumentDefinition, _ value: String, as name: String) throws {
            guard definition.set(value) else {
                throw usage("invalid argument \"\(value)\" for \"\(definition.flagNames)\" flag: \(definition.reason(value))")
            }
        }

        var words: [String] = []
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                words.append(word)
                if passthrough { optionsEnded = true }
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let equals = body.firstIndex(of: "=")
                let name = String(body[..<(equals ?? body.endIndex)])
                let inline = equals.map { String(body[body.index(after: $0)...]) }
                if let option = options.first(where: { $0.longs.contains(name) }) {
                    if option.kind == .flag {
                        try store(option, inline ?? "true", as: word)
                    } else if let inline {
                        try store(option, inline, as: word)
                    } else if option.upToNextOption {
                        var taken = 0
                        while index < arguments.count, !arguments[index].hasPrefix("-") || arguments[index] == "-" {
                            try store(option, arguments[index], as: word)
                            index += 1
                            taken += 1
                        }
                        if taken == 0 { throw usage("flag needs an argument: --\(name)") }
                    } else {
                        guard index < arguments.count else { throw usage("flag needs an argument: --\(name)") }
                        try store(option, arguments[index], as: word)
                        index += 1
                    }
                } else if let option = options.first(where: { $0.inverted.contains(name) }) {
                    let truth = inline.map { Bool(argument: $0) } ?? true
                    guard let truth else { throw usage("invalid argument \"\(inline ?? "")\" for \"--\(name)\" flag: strconv.ParseBool: parsing \"\(inline ?? "")\": invalid syntax") }
                    _ = option.set(truth ? "false" : "true")
                } else if name == "help" {
                    throw CommandError(path: path, failure: .helpRequested)
                } else if name == "version", path.count == 1, !leaf.configuration.version.isEmpty {
                    throw CommandError(path: path, failure: .versionRequested(leaf.configuration.version))
                } else if collector != nil {
                    words.append(word)
                } else {
                    throw usage("unknown flag: --\(name)")
                }
                continue
            }
            var letters = Substring(word.dropFirst())
            while let letter = letters.first {
                letters = letters.dropFirst()
                guard let option = options.first(where: { $0.shorts.contains(letter) }) else {
                    if letter == "h" { throw CommandError(path: path, failure: .helpRequested) }
                    if collector != nil {
                        words.append(word)
                        break
                    }
                    throw usage("unknown shorthand flag: '\(letter)' in \(word)")
                }
                if letters.first == "=" {
                    try store(option, String(letters.dropFirst()), as: word)
                    letters = ""
                } else if option.kind == .flag {
                    try store(option, "true", as: word)
                } else if !letters.isEmpty {
                    try store(option, String(letters), as: word)
                    letters = ""
                } else {
                    guard index < arguments.count else { throw usage("flag needs an argument: '\(letter)' in \(word)") }
                    try store(option, arguments[index], as: word)
                    index += 1
                }
            }
        }

        // A group of subcommands given none shows its help (its own run() is the default one).
        if hasSubcommands, words.isEmpty { throw CommandError(path: path, failure: .helpRequested) }
        if hasSubcommands, let first = words.first {
            throw usage("unknown command \"\(first)\" for \"\(CommandPath.name(path))\"")
        }
        try assign(words, to: positionals, path: path)
        if let missing = options.first(where: { $0.required && !$0.given() }) {
            throw usage("required flag(s) \"\(missing.longs.first ?? missing.shorts.first.map(String.init) ?? missing.key)\" not set")
        }
        do {
            for var group in groups { try group.validate() }
            try command.validate()
        } catch let error as ValidationError {
            throw CommandError(path: path, failure: .validation(error.message))
        }
        return command
    }

    /// The positional words into the arguments, in order; Docker's texts when their number is wrong.
    private func assign(_ words: [String], to positionals: [ArgumentDefinition], path: [any ParsableCommand.Type]) throws {
        let singles = positionals.filter { !$0.repeats }
        let minimum = positionals.filter(\.required).count
        let maximum = positionals.contains(where: \.repeats) ? Int.max : singles.count
        let name = CommandPath.name(path)
        func plural(_ count: Int) -> String { count == 1 ? "1 argument." : "\(count) arguments." }
        if words.count < minimum || words.count > maximum {
            let text: String
            if words.count > maximum, maximum == 0 {
                text = "\"\(name)\" accepts no arguments."
            } else if minimum == maximum {
                text = "\"\(name)\" requires exactly \(plural(minimum))"
            } else if words.count < minimum {
                text = "\"\(name)\" requires at least \(plural(minimum))"
            } else {
                text = "\"\(name)\" requires at most \(plural(maximum))"
            }
            throw CommandError(path: path, failure: .usage(text, showUsage: true))
        }
        var rest = words[...]
        for (position, argument) in positionals.enumerated() {
            if argument.repeats {
                let reserved = positionals[(position + 1)...].filter { !$0.repeats && $0.required }.count
                let count = max(0, rest.count - reserved)
                for word in rest.prefix(count) { try set(argument, word, path: path) }
                rest = rest.dropFirst(count)
            } else if let word = rest.first, argument.required || rest.count > positionals[(position + 1)...].filter(\.required).count {
                try set(argument, word, path: path)
                rest = rest.dropFirst()
            }
        }
    }

    private func set(_ argument: ArgumentDefinition, _ word: String, path: [any ParsableCommand.Type]) throws {
        guard argument.set(word) else {
            throw CommandError(path: path, failure: .usage("invalid argument \"\(word)\" for <\(argument.valueName)>: \(argument.reason(word))", showUsage: true))
        }
    }
}

/// How a command path reads: `lighter image ls`, or `lighter ps` for a command parsed on its own.
enum CommandPath {
    static func prefix(_ path: [any ParsableCommand.Type]) -> String {
        path.first?.configuration._superCommandName ?? ""
    }

    /// The command's words as Docker's errors quote them (`"image ls"`, `"ps"`): without the root program.
    static func name(_ path: [any ParsableCommand.Type]) -> String {
        let words = path.map { $0._commandName }
        if !prefix(path).isEmpty || words.count == 1 { return words.joined(separator: " ") }
        return words.dropFirst().joined(separator: " ")
    }

    static func display(_ path: [any ParsableCommand.Type]) -> String {
        let words = path.map { $0._commandName }
        let prefix = prefix(path)
        return ((prefix.isEmpty ? [] : [prefix]) + words).joined(separator: " ")
    }
}
