#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The commands `lighter -H …` gained after the everyday ones: each driven through a real daemon from a
/// client whose own root stays empty, its effect checked on the daemon's side, and its output compared
/// with the same command run locally on the daemon's root where that output is deterministic.
@Suite(.serialized) struct RemoteCommandsTests {
    @Test func manageCommandsThroughTheDaemon() throws {
        let namespace = NetworkNamespace()
        let daemon = try LighterDaemon(namespace: namespace)
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { RemoteStreamsTests.remote(client, host, arguments) }

        let run = remote("run", "-d", "--name", "web", "-p", "127.0.0.1:8080:80", "busybox", "sh", "-c", "echo x > /tmp/f; rm /bin/true; sleep 300")
        try #require(run.status == 0, "\(run)")
        // diff: the same lines as the local command on the daemon's root (once the shell made its changes).
        var diff = remote("diff", "web")
        for _ in 0..<100 where !diff.stdout.contains("D /bin/true") {
            usleep(50_000)
            diff = remote("diff", "web")
        }
        #expect(diff.status == 0 && diff.stdout.contains("A /tmp/f\n") && diff.stdout.contains("C /bin\n"), "\(diff)")
        #expect(diff.stdout == daemon.cli("diff", "web").stdout)

        // top: busybox ps's columns as the local command shows them; ps options passed through.
        let top = remote("top", "web")
        let localTop = daemon.cli("top", "web")
        #expect(top.status == 0 && top.stdout.hasPrefix("PID       USER      TIME      COMMAND\n") && top.stdout.contains("sleep 300"), "\(top)")
        #expect(top.stdout.split(separator: "\n").map { $0.split(separator: " ").first } == localTop.stdout.split(separator: "\n").map { $0.split(separator: " ").first })
        let topArgs = remote("top", "web", "-o", "pid,comm")
        #expect(topArgs.status == 0 && topArgs.stdout.hasPrefix("PID       COMMAND\n") && topArgs.stdout.contains(" sleep\n"), "\(topArgs)")

        // port: all of them, one, and one that is not published (Docker's wording, exit 1).
        #expect(remote("port", "web").stdout == "80/tcp -> 127.0.0.1:8080\n")
        #expect(remote("port", "web").stdout == daemon.cli("port", "web").stdout)
        #expect(remote("port", "web", "80").stdout == "127.0.0.1:8080\n")
        #expect(remote("port", "web", "80/tcp").stdout == daemon.cli("port", "web", "80/tcp").stdout)
        let unpublished = remote("port", "web", "81")
        #expect(unpublished.status == 1 && unpublished.stderr == "Error: No public port '81/tcp' published for web\n", "\(unpublished)")

        // pause / unpause: the names printed, the state seen by the daemon.
        #expect(remote("pause", "web").stdout == "web\n")
        #expect(daemon.cli("inspect", "-f", "{{.State.Status}}", "web").stdout == "paused\n")
        #expect(remote("container", "unpause", "web").stdout == "web\n")
        #expect(daemon.cli("inspect", "-f", "{{.State.Status}}", "web").stdout == "running\n")
        let absent = remote("pause", "nothere")
        #expect(absent.status == 1 && absent.stderr == "Error response from daemon: No such container: nothere\n", "\(absent)")

        // rename: silent; the daemon knows the new name only.
        let renamed = remote("rename", "web", "site")
        #expect(renamed.status == 0 && renamed.stdout.isEmpty, "\(renamed)")
        #expect(daemon.cli("ps", "--format", "{{.Names}}").stdout == "site\n")

        // wait: each exit code on its own line; a missing one named, exit 1.
        #expect(remote("run", "-d", "--name", "three", "busybox", "sh", "-c", "sleep 0.3; exit 3").status == 0)
        #expect(remote("run", "-d", "--name", "zero", "busybox", "true").status == 0)
        #expect(remote("wait", "three", "zero").stdout == "3\n0\n")
        let waited = remote("container", "wait", "zero", "nothere")
        #expect(waited.status == 1 && waited.stdout == "0\n" && waited.stderr == "Error response from daemon: No such container: nothere\n", "\(waited)")

        // history: the local command's rows, -q, --no-trunc and --format.
        // (--no-human: dates as written, not "N seconds ago" that may tick between the two runs.)
        for flags in [["--no-human"], ["-q"], ["--no-trunc", "--no-human"], ["--format", "{{.ID}} {{.Size}} {{.Comment}}"], ["--no-human", "--format", "{{.Size}} {{.CreatedSince}}"]] {
            let remoteHistory = RemoteStreamsTests.remote(client, host, ["history"] + flags + ["busybox"])
            #expect(remoteHistory.status == 0 && remoteHistory.stdout == daemon.cli(["history"] + flags + ["busybox"]).stdout, "\(flags): \(remoteHistory)")
        }
        #expect(remote("image", "history", "-q", "busybox").stdout.count == 13)
        #expect(remote("history", "busybox").stdout.hasPrefix("IMAGE          CREATED "))
        #expect(remote("history", "nothere").status == 1)
        #expect(remote("rm", "-f", "site", "three", "zero").status == 0)
    }
}
