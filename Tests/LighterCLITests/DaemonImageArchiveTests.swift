#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The daemon's `/build`, `/images/get` and `/images/load`, driven by the docker CLIs this host has.
@Suite(.serialized) struct DaemonImageArchiveTests {
    @Test(arguments: LighterDaemon.clients)
    func classicBuildThenRunAndFailingRun(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let context = try daemon.lighter.root.directory("ctx")
        _ = try daemon.lighter.root.write("ctx/greeting.txt", "hello from the context\n")
        // A context larger than the daemon's JSON body limit (4 MiB): the daemon spools it to a file.
        _ = try daemon.lighter.root.write("ctx/big.bin", [UInt8](repeating: 7, count: 6 * 1024 * 1024))
        _ = try daemon.lighter.root.write("ctx/Dockerfile", """
            FROM busybox
            ARG WHO=nobody
            RUN echo "built by $WHO" > /built
            COPY greeting.txt /greeting.txt
            CMD ["sh", "-c", "cat /built /greeting.txt"]

            """)
        let build = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "-t", "t1", "--build-arg", "WHO=docker", context],
                                environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
        #expect(build.status == 0, "\(build.stdout) \(build.stderr)")
        #expect(build.stdout.contains("Step 1/5 : FROM busybox"), "\(build.stdout)")
        #expect(build.stdout.contains("Step 3/5 : RUN echo \"built by $WHO\" > /built"), "\(build.stdout)")
        #expect(build.stdout.contains("Successfully built "))
        #expect(build.stdout.contains("Successfully tagged t1:latest"))
        let run = daemon.docker(client, "run", "--rm", "t1")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "built by docker\nhello from the context\n")
        // The CLI on the board sees the image the daemon built.
        #expect(daemon.lighter.run("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.contains("t1:latest"))
        // Again, from the cache: the classic builder's ` ---> Using cache` and ` ---> ID` of each step's
        // image (FROM's base, RUN, COPY, CMD: ARG makes none in Lighter), all of them in `images -a`.
        let again = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "-t", "t1", "--build-arg", "WHO=docker", context],
                                environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(again.stdout.contains("Step 3/5 : RUN echo \"built by $WHO\" > /built\n ---> Using cache\n ---> "), "\(again.stdout)")
        let stepIDs = again.stdout.split(separator: "\n").filter { $0.hasPrefix(" ---> ") && !$0.hasSuffix("Using cache") }.map { String($0.dropFirst(6)) }
        let all = daemon.lighter.run("images", "-a", "-q").stdout.split(separator: "\n").map(String.init)
        #expect(stepIDs.count == 4 && stepIDs.allSatisfy { all.contains($0) }, "\(stepIDs) \(all)")
        #expect(again.stdout.contains("Successfully built \(stepIDs.last ?? "?")"), "\(again.stdout)")
        // Through the daemon too, `images` hides the step images and `images -a` lists them.
        let listed = daemon.docker(client, "images", "-q").stdout.split(separator: "\n").count
        let listedAll = daemon.docker(client, "images", "-a", "-q").stdout.split(separator: "\n").count
        #expect(listed == 2 && listedAll == all.count, "\(listed) \(listedAll) \(all)")

        _ = try daemon.lighter.root.write("ctx/Dockerfile.bad", "FROM busybox\nRUN echo about to fail; exit 4\n")
        let bad = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "-f", "\(context)/Dockerfile.bad", "-t", "t2", context],
                              environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("failed with exit code 4"), "\(bad.stdout) \(bad.stderr)")
        #expect(daemon.docker(client, "image", "inspect", "t2").status != 0)
        // A classic-builder setting Lighter's builder has not is refused by name, never ignored.
        let shm = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "--shm-size", "64m", "-t", "t3", context],
                              environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
        #expect(shm.status != 0)
        #expect(shm.stderr.contains("build option shmsize=67108864 is not supported"), "\(shm.stdout) \(shm.stderr)")
        // The build left no containers and no scratch directories behind.
        #expect(daemon.lighter.run("ps", "-aq").stdout == "")
        #expect(((try? FileSystem.list(daemon.lighter.root.sub("tmp"))) ?? []).filter { $0.hasPrefix("daemon-") } == [])
    }

    /// The classic builder's container lines, as dockerd 20.10 prints them for a RUN: ` ---> Running in ID`
    /// after the step line, RUN's output, `Removing intermediate container ID`, then ` ---> IMAGE`; the ID
    /// is 12 hex characters of the container the step ran in (created, then destroyed: the event log
    /// says so), gone after the build. COPY and a cached RUN run in none.
    @Test(arguments: LighterDaemon.clients)
    func classicBuildNamesRunContainers(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let context = try daemon.lighter.root.directory("ctx")
        _ = try daemon.lighter.root.write("ctx/note.txt", "note\n")
        _ = try daemon.lighter.root.write("ctx/Dockerfile", "FROM busybox\nRUN echo hi from run\nCOPY note.txt /note.txt\n")
        let since = String(time(nil) - 1)
        let build = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "-t", "named", context],
                                environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
        #expect(build.status == 0, "\(build.stdout) \(build.stderr)")
        let lines = build.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let step = lines.firstIndex(of: "Step 2/3 : RUN echo hi from run"), step + 4 < lines.count else {
            Issue.record("no RUN step in \(build.stdout)")
            return
        }
        let running = lines[step + 1]
        #expect(running.hasPrefix(" ---> Running in "), "\(build.stdout)")
        let id = String(running.dropFirst(" ---> Running in ".count))
        #expect(id.count == 12 && id.allSatisfy(\.isHexDigit) && id == id.lowercased(), "\(id)")
        #expect(lines[step + 2] == "hi from run", "\(build.stdout)")
        #expect(lines[step + 3] == "Removing intermediate container \(id)", "\(build.stdout)")
        #expect(lines[step + 4].hasPrefix(" ---> ") && !lines[step + 4].contains("Running in"), "\(build.stdout)")
        #expect(lines.filter { $0.contains("Running in") || $0.hasPrefix("Removing intermediate") }.count == 2, "\(build.stdout)")
        // A container with that ID existed during the build and was destroyed; none is left.
        let events = daemon.docker(client, "events", "--since", since, "--until", String(time(nil) + 1),
                                   "--filter", "type=container", "--format", "{{.Action}} {{.ID}}")
        #expect(events.status == 0, "\(events.stderr)")
        let actions = events.stdout.split(separator: "\n").filter { $0.split(separator: " ").last?.hasPrefix(id) == true }.map { $0.split(separator: " ")[0] }
        #expect(actions.contains("create") && actions.contains("destroy"), "\(events.stdout)")
        #expect(daemon.docker(client, "ps", "-aq", "--no-trunc").stdout == "")
        #expect(daemon.docker(client, "inspect", "--type", "container", id).status != 0)
        // From the cache: the RUN runs in no container, so no such lines.
        let again = Run.capture(["timeout", "120", client, "-H", "unix://\(daemon.socketPath)", "build", "-t", "named", context],
                                environment: ["DOCKER_CONFIG": daemon.clientConfig, "DOCKER_BUILDKIT": "0"])
        #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
        #expect(again.stdout.contains("Step 2/3 : RUN echo hi from run\n ---> Using cache\n ---> "), "\(again.stdout)")
        #expect(!again.stdout.contains("Running in") && !again.stdout.contains("Removing intermediate"), "\(again.stdout)")
    }

    @Test(arguments: LighterDaemon.clients)
    func saveLoadRoundTripAndIntoAnotherDataRoot(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let id = daemon.docker(client, "image", "inspect", "-f", "{{.Id}}", "busybox").stdout
        let file = daemon.lighter.root.sub("busybox.tar")
        let save = daemon.docker(client, "save", "-o", file, "busybox")
        #expect(save.status == 0, "\(save.stderr)")
        #expect(Run.sh("tar -tf \(file) | grep -c -E '^(manifest.json|repositories)$'").stdout == "2\n")
        // Into another data root with the board's CLI.
        let other = Lighter()
        let loaded = other.run("load", "-i", file)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout == "Loaded image: busybox:latest\n")
        #expect(other.run("run", "--rm", "--network", "none", "busybox", "echo", "moved").stdout == "moved\n")
        // docker save | docker load through the daemon, after removing the image.
        #expect(daemon.docker(client, "rmi", "busybox").status == 0)
        let pipe = Run.sh("DOCKER_CONFIG=\(daemon.clientConfig) \(client) -H unix://\(daemon.socketPath) load -i \(file)")
        #expect(pipe.status == 0, "\(pipe.stderr)")
        #expect(pipe.stdout == "Loaded image: busybox:latest\n")
        #expect(daemon.docker(client, "image", "inspect", "-f", "{{.Id}}", "busybox").stdout == id)
        let roundTrip = Run.sh("D='DOCKER_CONFIG=\(daemon.clientConfig) \(client) -H unix://\(daemon.socketPath)'; env $D save busybox | env $D load")
        #expect(roundTrip.status == 0, "\(roundTrip.stderr)")
        #expect(roundTrip.stdout == "Loaded image: busybox:latest\n")
        let missing = daemon.docker(client, "save", "-o", daemon.lighter.root.sub("none.tar"), "no-such-image")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no-such-image"), "\(missing.stderr)")
        other.root.remove()
    }

    @Test(arguments: LighterDaemon.clients)
    func commitARunningContainerThenItsHistory(client: String) throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let run = daemon.docker(client, "run", "-d", "--name", "src", "busybox", "sh", "-c", "echo made > /made; trap 'exit 0' TERM; while true; do sleep 0.1; done")
        #expect(run.status == 0, "\(run.stderr)")
        for _ in 0..<50 where daemon.docker(client, "exec", "src", "cat", "/made").stdout != "made\n" { usleep(100_000) }
        let commit = daemon.docker(client, "commit", "-m", "snapshot", "-a", "tester", "-c", "CMD [\"cat\", \"/made\"]", "src", "snap:v1")
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(commit.stdout.hasPrefix("sha256:"), "\(commit.stdout)")
        // Paused for the commit, running again after it.
        #expect(daemon.docker(client, "inspect", "-f", "{{.State.Status}}", "src").stdout == "running\n")
        let fromImage = daemon.docker(client, "run", "--rm", "snap:v1")
        #expect(fromImage.stdout == "made\n", "\(fromImage.stderr)")
        #expect(daemon.docker(client, "inspect", "-f", "{{.Author}} {{.Comment}}", "snap:v1").stdout == "tester snapshot\n")
        let history = daemon.docker(client, "history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Comment}}", "snap:v1")
        #expect(history.status == 0, "\(history.stderr)")
        let rows = history.stdout.split(separator: "\n").map(String.init)
        #expect(rows.count == 2, "\(history.stdout)")
        #expect(rows.first?.hasPrefix(commit.stdout.trimmed + "|") == true, "\(history.stdout)")
        #expect(rows.first?.hasSuffix("|snapshot") == true)
        // The entry below is the container's image's (the commit's Parent), as Docker shows it.
        let base = daemon.docker(client, "image", "inspect", "-f", "{{.Id}}", "busybox").stdout.trimmed
        #expect(rows.dropFirst().first?.hasPrefix(base + "|") == true, "\(history.stdout)")
        #expect(history.stdout.contains("sh -c echo made > /made"))
        let missing = daemon.docker(client, "commit", "no-such-container")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("No such container"), "\(missing.stderr)")
        #expect(daemon.docker(client, "history", "no-such-image").status != 0)
    }
}
