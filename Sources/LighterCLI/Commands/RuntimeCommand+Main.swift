#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterRuntime
import LighterSystem

/// The runtime's command line as runc's callers (containerd's shim, dockerd) write it: `lighter runtime
/// …`, or the binary invoked through a link named `runc` or `lighter-runc`.
public enum RuntimeCommandLine {
    /// The names under which the binary is the runtime CLI.
    public static let linkNames: Set<String> = ["runc", "lighter-runc"]

    /// Run the runtime CLI with `arguments` (without the program name).
    public static func main(_ arguments: [String]) -> Never {
        if arguments.first == "--version" || arguments.first == "-v" {
            Console.out("lighter-runc version \(LighterVersion.version)\nspec: \(RuntimeSpec.supportedVersions.max)")
            exit(0)
        }
        run(reorder(arguments))
    }

    /// Parse and run reordered arguments; a usage error is logged to --log too (the shim reads it back).
    static func run(_ arguments: [String]) -> Never {
        do { _ = try RuntimeCommand.parseAsRoot(arguments) } catch {
            if RuntimeCommand.exitCode(for: error) != .success, let log = value(of: "--log", in: arguments) {
                let message = RuntimeCommand.message(for: error)
                RuntimeCommand.appendLog(to: log, json: value(of: "--log-format", in: arguments) == "json", level: "error", message: message)
            }
        }
        LighterCommand.run(RuntimeCommand.self, arguments)
    }

    /// The value of option `name` (`--name V` or `--name=V`) before a `--`, if given.
    static func value(of name: String, in arguments: [String]) -> String? {
        var value: String?
        for (index, word) in arguments.enumerated() {
            if word == "--" { break }
            if word == name, index + 1 < arguments.count { value = arguments[index + 1] }
            if word.hasPrefix(name + "=") { value = String(word.dropFirst(name.count + 1)) }
        }
        return value
    }

    /// runc's global options, with whether each takes a value.
    static let globalOptions: [String: Bool] = ["--root": true, "--log": true, "--log-format": true, "--debug": false, "--systemd-cgroup": false]

    /// Move the global options before the subcommand (`--root R --log F create …`) to after its name
    /// (`create --root R --log F …`), where each subcommand parses them. Anything else stays in place.
    static func reorder(_ arguments: [String]) -> [String] {
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            let name = String(word.prefix { $0 != "=" })
            guard let takesValue = globalOptions[name] else { break }
            globals.append(word)
            if takesValue && !word.contains("="), index + 1 < arguments.count {
                globals.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard index < arguments.count else { return arguments }
        return [arguments[index]] + globals + arguments[(index + 1)...]
    }
}
