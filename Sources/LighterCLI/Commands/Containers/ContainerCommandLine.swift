/// The arguments of `run`/`create`, read from `ContainerOption.table` as Docker's CLI (cobra/pflag)
/// reads them: `--name VALUE`, `--name=VALUE`, `-e VALUE`, `-eVALUE`, `-e=VALUE`, bundles (`-dit`,
/// `-dp80:80`), `--rm=false`, repeats (lists append, single values: the last wins), values that
/// start with `-` (`--memory-swap -1`), `--` before the image, and options end at the image.
/// Errors carry Docker's texts. ArgumentParser is not involved: it costs milliseconds per start.
struct ContainerCommandLine: Equatable {
    var root: String?
    var flags = ContainerFlags()
    var detach = false
    var rm = false
    var image = ""
    var command: [String] = []

    /// What the arguments ask for.
    enum Outcome: Equatable {
        case request(ContainerCommandLine)
        /// `--help` was given.
        case help
        /// Docker's text of a usage error (without the "See … --help" line).
        case usage(String)
    }

    static func parse(_ arguments: [String], command: String) -> Outcome {
        let options = ContainerOption.options(for: command)
        var line = ContainerCommandLine()
        var index = 0
        var positional: [String]?

        /// Store `value` for `option` (nil for a flag given without `=value`); a usage error or nil.
        func set(_ option: ContainerOption, _ value: String?) -> String? {
            switch option.kind {
            case let .flag(path):
                guard let value else { line[keyPath: path] = true; return nil }
                guard let truth = parseBool(value) else {
                    return "invalid argument \"\(value)\" for \"\(option.names)\" flag: strconv.ParseBool: parsing \"\(value)\": invalid syntax"
                }
                line[keyPath: path] = truth
            case let .text(path): line[keyPath: path] = value ?? ""
            case let .required(path): line[keyPath: path] = value ?? ""
            case let .list(path): line[keyPath: path].append(value ?? "")
            case let .integer(path):
                let text = value ?? ""
                guard let number = Int64(text) else {
                    let reason = text.isEmpty || text.dropFirst(text.first == "-" || text.first == "+" ? 1 : 0).contains(where: { !$0.isASCII || !$0.isNumber })
                        ? "invalid syntax" : "value out of range"
                    return "invalid argument \"\(text)\" for \"\(option.names)\" flag: strconv.ParseInt: parsing \"\(text)\": \(reason)"
                }
                line[keyPath: path] = number
            }
            return nil
        }

        while index < arguments.count, positional == nil {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                positional = Array(arguments[index...])
            } else if !argument.hasPrefix("-") || argument == "-" {
                positional = Array(arguments[(index - 1)...])
            } else if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let equals = body.firstIndex(of: "=")
                let name = equals.map { String(body[..<$0]) } ?? String(body)
                guard let option = options.first(where: { $0.long == name }) else {
                    if name == "help" { return .help }
                    return .usage("unknown flag: --\(name)")
                }
                var value = equals.map { String(body[body.index(after: $0)...]) }
                if value == nil, !option.isFlag {
                    guard index < arguments.count else { return .usage("flag needs an argument: --\(name)") }
                    value = arguments[index]
                    index += 1
                }
                if let error = set(option, value) { return .usage(error) }
            } else {
                var letters = Substring(argument.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let option = options.first(where: { $0.short == letter }) else {
                        return .usage("unknown shorthand flag: '\(letter)' in \(argument)")
                    }
                    var value: String?
                    if letters.first == "=" {
                        value = String(letters.dropFirst())
                        letters = ""
                    } else if !option.isFlag {
                        if !letters.isEmpty {
                            value = String(letters)
                            letters = ""
                        } else {
                            guard index < arguments.count else { return .usage("flag needs an argument: '\(letter)' in \(argument)") }
                            value = arguments[index]
                            index += 1
                        }
                    }
                    if let error = set(option, value) { return .usage(error) }
                }
            }
        }
        guard let positional, let image = positional.first else {
            return .usage("\"\(command)\" requires at least 1 argument.")
        }
        line.image = image
        line.command = Array(positional.dropFirst())
        return .request(line)
    }

    /// Go's strconv.ParseBool.
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }
}
