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
        let stdin = lighter.run("attach", "talk")
        #expect(stdin.status == 1 && stdin.stderr.contains("--no-stdin"), "\(stdin.stderr)")
        let output = lighter.run("container", "attach", "--no-stdin", "talk")
        #expect(output.status == 0 && output.stdout == "bye\n", "\(output.stderr)")
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
