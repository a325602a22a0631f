#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// `ADD http(s)://URL` against a loopback web server (the host's busybox httpd): Docker's mode,
/// mtime and cache rules, `--checksum`, and Git sources refused.
@Suite(.serialized) struct BuildAddURLTests {
    /// busybox httpd serving `directory` on 127.0.0.1; stopped by `stop`.
    struct WebServer {
        let port: Int
        let pid: pid_t
        init(_ directory: String) {
            port = freePort()
            pid = Run.spawn(["busybox", "httpd", "-f", "-p", "127.0.0.1:\(port)", "-h", directory], stdout: "/dev/null", stderr: "/dev/null")
            _ = waitForPort(port)
        }
        func stop() {
            kill(pid, SIGKILL)
            _ = Run.wait(pid)
        }
    }

    @Test func addFetchesAURLWithDockersModeTimeAndCacheRules() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let www = TestDirectory("lighter-add-url-www")
        try www.write("data.txt", "fetched over http\n")
        try www.write("archive.tar.gz", [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Run.sh("touch -d '2020-01-02 03:04:05 UTC' \(www.sub("data.txt"))").status == 0)
        let server = WebServer(www.path)
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let sum = Digest.of(Array("fetched over http\n".utf8))
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox
            ADD \(base)/data.txt /fetched/
            ADD --checksum=\(sum) \(base)/data.txt?version=1 /named.txt
            ADD --chmod=0644 --chown=7:8 \(base)/archive.tar.gz /archives/
            """])
        let first = lighter.run("build", "--progress", "plain", "-t", "url:1", context.path)
        #expect(first.status == 0, "\(first.stderr)")
        let seen = lighter.run("run", "--rm", "url:1", "sh", "-c",
                               "stat -c '%a %u %g %Y' /fetched/data.txt /named.txt /archives/archive.tar.gz; cat /fetched/data.txt /named.txt")
        // 0600 and root as Docker; the Last-Modified time as mtime; archives fetched are not unpacked.
        #expect(seen.stdout.hasPrefix("600 0 0 1577934245\n600 0 0 1577934245\n644 7 8 "), "\(seen.stdout)")
        #expect(seen.stdout.hasSuffix("fetched over http\nfetched over http\n"))
        // Fetched again on every build; an unchanged body reuses the steps, a new Last-Modified too.
        #expect(Run.sh("touch -d '2021-01-01 00:00:00 UTC' \(www.sub("data.txt"))").status == 0)
        let again = lighter.run("build", "--progress", "plain", "-t", "url:2", context.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.ranges(of: "CACHED").count == 3, "\(again.stderr)")
        // A new body reruns the step; the checksum no longer matches: the error names both.
        try www.write("data.txt", "changed\n")
        let changed = lighter.run("build", "--progress", "plain", context.path)
        #expect(changed.status != 0)
        #expect(changed.stderr.contains("[2/4] ADD \(base)/data.txt /fetched/\n#2 DONE") || changed.stderr.contains("#2 DONE"), "\(changed.stderr)")
        #expect(changed.stderr.contains("expected \(sum), got \(Digest.of(Array("changed\n".utf8)))"), "\(changed.stderr)")
        #expect(changed.stderr.contains("Dockerfile:3"), "\(changed.stderr)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        #expect(try FileSystem.list("\(lighter.root.path)/tmp").filter { $0.hasPrefix("add-url") }.isEmpty)
    }

    @Test func badURLsAndGitSourcesAreClearErrors() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let www = TestDirectory("lighter-add-url-www")
        try www.write("data.txt", "x\n")
        let server = WebServer(www.path)
        defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let cases: [(String, String)] = [
            ("ADD \(base)/missing.txt /m", "the server answered 404"),
            ("ADD \(base)/ /dir/", "the URL names no file"),
            ("COPY \(base)/data.txt /d", "COPY cannot fetch a URL"),
            ("ADD --checksum=sha256:1234 \(base)/data.txt /d", "give sha256:<64 hex digits>"),
            ("COPY --checksum=sha256:\(String(repeating: "0", count: 64)) data.txt /d", "unknown flag --checksum for COPY"),
            ("ADD --checksum=sha256:\(String(repeating: "0", count: 64)) data.txt /d", "--checksum is for ADD of an http(s) URL only"),
            // Refused before anything is fetched (no outside address is ever contacted).
            ("ADD https://github.com/example/repository.git /src", "ADD of a Git repository (https://github.com/example/repository.git, line 2) is not available"),
            ("ADD git@github.com:example/repository.git /src", "ADD of a Git repository"),
            ("ADD --keep-git-dir=true \(base)/data.txt /src", "ADD --keep-git-dir (line 2) is not available"),
        ]
        for (line, message) in cases {
            let context = try BuildCommandTests.context(["data.txt": "x\n", "Dockerfile": "FROM busybox\n\(line)\n"])
            let result = lighter.run("build", "--progress", "plain", context.path)
            #expect(result.status != 0, "\(line)")
            #expect(result.stderr.contains(message), "\(line): \(result.stderr)")
        }
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
    }
}
