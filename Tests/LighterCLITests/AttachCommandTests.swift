import Testing
import LighterSystem
import LighterTestSupport

/// `attach`: a detached container's output, live, its exit status, and signals passed on.
@Suite struct AttachCommandTests {
    @Test func attachStreamsTheOutputUntilTheContainerExits() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "-d", "--name", "box", "busybox", "sh", "-c", "sleep 1; echo one; echo err >&2; sleep 1; echo two; exit 3").status == 0)
        let attached = lighter.run("attach", "box")
        #expect(attached.status == 3, "\(attached.stderr)")
        #expect(attached.stdout == "one\ntwo\n" && attached.stderr == "err\n", "\(attached.stdout) / \(attached.stderr)")
        let stopped = lighter.run("attach", "box")
        #expect(stopped.status == 1 && stopped.stderr.contains("You cannot attach to a stopped container"), "\(stopped.stderr)")
        #expect(lighter.run("run", "-d", "-i", "--name", "talk", "busybox", "sh", "-c", "sleep 2; echo bye").status == 0)
        let output = lighter.run("container", "attach", "--no-stdin", "talk")
        #expect(output.status == 0 && output.stdout == "bye\n", "\(output.stderr)")
    }

    /// A container started with -d -i: attach's stdin reaches it through its monitor's socket, its output
    /// comes back, and attach ends with its exit code.
    @Test func attachSendsStandardInputToAnInteractiveContainer() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "-d", "-i", "--name", "talk", "busybox", "sh", "-c", "read line; echo \"got $line\"; echo err >&2; exit 5").status == 0)
        let attached = lighter.run(["attach", "talk"], stdin: "hello\n")
        #expect(attached.status == 5 && attached.stdout == "got hello\n" && attached.stderr == "err\n", "\(attached.stdout) / \(attached.stderr)")
        // --rm: the exit code outlives the container.
        #expect(lighter.run("run", "-d", "-i", "--rm", "--name", "gone", "busybox", "sh", "-c", "read line; exit 7").status == 0)
        #expect(lighter.run(["attach", "gone"], stdin: "x\n").status == 7)
        #expect(lighter.run("ps", "-aq", "--filter", "name=gone").stdout == "")
    }

    /// ctrl-p ctrl-q (or --detach-keys) ends the attachment and leaves the container running; what came
    /// before the keys reached it, what came after did not.
    @Test func detachKeysLeaveTheContainerRunning() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "-d", "-i", "--name", "echo", "busybox", "sh", "-c", "while read line; do echo \"got $line\"; done").status == 0)
        let detached = lighter.run(["attach", "echo"], stdin: "one\n\u{10}\u{11}two\n")
        #expect(detached.status == 0, "\(detached.stderr)")
        #expect(lighter.waitForLog("echo", containing: "got one"))
        let custom = lighter.run(["attach", "--detach-keys", "ctrl-a,x", "echo"], stdin: "three\n\u{01}y\nfour\n\u{01}xfive\n")
        #expect(custom.status == 0, "\(custom.stderr)")
        #expect(lighter.waitForLog("echo", containing: "got four"))
        let logs = lighter.run("logs", "echo").stdout
        #expect(logs == "got one\ngot three\ngot \u{01}y\ngot four\n", "\(logs)")
        #expect(lighter.run("ps", "--filter", "name=echo", "--format", "{{.Status}}").stdout.hasPrefix("Up "))
        let bad = lighter.run(["attach", "--detach-keys", "ctrl-", "echo"], stdin: "")
        #expect(bad.status == 1 && bad.stderr.contains("Invalid escape keys (ctrl-) provided"), "\(bad.stderr)")
        #expect(lighter.run("rm", "-f", "echo").status == 0)
    }

    @Test func signalsArePassedOnToTheContainer() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "-d", "--name", "box", "busybox", "sh", "-c", "trap 'echo got; exit 5' TERM; echo ready; while true; do sleep 0.2; done").status == 0)
        #expect(lighter.waitForLog("box", containing: "ready"))
        let script = "'\(Repository.lighterBinary)' attach box & pid=$!; sleep 1; kill -TERM $pid; wait $pid; echo status=$?"
        let result = Run.capture(["/bin/sh", "-c", script], environment: ["LIGHTER_ROOT": lighter.root.path])
        #expect(result.stdout == "got\nstatus=5\n", "\(result.stdout) / \(result.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.State.ExitCode}}", "box").stdout == "5\n")
    }
}
