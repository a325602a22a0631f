import LighterArguments
import Testing
@testable import LighterCLI

#if canImport(Glibc)
import Glibc
#endif

/// `--help`, the man page, the completions and the README come from the same table as the parser.
@Suite struct ContainerOptionDocsTests {
    @Test func helpHasDockersLayout() {
        let help = ContainerOption.help("run")
        #expect(help.hasPrefix("\nUsage:  lighter run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n"))
        let lines = help.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  -c, --cpu-shares int ") && $0.hasSuffix("CPU shares (relative weight)") })
        #expect(lines.contains { $0.hasPrefix("      --pull string ") && $0.hasSuffix("(default \"missing\")") })
        #expect(lines.contains { $0.hasPrefix("  -d, --detach ") })
        #expect(!lines.contains { $0.contains("--root") })
        // The help texts start in one column, after the longest synopsis and three spaces.
        let shown = ContainerOption.table.filter { !$0.hidden }
        let width = shown.map(\.synopsis.count).max() ?? 0
        for option in shown {
            let line = lines.first { $0.hasPrefix(option.synopsis + " ") }
            #expect(line.map { String($0.dropFirst(width + 3)) } == option.fullHelp, "\(option.long)")
        }
        #expect(!ContainerOption.help("create").contains("--detach"))
    }

    @Test func manPageIsGroffWithEveryOption() {
        let page = ContainerOption.manPage("run")
        #expect(page.hasPrefix(".TH LIGHTER\\-RUN 1"))
        #expect(page.contains(".SH OPTIONS\n"))
        for option in ContainerOption.table where !option.hidden {
            #expect(page.contains("\\fB\\-\\-\(option.long.replacing("-", with: "\\-"))\\fR"), "\(option.long)")
        }
    }

    @Test func completionsNameEveryOption() {
        let bash = ContainerOption.bashCompletion()
        let fish = ContainerOption.fishCompletion()
        let zsh = ContainerOption.zshCompletion()
        for option in ContainerOption.table where !option.hidden {
            #expect(ContainerOption.words(option.runOnly ? "run" : "create").contains("--\(option.long)"), "\(option.long)")
            #expect(fish.contains("-l \(option.long) "), "\(option.long)")
            #expect(zsh.contains("--\(option.long)'") || zsh.contains("--\(option.long)}"), "\(option.long)")
        }
        #expect(bash.contains("compgen -W \"\(ContainerOption.words("run").joined(separator: " "))\""))
        let script = CompletionCommand.script(for: .bash)
        #expect(script.contains("_lighter_run()"))
        #expect(script.contains("--memory-swap"))
    }

    /// README.md's table of run/create options is `lighter __options-markdown`'s output.
    @Test func readmeListsEveryOption() throws {
        let path = String(String(#filePath).split(separator: "/Tests/")[0]) + "/README.md"
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        let readme = String(decoding: bytes, as: UTF8.self)
        #expect(readme.contains(ContainerOption.markdown()), "regenerate with: lighter __options-markdown")
    }
}
