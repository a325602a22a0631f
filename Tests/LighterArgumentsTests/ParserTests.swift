import Testing
@testable import LighterArguments

/// Commands shaped like Lighter's: a root with a version, groups, aliases, a default subcommand,
/// an option group, every wrapper the CLI uses.
struct Shared: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data root.", valueName: "dir")) var root: String?
}

struct Ps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers.", aliases: ["ls", "list"])
    @OptionGroup var shared: Shared
    @Flag(name: [.customShort("a"), .long], help: "Show all.") var all = false
    @Flag(name: [.customShort("q"), .long], help: "Only IDs.") var quiet = false
    @Option(name: [.customShort("n"), .long], help: "Last n.") var last: Int = -1
    @Option(name: [.customShort("f"), .long], help: "Filter.") var filter: [String] = []
    @Option(name: .customLong("cpu-quota"), help: "Quota.") var quota: Int64?
}

struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container.")
    @Argument(help: "The container.") var container: String
    @Argument(help: "Its new name.") var newName: String
}

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exec", _superCommandName: "tool", abstract: "Run a command.")
    @Flag(name: [.customShort("i"), .long]) var interactive = false
    @Flag(name: [.customShort("t"), .long]) var tty = false
    @Option(name: [.customShort("e"), .long]) var env: [String] = []
    @Argument(help: "The container.") var container: String
    @Argument(parsing: .captureForPassthrough, help: "Command.") var command: [String] = []
}

enum Shape: String, CaseIterable, ExpressibleByArgument { case text, json }

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show history.")
    @Flag(name: [.customShort("H"), .long], inversion: .prefixedNo, help: "Human sizes.") var human = true
    @Option(help: "Output shape.") var format: Shape = .text
    @Option(help: ArgumentHelp("Secret.", visibility: .hidden)) var requestTimeout: UInt16?
    @Argument(help: "Images.") var images: [String]

    func validate() throws {
        if images.contains("bad") { throw ValidationError("image bad is not allowed") }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Not available.")
    @Argument(parsing: .allUnrecognized) var arguments: [String] = []
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show status.")
    @Flag(help: "Verbose.") var verbose = false
}

struct Binfmt: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "binfmt", abstract: "Emulation.", subcommands: [Status.self, Rename.self], defaultSubcommand: Status.self)
}

struct Container: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "container", abstract: "Manage containers.", subcommands: [Ps.self, Rename.self])
}

struct Tool: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tool", abstract: "A tool.", version: "1.2.3",
                                                    subcommands: [Ps.self, Rename.self, Exec.self, History.self, Restore.self, Binfmt.self, Container.self])
}

/// The failure of parsing `arguments` from the root: its message, Docker's full text and exit code.
func failure(_ arguments: [String]) -> (message: String, full: String, code: Int32)? {
    do {
        _ = try Tool.parseAsRoot(arguments)
        return nil
    } catch {
        return (Tool.message(for: error), Tool.fullMessage(for: error), Tool.exitCode(for: error).rawValue)
    }
}

@Suite struct LighterArgumentsParserTests {
    @Test func optionsInEverySpelling() throws {
        for arguments in [["ps", "--last", "3"], ["ps", "--last=3"], ["ps", "-n", "3"], ["ps", "-n3"], ["ps", "-n=3"]] {
            let ps = try #require(try Tool.parseAsRoot(arguments) as? Ps, "\(arguments)")
            #expect(ps.last == 3, "\(arguments)")
        }
        let defaults = try #require(try Tool.parseAsRoot(["ps"]) as? Ps)
        #expect(defaults.last == -1 && defaults.filter.isEmpty && defaults.quota == nil && defaults.shared.root == nil && !defaults.all)
        // Values that start with a dash are taken, as Docker's `--cpu-quota -1`.
        let negative = try #require(try Tool.parseAsRoot(["ps", "--cpu-quota", "-1", "-n", "-5"]) as? Ps)
        #expect(negative.quota == -1 && negative.last == -5)
        // The option group's options parse as the command's own; the last single value wins.
        let root = try #require(try Tool.parseAsRoot(["ps", "--root", "/a", "--root=/b"]) as? Ps)
        #expect(root.shared.root == "/b")
    }

    @Test func flagsBundlesAndDockerBoolValues() throws {
        let bundled = try #require(try Tool.parseAsRoot(["ps", "-aqn2"]) as? Ps)
        #expect(bundled.all && bundled.quiet && bundled.last == 2)
        let explicit = try #require(try Tool.parseAsRoot(["ps", "--all=false", "-q=true"]) as? Ps)
        #expect(!explicit.all && explicit.quiet)
        let bad = try #require(failure(["ps", "--all=maybe"]))
        #expect(bad.message == "invalid argument \"maybe\" for \"-a, --all\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax")
        #expect(bad.code == 64)
    }

    @Test func inversionsAndEnumerations() throws {
        #expect(try #require(try Tool.parseAsRoot(["history", "x"]) as? History).human)
        #expect(try !#require(try Tool.parseAsRoot(["history", "--no-human", "x"]) as? History).human)
        #expect(try !#require(try Tool.parseAsRoot(["history", "-H=false", "x"]) as? History).human)
        #expect(try #require(try Tool.parseAsRoot(["history", "--no-human", "--human", "x"]) as? History).human)
        #expect(try #require(try Tool.parseAsRoot(["history", "--format", "json", "x"]) as? History).format == .json)
        #expect(failure(["history", "--format", "yaml", "x"])?.message == "invalid argument \"yaml\" for \"--format\" flag: use one of: text, json")
        #expect(try #require(try Tool.parseAsRoot(["history", "--request-timeout", "9", "x"]) as? History).requestTimeout == 9)
    }

    @Test func repeatedOptionsAppend() throws {
        let ps = try #require(try Tool.parseAsRoot(["ps", "-f", "a=1", "--filter", "b=2", "--filter=c=3", "-fd=4"]) as? Ps)
        #expect(ps.filter == ["a=1", "b=2", "c=3", "d=4"])
    }

    @Test func argumentsOptionsBetweenThemAndAfterDoubleDash() throws {
        let rename = try #require(try Tool.parseAsRoot(["rename", "old", "new"]) as? Rename)
        #expect(rename.container == "old" && rename.newName == "new")
        let dashed = try #require(try Tool.parseAsRoot(["rename", "--", "-old", "--new"]) as? Rename)
        #expect(dashed.container == "-old" && dashed.newName == "--new")
        let images = try #require(try Tool.parseAsRoot(["history", "a", "--no-human", "b", "--", "--c", "-"]) as? History)
        #expect(images.images == ["a", "b", "--c", "-"] && !images.human)
        // A pass-through argument ends the options at the first positional word, as Docker's exec.
        let exec = try #require(try Tool.parseAsRoot(["exec", "-it", "-e", "A=1", "box", "sh", "-c", "--help", "-x"]) as? Exec)
        #expect(exec.interactive && exec.tty && exec.env == ["A=1"] && exec.container == "box" && exec.command == ["sh", "-c", "--help", "-x"])
        // Unknown options and words alike go to an allUnrecognized argument.
        let restore = try #require(try Tool.parseAsRoot(["restore", "--image-path", "/x", "-d", "id"]) as? Restore)
        #expect(restore.arguments == ["--image-path", "/x", "-d", "id"])
    }

    @Test func subcommandsAliasesAndDefaults() throws {
        #expect(try Tool.parseAsRoot(["container", "ls", "-a"]) is Ps)
        #expect(try Tool.parseAsRoot(["container", "list"]) is Ps)
        #expect(try Tool.parseAsRoot(["binfmt"]) is Status)
        #expect(try #require(try Tool.parseAsRoot(["binfmt", "--verbose"]) as? Status).verbose)
        #expect(try Tool.parseAsRoot(["binfmt", "rename", "a", "b"]) is Rename)
        // A group given no subcommand shows its help; an unknown word is a usage error.
        let group = try #require(failure(["container"]))
        #expect(group.code == 0 && group.full.contains("USAGE: tool container <subcommand>") && group.full.contains("  ps, ls, list            List containers."))
        #expect(failure(["container", "nope"])?.message == "unknown command \"nope\" for \"container\"")
    }

    @Test func usageErrorsUseDockersTexts() throws {
        let unknown = try #require(failure(["ps", "--bogus"]))
        #expect(unknown.code == 64)
        #expect(unknown.full == "Error: unknown flag: --bogus\nSee 'tool ps --help'.")
        #expect(failure(["ps", "-x"])?.message == "unknown shorthand flag: 'x' in -x")
        #expect(failure(["ps", "-aqx"])?.message == "unknown shorthand flag: 'x' in -aqx")
        #expect(failure(["ps", "--last"])?.message == "flag needs an argument: --last")
        #expect(failure(["ps", "-n"])?.message == "flag needs an argument: 'n' in -n")
        #expect(failure(["ps", "-n", "abc"])?.message == "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax")
        #expect(failure(["ps", "--cpu-quota", "99999999999999999999"])?.message
            == "invalid argument \"99999999999999999999\" for \"--cpu-quota\" flag: strconv.ParseInt: parsing \"99999999999999999999\": value out of range")
        #expect(failure(["history", "--request-timeout", "-1", "x"])?.message.hasSuffix("strconv.ParseUint: parsing \"-1\": invalid syntax") == true)
        #expect(failure(["ps", "extra"])?.message == "\"ps\" accepts no arguments.")
        let missing = try #require(failure(["rename", "one"]))
        #expect(missing.full == "Error: \"rename\" requires exactly 2 arguments.\nSee 'tool rename --help'.\n\nUsage:  tool rename <container> <new-name>\n\nRename a container.")
        #expect(failure(["rename", "a", "b", "c"])?.message == "\"rename\" requires exactly 2 arguments.")
        #expect(failure(["history"])?.message == "\"history\" requires at least 1 argument.")
        #expect(failure(["exec"])?.message == "\"exec\" requires at least 1 argument.")
        #expect(failure(["container", "rename"])?.full.contains("See 'tool container rename --help'.") == true)
        // validate()'s ValidationError is a usage error of the command.
        let invalid = try #require(failure(["history", "bad"]))
        #expect(invalid.code == 64 && invalid.full == "Error: image bad is not allowed\nSee 'tool history --help'.")
        // A command parsed on its own names its super command.
        do {
            _ = try Exec.parseAsRoot(["--bogus"])
            Issue.record("parsed")
        } catch {
            #expect(Exec.fullMessage(for: error) == "Error: unknown flag: --bogus\nSee 'tool exec --help'.")
        }
    }

    @Test func helpAndVersion() throws {
        for arguments in [["ps", "--help"], ["ps", "-h"], ["help", "ps"], ["ps", "-a", "--help", "extra"]] {
            let help = try #require(failure(arguments), "\(arguments)")
            #expect(help.code == 0, "\(arguments)")
            #expect(help.full.hasPrefix("OVERVIEW: List containers.\n\nUSAGE: tool ps [--root <dir>] [--all] [--quiet] [--last <last>] [--filter <filter> ...] [--cpu-quota <quota>]\n"), "\(arguments)")
        }
        let help = try #require(failure(["ps", "--help"])).full
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("  --root <dir>            Data root."))
        #expect(lines.contains("  -a, --all               Show all."))
        #expect(lines.contains("  -n, --last <last>       Last n. (default: -1)"))
        #expect(lines.contains("  -f, --filter <filter>   Filter."))
        #expect(lines.contains("  -h, --help              Show help information."))
        let history = try #require(failure(["history", "--help"])).full
        #expect(history.contains("USAGE: tool history [--human|--no-human] [--format <format>] <images> ...\n"))
        #expect(history.contains("  -H, --human, --no-human Human sizes.\n"))
        #expect(history.contains("(values: text, json) (default: text)"))
        #expect(!history.contains("request-timeout"))
        let root = try #require(failure(["--help"])).full
        #expect(root.contains("  --version               Show the version.\n") && root.contains("SUBCOMMANDS:\n  ps, ls, list            List containers.\n"))
        #expect(root.contains("  binfmt                  Emulation.\n") && root.contains("See 'tool help <subcommand>' for detailed help."))
        #expect(try #require(failure(["binfmt", "--help"])).full.contains("  status (default)        Show status.\n"))
        let version = try #require(failure(["--version"]))
        #expect(version.code == 0 && version.full == "1.2.3")
        #expect(failure(["ps", "--version"])?.message == "unknown flag: --version")
        // Long help texts wrap at 80 columns under their column.
        #expect(HelpText.row("--x", String(repeating: "word ", count: 30)).split(separator: "\n").allSatisfy { $0.count <= 80 })
        #expect(HelpText.row("--a-very-long-option <value>", "Text.") == "  --a-very-long-option <value>\n                          Text.")
    }

    @Test func kebabCaseNames() {
        #expect(Names.kebab("logFormat") == "log-format")
        #expect(Names.kebab("l3CacheSchema") == "l3-cache-schema")
        #expect(Names.kebab("cpuRtPeriod") == "cpu-rt-period")
        #expect(Names.kebab("URLPath") == "url-path")
        #expect(Ps._commandName == "ps" && Container._commandName == "container")
        struct ImagePruneCommand: ParsableCommand {}
        #expect(ImagePruneCommand._commandName == "image-prune-command")
    }

    @Test func parsedCommandsAreValues() throws {
        var first = try #require(try Tool.parseAsRoot(["ps", "--root", "/a"]) as? Ps)
        let copy = first
        first.shared.root = "/b"
        #expect(first.shared.root == "/b" && copy.shared.root == "/a")
    }

    @Test func completionScriptsNameEveryCommandAndOption() {
        let bash = Tool.completionScript(for: .bash)
        #expect(bash.contains("_tool_container_ps() {") && bash.contains("compgen -W \"--root -a --all -q --quiet -n --last -f --filter --cpu-quota --help\""))
        #expect(bash.contains("\" container ps\"|\" container ls\"|\" container list\") path=\" container ps\" ;;"))
        #expect(bash.contains("\" container ps\") _tool_container_ps ;;"))
        #expect(bash.hasSuffix("complete -F _tool_complete tool\n"))
        let zsh = Tool.completionScript(for: .zsh)
        #expect(zsh.hasPrefix("#compdef tool\n") && zsh.hasSuffix("_tool \"$@\"\n"))
        #expect(zsh.contains("'*'{-f,--filter}'[Filter.]:filter:'") && zsh.contains("'rename:Rename a container.'"))
        let fish = Tool.completionScript(for: .fish)
        #expect(fish.contains("complete -c tool -n '__tool_path_is container' -a 'ps' -d 'List containers.'"))
        #expect(fish.contains("-l last -s n -r -d 'Last n.'"))
    }
}
