#if canImport(Glibc)
import Glibc
#endif
import CLighter
import Testing
import LighterSystem
import LighterTestSupport

/// `attach` to a `-d -i -t` container from a terminal (CI has none: `Run.onPseudoTerminal` opens a
/// pty, runs `lighter attach` as a session leader on its slave, types into the master).
@Suite struct AttachTerminalTests {
    /// `arguments` on a pty of their own (`Run.onPseudoTerminal`), typing `input` piece by piece.
    static func onTerminal(_ arguments: [String], environment: [String: String], input: [(after: String, bytes: [UInt8])],
                           rows: UInt16 = 0, columns: UInt16 = 0) -> (status: Int32, output: String) {
        let result = Run.onPseudoTerminal(arguments, typing: input, rows: rows, columns: columns, environment: environment, timeout: 30)
        return (result.status, result.stdout + result.stderr)
    }

    @Test func attachToATerminalTypesIntoItAndDetachesWithTheKeys() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "-d", "-i", "-t", "--name", "term", "busybox", "sh").status == 0)
        let environment = ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"]
        // Typed after the attachment shows the prompt again (a newline makes sh print it).
        let session = Self.onTerminal([Repository.lighterBinary, "attach", "term"], environment: environment,
                                      input: [("", Array("\r".utf8)), ("# ", Array("tty; echo sum=$((40+2))\r".utf8)),
                                              ("sum=42", [0x10, 0x11])])
        #expect(session.status == 0, "\(session.output)")
        #expect(session.output.contains("sum=42") && session.output.contains("/dev/pts/0"), "\(session.output)")
        // Detached, not ended: the shell runs on, and typing "exit" through a second attachment ends it.
        #expect(lighter.run("ps", "--filter", "name=term", "--format", "{{.Status}}").stdout.hasPrefix("Up "))
        let last = Self.onTerminal([Repository.lighterBinary, "attach", "term"], environment: environment,
                                   input: [("", Array("\r".utf8)), ("# ", Array("exit 9\r".utf8))])
        #expect(last.status == 9, "\(last.output)")
        #expect(lighter.run("inspect", "-f", "{{.State.ExitCode}}", "term").stdout == "9\n")
    }

    /// `run -it` from a terminal: the container's terminal has this terminal's size, ctrl-p ctrl-q (or
    /// --detach-keys) detaches with exit 0 and the container runs on; its first prompt is not lost.
    @Test func runDashITDetachesWithTheKeysAndKeepsTheTerminalSize() {
        let lighter = RunCommandTests.ready()
        let environment = ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"]
        let session = Self.onTerminal([Repository.lighterBinary, "run", "-it", "--name", "live", "busybox", "sh"], environment: environment,
                                      input: [("# ", Array("stty size; echo n=$((6*7))\r".utf8)), ("n=42", [0x10, 0x11])],
                                      rows: 33, columns: 101)
        #expect(session.status == 0, "\(session.output)")
        #expect(session.output.contains("33 101") && session.output.contains("n=42"), "\(session.output)")
        #expect(lighter.run("ps", "--filter", "name=live", "--format", "{{.Status}}").stdout.hasPrefix("Up "))
        let custom = Self.onTerminal([Repository.lighterBinary, "run", "-it", "--rm", "--detach-keys", "ctrl-x", "busybox", "sh"],
                                     environment: environment, input: [("# ", Array("echo here\r".utf8)), ("here", [0x18])])
        #expect(custom.status == 0, "\(custom.output)")
        #expect(lighter.run("ps", "-q").stdout.split(separator: "\n").count == 2)
        // Not detached: exit ends the run with the shell's code, and --rm removes it.
        let ended = Self.onTerminal([Repository.lighterBinary, "run", "-it", "--rm", "busybox", "sh"], environment: environment,
                                    input: [("# ", Array("exit 4\r".utf8))])
        #expect(ended.status == 4, "\(ended.output)")
        for id in lighter.run("ps", "-q").stdout.split(separator: "\n") { #expect(lighter.run("rm", "-f", String(id)).status == 0) }
        #expect(lighter.run("ps", "-aq").stdout == "")
    }
}
