#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter -H … system df [-v]` against Lighter's daemon, compared with what Docker's CLI prints from the
/// same daemon at the same moment: two images sharing a layer, a running container, a volume it mounts.
@Suite(.serialized) struct RemoteDiskUsageTests {
    static let docker = "/usr/local/bin/docker"

    @Test(.enabled(if: FileSystem.exists(RemoteDiskUsageTests.docker)))
    func verboseDiskUsagePrintsWhatDockersCLIPrints() throws {
        let daemon = try LighterDaemon()
        defer { daemon.stop() }
        #expect(daemon.lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nRUN echo x > /x\n"])
        #expect(daemon.lighter.run("build", "-q", "--network", "none", "-t", "derived", context.path).status == 0)
        #expect(daemon.lighter.run("volume", "create", "data").status == 0)
        let run = daemon.lighter.run("run", "-d", "--network", "none", "--name", "user", "-v", "data:/data", "derived",
                                     "sh", "-c", "echo hi > /data/f; echo y > /y; sleep 600")
        try #require(run.status == 0, "\(run)")
        defer { _ = daemon.lighter.run("rm", "-f", "user") }
        let client = Lighter()
        let host = "unix://\(daemon.socketPath)"
        func remote(_ arguments: String...) -> ProcessResult { RemoteStreamsTests.remote(client, host, arguments) }

        // The summary: sizes to four digits, the images in use holding only their unique part.
        let summary = remote("system", "df")
        #expect(summary.status == 0 && summary.stdout == daemon.docker(Self.docker, "system", "df").stdout, "\(summary)")
        #expect(summary.stdout.contains("\nImages          2         1 "), "\(summary.stdout)")

        // -v, --format json and a template: the same text as Docker's, taken within the same second (the
        // CREATED and STATUS columns are relative times); a few tries in case a second ticks in between.
        let template = "{{range .Images}}{{.ID}} {{.Repository}}:{{.Tag}} {{.Size}} {{.SharedSize}} {{.UniqueSize}} {{.Containers}}\\n{{end}}" +
            "{{range .Containers}}{{.ID}} {{.Command}} {{.LocalVolumes}} {{.Size}} {{.Names}}\\n{{end}}{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}{{end}}"
        for flags in [["-v"], ["-v", "--format", "json"], ["-v", "--format", template]] {
            var pairs: [(lighter: ProcessResult, docker: ProcessResult)] = []
            for _ in 0..<5 {
                let ours = RemoteStreamsTests.remote(client, host, ["system", "df"] + flags)
                let theirs = Run.capture(["timeout", "-s", "KILL", "60", Self.docker, "-H", host, "system", "df"] + flags,
                                         environment: ["DOCKER_CONFIG": daemon.clientConfig])
                pairs.append((ours, theirs))
                if ours.stdout == theirs.stdout { break }
            }
            let last = pairs[pairs.count - 1]
            #expect(last.lighter.status == 0 && last.docker.status == 0, "\(flags): \(last.lighter.stderr) \(last.docker.stderr)")
            #expect(last.lighter.stdout == last.docker.stdout, "\(flags)\n\(last.lighter.stdout)\n---\n\(last.docker.stdout)")
            // Line for line without the relative times, on every try.
            for pair in pairs {
                #expect(Self.timeless(pair.lighter.stdout) == Self.timeless(pair.docker.stdout), "\(flags)")
            }
        }

        // What the rows hold: busybox all shared, derived its RUN layer unique and one container; the volume's
        // one link; the container's command shortened in the table.
        let verbose = remote("system", "df", "-v").stdout.split(separator: "\n").map(String.init)
        #expect(verbose.contains { $0.hasPrefix("busybox      latest ") && $0.hasSuffix(" 0B            0") }, "\(verbose)")
        #expect(verbose.contains { $0.hasPrefix("derived      latest ") && $0.hasSuffix(" 1") && !$0.contains(" 0B ") }, "\(verbose)")
        #expect(verbose.contains { $0.hasPrefix("data          1 ") }, "\(verbose)")
        #expect(verbose.contains { $0.contains("\"sh -c echo hi > /da…\"") }, "\(verbose)")
        #expect(verbose.last == "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED")
    }

    /// The text with relative times ("3 seconds ago", "Up 3 seconds") as one word and spaces collapsed.
    static func timeless(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            let timed = String(line)
                .replacing(/(Less than a second|About a minute|About an hour|An hour|\d+ [a-z]+) ago/, with: "AGO")
                .replacing(/Up (Less than a second|About a minute|About an hour|An hour|\d+ [a-z]+)/, with: "UP")
            return timed.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
    }
}
