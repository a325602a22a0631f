#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `run -a stdout|stderr` (one stream to the terminal, both to the log) and `run --sig-proxy=false`
/// (a signal ends the CLI, the container goes on, as with Docker).
@Suite struct RunAttachTests {
    static let script = "echo out; echo err >&2; exit 3"

    @Test(arguments: [(["-a", "stdout"], "out\n", ""), (["-a", "stderr"], "", "err\n"), (["-a", "STDOUT", "-a", "stderr"], "out\n", "err\n")])
    func attachedStreamsAreTheOnesNamed(flags: [String], stdout: String, stderr: String) {
        let lighter = RunCommandTests.ready()
        let result = lighter.run(["run", "--name", "a"] + flags + ["busybox", "sh", "-c", Self.script])
        #expect(result.status == 3 && result.stdout == stdout && result.stderr == stderr, "\(flags): \(result.stdout) \(result.stderr)")
        // The log has both, whatever was attached.
        let logs = lighter.run("logs", "a")
        #expect(logs.stdout == "out\n" && logs.stderr == "err\n")
    }

    /// A prompt without its newline reaches the log (and so `logs`, `attach` and the daemon's
    /// attach, which follow it) while the container still waits on its line, as Docker's attach shows it.
    @Test func aPromptWithoutNewlineReachesTheLog() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let started = lighter.run("run", "-d", "--network", "none", "--name", "prompt", "busybox", "sh", "-c", "printf 'name> '; sleep 60")
        #expect(started.status == 0, "\(started.stderr)")
        #expect(lighter.waitForLog("prompt", containing: "name> ", seconds: 10), "\(lighter.run("logs", "prompt"))")
        #expect(lighter.run("rm", "-f", "prompt").status == 0)
    }

    @Test func attachStdinIsInteractive() {
        let lighter = RunCommandTests.ready()
        let result = lighter.run(["run", "--rm", "-a", "stdin", "-a", "stdout", "busybox", "cat"], stdin: "typed\n")
        #expect(result.status == 0 && result.stdout == "typed\n", "\(result.stdout) \(result.stderr)")
    }

    @Test func withoutSignalProxyTheOutputIsFollowedAndTheExitCodeKept() {
        let lighter = RunCommandTests.ready()
        let result = lighter.run("run", "--rm", "--sig-proxy=false", "busybox", "sh", "-c", Self.script)
        #expect(result.status == 3 && result.stdout == "out\n" && result.stderr == "err\n", "\(result.stdout) \(result.stderr)")
        let subset = lighter.run("run", "--rm", "--sig-proxy=false", "-a", "stderr", "busybox", "sh", "-c", Self.script)
        #expect(subset.status == 3 && subset.stdout == "" && subset.stderr == "err\n", "\(subset.stdout) \(subset.stderr)")
        #expect(lighter.run("ps", "-aq").stdout == "")
    }

    @Test func withoutSignalProxyASignalEndsTheCLIAndNotTheContainer() throws {
        let lighter = RunCommandTests.ready()
        let dir = TestDirectory("lighter-sigproxy")
        let cli = Run.spawn([Repository.lighterBinary, "run", "--name", "kept", "--sig-proxy=false", "busybox", "sh", "-c",
                             "trap 'echo got TERM' TERM; echo started; sleep 30 & wait"],
                            stdout: dir.sub("out"), stderr: dir.sub("err"),
                            environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        #expect(lighter.waitForLog("kept", containing: "started"))
        // SIGTERM (a test process's children may inherit SIGINT ignored, which no program can undo).
        _ = kill(cli, SIGTERM)
        #expect(Run.wait(cli) == 128 + SIGTERM)
        // The container did not get the signal and runs on under its own monitor.
        let status = lighter.run("ps", "--filter", "name=kept", "--format", "{{.Status}}").stdout
        #expect(status.hasPrefix("Up "), "\(status)")
        #expect(!lighter.run("logs", "kept").stdout.contains("got TERM"))
        #expect(lighter.run("rm", "-f", "kept").status == 0)
    }
}
