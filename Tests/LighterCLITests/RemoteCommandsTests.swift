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

    @Test func usageEventsPrunesAndCommitThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { RemoteStreamsTests.remote(client, host, arguments) }

        // events streamed while things happen (the stream is cut by the KILL; nothing else ends it).
        let eventsLog = client.root.sub("events.out")
        let follower = Run.spawn(["timeout", "-s", "KILL", "30", Repository.lighterBinary, "--root", client.root.path, "-H", host,
                                  "events", "--filter", "type=container", "--filter", "event=start", "--format", "{{.Action}} {{.Actor.Attributes.name}}"],
                                 stdout: eventsLog, stderr: client.root.sub("events.err"))
        defer { Run.stop(follower) }
        usleep(300_000)
        let run = remote("run", "-d", "--name", "box", "busybox", "sleep", "300")
        try #require(run.status == 0, "\(run)")
        var streamed = ""
        for _ in 0..<100 where !streamed.contains("start box") {
            usleep(50_000)
            streamed = (try? FileSystem.readString(eventsLog)) ?? ""
        }
        #expect(streamed == "start box\n", "\(streamed)")
        // --since/--until: the past only, ended by the daemon; the same lines as the local command's.
        let past = remote("events", "--since", "5m", "--until", "0s", "--filter", "container=box", "--format", "{{.Type}} {{.Action}}")
        #expect(past.status == 0 && past.stdout == "container create\ncontainer start\n", "\(past)")
        #expect(remote("system", "events", "--since", "5m", "--until", "0s", "-f", "container=box").stdout
                == daemon.cli("events", "--since", "5m", "--until", "0s", "-f", "container=box").stdout)

        // update: the daemon's record holds the new limits; a bad value refused before any request.
        let update = remote("update", "--memory", "64m", "--pids-limit", "50", "--cpus", "0.5", "--restart", "on-failure:2", "box")
        #expect(update.status == 0 && update.stdout == "box\n", "\(update)")
        #expect(daemon.cli("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "box").stdout
                == "67108864 50 500000000 on-failure:2\n")
        #expect(remote("update", "--memory", "1k", "box").status == 1)
        #expect(remote("update", "--pids-limit", "10", "nothere").stderr.hasPrefix("Error response from daemon: "))

        // stats --no-stream: the local header and row shape; the limit the update set.
        let stats = remote("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.MemUsage}}")
        #expect(stats.status == 0 && stats.stdout.hasPrefix("box 1 ") && stats.stdout.hasSuffix(" / 64MiB\n"), "\(stats)")
        let table = remote("stats", "--no-stream", "box").stdout
        #expect(table.split(separator: "\n").first == daemon.cli("stats", "--no-stream", "box").stdout.split(separator: "\n").first)

        // stats streamed: redrawn about once a second until interrupted.
        let streamedStats = Run.capture(["timeout", "-s", "KILL", "3", Repository.lighterBinary, "--root", client.root.path, "-H", host,
                                         "stats", "--format", "{{.Name}}"])
        let rounds = streamedStats.stdout.split(separator: "\u{1b}[2J\u{1b}[H").filter { $0.hasPrefix("box") }
        #expect(rounds.count >= 2, "\(streamedStats)")

        // system df: the local command's rows (types and counts).
        let df = remote("system", "df")
        func columns(_ text: String) -> [String] { text.split(separator: "\n").map { String($0.prefix(34)) } }
        #expect(df.status == 0 && columns(df.stdout) == columns(daemon.cli("system", "df").stdout), "\(df)")
        #expect(remote("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}").stdout == "Images 1 1\nContainers 1 1\nLocal Volumes 0 0\nBuild Cache 0 0\n")

        // commit: -c, -m, -a and the pause; the image on the daemon's side.
        #expect(daemon.cli("exec", "box", "sh", "-c", "echo kept > /kept").status == 0)
        let commit = remote("commit", "-c", "ENV STAGE=two", "-m", "second", "-a", "me <me@x>", "box", "snap:2")
        #expect(commit.status == 0 && commit.stdout.hasPrefix("sha256:") && commit.stdout.count == 72, "\(commit)")
        let snap = daemon.cli("inspect", "-f", "{{.Author}}|{{.Comment}}|{{.Config.Env}}", "snap:2")
        #expect(snap.stdout.hasPrefix("me <me@x>|second|[") && snap.stdout.contains("STAGE=two"), "\(snap)")
        #expect(daemon.cli("inspect", "-f", "{{.State.Status}}", "box").stdout == "running\n")
        #expect(remote("run", "--rm", "snap:2", "cat", "/kept").stdout == "kept\n")
        #expect(remote("commit", "nothere").status == 1)

        // prunes: a stopped container, then the unused image (-a), then system prune with nothing left.
        #expect(remote("run", "--name", "done", "busybox", "true").status == 0)
        let doneID = daemon.cli("inspect", "-f", "{{.Id}}", "done").stdout.trimmed
        let containers = remote("container", "prune", "-f")
        #expect(containers.status == 0 && containers.stdout == "Deleted Containers:\n\(doneID)\n\n", "\(containers)")
        let filtered = remote("image", "prune", "-a", "-f", "--filter", "label=nothing=here")
        #expect(filtered.status == 0 && filtered.stdout == "Total reclaimed space: 0B\n", "\(filtered)")
        let images = remote("image", "prune", "-a", "-f")
        #expect(images.status == 0 && images.stdout.hasPrefix("Deleted Images:\nuntagged: snap:2\ndeleted: sha256:") && images.stdout.contains("Total reclaimed space: "), "\(images)")
        #expect(daemon.cli("images", "--format", "{{.Repository}}").stdout == "busybox\n")
        #expect(remote("rm", "-f", "box").status == 0)
        let system = remote("system", "prune", "-a", "-f")
        #expect(system.status == 0 && system.stdout.hasPrefix("Deleted Images:\nuntagged: busybox:latest\ndeleted: sha256:")
                && system.stdout.contains("\n\nTotal reclaimed space: ") && system.stdout.hasSuffix("B\n"), "\(system)")
        #expect(daemon.cli("images", "-q").stdout.isEmpty)
        let unknown = remote("image", "prune", "--filter", "colour=red")
        #expect(unknown.status == 1 && unknown.stderr.contains("colour"), "\(unknown)")
    }

    /// Tars both ways: import (a file and standard input), save → load through the client's file and
    /// through a pipe into a second daemon, export.
    @Test func imageAndContainerTarsThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        let other = try LighterDaemon()
        defer { other.stop() }
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)", otherHost = "unix://\(other.socketPath)"
        func remote(_ arguments: String..., stdin: String? = nil) -> ProcessResult { RemoteStreamsTests.remote(client, host, arguments, stdin: stdin) }
        func shell(_ command: String) -> ProcessResult {
            Run.capture(["sh", "-c", command], environment: ["L": "\(Repository.lighterBinary) --root \(client.root.path)", "H": host, "H2": otherHost,
                                                           "TAR": Repository.busyboxTarball("amd64"), "DIR": client.root.path])
        }

        // import: a file with -c/-m/--platform, and the same tar on standard input.
        let imported = remote("import", "--platform", "linux/amd64", "-c", "CMD [\"/bin/sh\"]", "-m", "from the client", Repository.busyboxTarball("amd64"), "busybox:latest")
        #expect(imported.status == 0 && imported.stdout.hasPrefix("sha256:") && imported.stdout.count == 72, "\(imported)")
        #expect(daemon.cli("images", "-q", "--no-trunc").stdout == imported.stdout)
        #expect(daemon.cli("history", "--format", "{{.Comment}}", "busybox").stdout == "from the client\n")
        let piped = shell("$L -H $H import - piped:1 < $TAR")
        #expect(piped.status == 0 && piped.stdout.hasPrefix("sha256:"), "\(piped)")
        #expect(daemon.cli("inspect", "-f", "{{.RootFS.Layers}}", "piped:1").stdout == daemon.cli("inspect", "-f", "{{.RootFS.Layers}}", "busybox").stdout)
        #expect(client.run("images", "-q").stdout.isEmpty)

        // save -o → load -i, through the client's file; save | load between two daemons.
        let archive = client.root.sub("saved.tar")
        #expect(remote("save", "-o", archive, "busybox").status == 0)
        let leftovers = try FileSystem.list(client.root.path).filter { $0.contains(".lighter-") }
        #expect(FileSystem.exists(archive) && leftovers.isEmpty, "\(leftovers)")
        #expect(remote("rmi", "busybox").status == 0)
        let loaded = remote("load", "-i", archive)
        #expect(loaded.status == 0 && loaded.stdout == "Loaded image: busybox:latest\n", "\(loaded)")
        #expect(daemon.cli("images", "-q", "--no-trunc", "busybox").stdout == imported.stdout)
        // (One image a pipe: two images sharing a layer in one archive hit the store's loader, which
        // wants that layer's blob once per image — a local `save A B | load` fails the same way.)
        let between = shell("$L -H $H save piped:1 | $L -H $H2 load")
        #expect(between.status == 0 && between.stdout == "Loaded image: piped:1\n", "\(between)")
        #expect(other.cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "piped:1\n")
        #expect(shell("$L -H $H2 load -q < $DIR/saved.tar").stdout.isEmpty)
        let missing = remote("save", "-o", archive, "nothere")
        #expect(missing.status == 1 && missing.stderr.hasPrefix("Error response from daemon: "), "\(missing)")
        #expect(remote("save", "--format", "oci", "-o", archive, "busybox").status != 0)

        // export: the container's files, to a file and to a pipe.
        #expect(remote("run", "--name", "box", "busybox", "sh", "-c", "echo inside > /marker").status == 0)
        let exported = client.root.sub("box.tar")
        #expect(remote("export", "-o", exported, "box").status == 0)
        #expect(Run.capture(["tar", "-xOf", exported, "marker"]).stdout == "inside\n")
        #expect(shell("$L -H $H container export box | tar -xO marker").stdout == "inside\n")
        #expect(remote("export", "-o", exported, "nothere").status == 1)
    }

    /// push with the client's credentials in X-Registry-Auth; login checked by the daemon and stored by
    /// the client; logout only forgets them locally.
    @Test func pushAndLoginWithTheClientsCredentials() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let registry = try AuthRegistry(user: "alice", password: "wonder land")
        defer { registry.stop() }
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        let authFile = client.root.sub("auth.json")
        let environment = ["LIGHTER_AUTH_FILE": authFile, "DOCKER_CONFIG": client.root.path]
        func remote(_ arguments: String..., stdin: String? = nil) -> ProcessResult {
            RemoteStreamsTests.remote(client, host, arguments, stdin: stdin, environment: environment)
        }
        let server = "127.0.0.1:\(registry.port)"
        let image = "\(server)/team/busybox:v1"
        #expect(remote("tag", "busybox", image).status == 0)
        #expect(waitForPort(registry.port))

        let anonymous = remote("push", image)
        #expect(anonymous.status == 1 && anonymous.stderr.contains("authentication required"), "\(anonymous)")
        let wrong = remote("login", "-u", "alice", "--password-stdin", server, stdin: "wonderland\n")
        #expect(wrong.status == 1 && wrong.stderr.hasPrefix("Error response from daemon: ") && !FileSystem.exists(authFile), "\(wrong)")
        let login = remote("login", "-u", "alice", "--password-stdin", server, stdin: "wonder land\n")
        #expect(login.status == 0 && login.stdout == "Login Succeeded\n", "\(login)")
        #expect(((try? FileSystem.readString(authFile)) ?? "").contains("YWxpY2U6d29uZGVyIGxhbmQ="))
        #expect(!((try? FileSystem.readString(daemon.lighter.root.sub("auth.json"))) ?? "").contains("YWxpY2"))

        let push = remote("push", image)
        #expect(push.status == 0 && push.stdout.hasPrefix("The push refers to repository [\(server)/team/busybox]\n")
                && push.stdout.contains(": Pushed\n") && push.stdout.contains("v1: digest: sha256:"), "\(push)")
        #expect(remote("push", image).stdout.contains(": Layer already exists\n"))
        #expect(remote("push", "-q", image).stdout == "\(image)\n")
        let refused = remote("push", "--insecure-registry", server, image)
        #expect(refused.status != 0 && refused.stderr.contains("--insecure-registry"), "\(refused)")
        #expect(remote("rmi", image).status == 0)
        #expect(remote("pull", image).status == 0)    // the pushed image comes back (the daemon's own pull)
        let absent = remote("push", "\(server)/team/absent:v1")
        #expect(absent.status == 1 && absent.stderr.hasPrefix("Error response from daemon: "), "\(absent)")

        let logout = remote("logout", server)
        #expect(logout.status == 0 && logout.stdout == "Removing login credentials for \(server)\n", "\(logout)")
        #expect(!((try? FileSystem.readString(authFile)) ?? "").contains("YWxpY2"))
    }

    /// cp both ways through the archive API, by the local cp's rules (file into a directory, a directory
    /// to a new name, "/." contents, -L, "-" tars both ways with -a keeping the tar's owners).
    @Test func copyBothWaysThroughTheDaemon() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { RemoteStreamsTests.remote(client, host, arguments) }
        func inside(_ command: String) -> String { daemon.cli("exec", "box", "sh", "-c", command).stdout }
        #expect(remote("run", "-d", "--name", "box", "busybox", "sleep", "300").status == 0)
        let work = try client.root.directory("work")
        try FileSystem.makeDirectories("\(work)/d/sub")
        try FileSystem.writeAtomically(Array("hi\n".utf8), to: "\(work)/d/f", mode: 0o640)
        try FileSystem.writeAtomically(Array("deep\n".utf8), to: "\(work)/d/sub/g", mode: 0o755)
        #expect(symlink("f", "\(work)/d/link") == 0)

        // Into the container: a file into a directory, a directory to a new name, contents, a followed link.
        #expect(remote("cp", "\(work)/d/f", "box:/tmp/").status == 0)
        #expect(inside("stat -c '%a %u %s' /tmp/f") == "640 0 3\n")
        #expect(remote("cp", "\(work)/d", "box:/tmp/copy").status == 0)
        #expect(inside("cd /tmp/copy && find . | sort && readlink link && cat sub/g && stat -c %a sub/g") == ".\n./f\n./link\n./sub\n./sub/g\nf\ndeep\n755\n")
        #expect(remote("cp", "\(work)/d/.", "box:/tmp/copy2").status == 0 && inside("ls /tmp/copy2") == "f\nlink\nsub\n")
        #expect(remote("cp", "\(work)/d/.", "box:/tmp/copy").status == 0)    // into an existing directory: merged
        #expect(remote("cp", "-L", "\(work)/d/link", "box:/tmp/followed").status == 0 && inside("cat /tmp/followed") == "hi\n")
        #expect(remote("cp", "\(work)/d/f", "box:/tmp/f").status == 0)    // over a file
        let dirOverFile = remote("cp", "\(work)/d", "box:/tmp/f")
        #expect(dirOverFile.status == 1 && dirOverFile.stderr.contains("cannot copy a directory to a file"), "\(dirOverFile)")

        // Out of it: a directory to a new name, a file, and the same bytes as the local cp on the daemon's root.
        #expect(remote("cp", "box:/tmp/copy", "\(work)/out").status == 0)
        #expect(try FileSystem.readString("\(work)/out/sub/g") == "deep\n")
        #expect((FileSystem.lstatOrNil("\(work)/out/f")?.st_mode ?? 0) & 0o7777 == 0o640)
        #expect((try? FileSystem.readLink("\(work)/out/link")) == "f")
        #expect(remote("cp", "box:/tmp/followed", "\(work)/out/").status == 0)
        #expect(try FileSystem.readString("\(work)/out/followed") == "hi\n")
        #expect(daemon.cli("cp", "box:/tmp/copy", "\(work)/local").status == 0)
        #expect(Run.capture(["diff", "-r", "\(work)/out/sub", "\(work)/local/sub"]).status == 0)
        let absent = remote("cp", "box:/nothere", "\(work)/x")
        #expect(absent.status == 1 && absent.stderr.hasPrefix("Error response from daemon: "), "\(absent)")

        // "-": a tar out on standard output; a tar in from standard input, -a keeping its owners.
        let tarOut = Run.capture(["sh", "-c", "\(Repository.lighterBinary) --root \(client.root.path) -H \(host) cp box:/tmp/copy - | tar -t | sort"])
        #expect(tarOut.stdout == "copy/\ncopy/f\ncopy/link\ncopy/sub/\ncopy/sub/g\n", "\(tarOut)")
        let tarIn = Run.capture(["sh", "-c", "tar -c --owner=1234 --group=99 -C \(work)/d f | \(Repository.lighterBinary) --root \(client.root.path) -H \(host) cp -a - box:/tmp"])
        #expect(tarIn.status == 0, "\(tarIn)")
        #expect(inside("stat -c '%u:%g' /tmp/f") == "1234:99\n")
        let plain = Run.capture(["sh", "-c", "tar -c --owner=1234 --transform s/f/h/ -C \(work)/d f | \(Repository.lighterBinary) --root \(client.root.path) -H \(host) cp - box:/tmp"])
        #expect(plain.status == 0 && inside("stat -c '%u' /tmp/h") == "0\n", "\(plain)")
        #expect(remote("rm", "-f", "box").status == 0)
    }

    /// attach with stdin to a container already running with -i (`run -di`): typed lines reach its shell
    /// through the monitor's attach socket; its output and exit code come back; a container whose stdin
    /// was attached at start is refused by name.
    @Test func attachStdinToARunningContainer() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        #expect(RemoteStreamsTests.remote(client, host, ["run", "-di", "--name", "shell", "busybox", "sh"]).status == 0)
        var running = ""
        for _ in 0..<100 where running != "true\n" {
            usleep(20_000)
            running = daemon.cli("inspect", "-f", "{{.State.Running}}", "shell").stdout
        }
        let attached = RemoteStreamsTests.remote(client, host, ["attach", "shell"], stdin: "echo typed-in; echo oops >&2; exit 7\n")
        #expect(attached.status == 7 && attached.stdout == "typed-in\n" && attached.stderr == "oops\n", "\(attached)")
        #expect(daemon.cli("inspect", "-f", "{{.State.ExitCode}}", "shell").stdout == "7\n")

        // Detaching (the client's end) leaves it running, its stdin still open for the next attach.
        #expect(RemoteStreamsTests.remote(client, host, ["start", "shell"]).status == 0)
        let first = Run.capture(["sh", "-c", "(echo 'echo one > /tmp/one'; sleep 1) | timeout -s KILL 3 \(Repository.lighterBinary) --root \(client.root.path) -H \(host) attach shell"])
        #expect([124, 137].contains(first.status), "\(first)")
        #expect(daemon.cli("exec", "shell", "cat", "/tmp/one").stdout == "one\n")
        let second = RemoteStreamsTests.remote(client, host, ["attach", "shell"], stdin: "cat /tmp/one; exit 3\n")
        #expect(second.status == 3 && second.stdout == "one\n", "\(second)")
    }
}
