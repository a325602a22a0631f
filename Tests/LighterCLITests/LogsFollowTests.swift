#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The local `logs -f`: it keeps following (a line the container writes after `logs -f` started is
/// printed) and it ends by itself when the container stops.
@Suite struct LogsFollowTests {
    @Test func followPrintsLaterLinesAndEndsWhenTheContainerStops() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        // "second" only once the test says so (by making /tmp/go), so it is written while `logs -f` runs.
        let run = lighter.run("run", "-d", "--name", "talk", "busybox", "sh", "-c",
                              "echo first; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo second; echo third >&2; sleep 0.2; exit 3")
        try #require(run.status == 0, "\(run)")
        defer { _ = lighter.run("rm", "-f", "talk") }
        let out = lighter.root.sub("follow.out"), err = lighter.root.sub("follow.err")
        let follower = Run.spawn([Repository.lighterBinary, "logs", "-f", "talk"], stdout: out, stderr: err,
                                 environment: ["LIGHTER_ROOT": lighter.root.path])
        var exited = false, status: Int32 = -1
        defer { if !exited { kill(follower, SIGKILL); _ = Run.wait(follower) } }
        func printed() -> String { (try? FileSystem.readString(out)) ?? "" }
        for _ in 0..<200 where printed() != "first\n" { usleep(25_000) }
        try #require(printed() == "first\n", "logs -f printed \(printed())")
        #expect(lighter.run("exec", "talk", "touch", "/tmp/go").status == 0)
        // The container ends about 0.2 s after "second": logs -f must print it and exit by itself.
        for _ in 0..<400 {
            var raw: Int32 = 0
            if waitpid(follower, &raw, WNOHANG) == follower {
                exited = true
                status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                break
            }
            usleep(25_000)
        }
        #expect(exited, "logs -f still runs 10 s after the container stopped; printed \(printed())")
        #expect(status == 0, "\((try? FileSystem.readString(err)) ?? "")")
        #expect(printed() == "first\nsecond\n")
        #expect(((try? FileSystem.readString(err)) ?? "") == "third\n")
        #expect(lighter.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "talk").stdout == "exited 3\n")
    }
}
