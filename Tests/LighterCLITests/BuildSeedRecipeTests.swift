#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// The seed's recipe (its §Dockerfile: tutum's hello-world, nginx on alpine) adapted to busybox:
/// httpd instead of nginx, the same instructions in the same order. Built, run with `-p`, a page
/// fetched through the published port; rebuilt unchanged (every step cached) and after one file of
/// `www` changed (only the steps from `ADD www` on run again).
@Suite(.serialized) struct BuildSeedRecipeTests {
    static let dockerfile = """
        FROM busybox
        MAINTAINER support@tutum.co
        RUN mkdir -p /var/log/httpd && \\
            touch /var/log/httpd/access.log && \\
            mkdir -p /tmp/httpd && \\
            echo "clear_env = no" >> /etc/httpd-env.conf
        ADD www /www
        ADD httpd.conf /etc/httpd/
        EXPOSE 80
        CMD exec httpd -f -p 80 -h /www -c /etc/httpd/httpd.conf
        """

    static func context() throws -> TestDirectory {
        try BuildCommandTests.context([
            "Dockerfile": dockerfile,
            "www/index.html": "<h1>Hello world!</h1>\n",
            "www/logo.txt": "tutum\n",
            "httpd.conf": ".html:text/html\n",
        ])
    }

    @Test func seedRecipeBuildsServesThroughAPublishedPortAndRebuildsFromTheChangedStep() throws {
        let rig = NetworkRig()
        let context = try Self.context()
        let cold = rig.run("build", "--progress", "plain", "-t", "hello-world", context.path)
        #expect(cold.status == 0, "\(cold.stderr)")
        #expect(!cold.stderr.contains("CACHED"))
        let config = try BuildCommandTests.config(rig.lighter, "hello-world")
        #expect(config.author == "support@tutum.co")
        #expect(config.config?.ExposedPorts?.keys.sorted() == ["80/tcp"])
        #expect(config.config?.Cmd == ["/bin/sh", "-c", "exec httpd -f -p 80 -h /www -c /etc/httpd/httpd.conf"])

        let started = rig.run("run", "-d", "--name", "hello", "-p", "8080:80", "hello-world")
        #expect(started.status == 0, "\(started.stderr)")
        #expect(rig.fetch("http://127.0.0.1:8080/", from: rig.engine) == "<h1>Hello world!</h1>\n")
        #expect(rig.fetch("http://127.0.0.1:8080/logo.txt", from: rig.engine) == "tutum\n")
        #expect(rig.run("exec", "hello", "cat", "/etc/httpd-env.conf").stdout == "clear_env = no\n")

        // Unchanged: every step after FROM comes from the cache, and the image is the same.
        let id = rig.run("image", "inspect", "--format", "{{.Id}}", "hello-world").stdout
        let again = rig.run("build", "--progress", "plain", "-t", "hello-world", context.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.ranges(of: "CACHED").count == 6, "\(again.stderr)")
        #expect(rig.run("image", "inspect", "--format", "{{.Id}}", "hello-world").stdout == id)

        // One file of www changed: MAINTAINER and RUN cached, ADD www and what follows run again.
        try context.write("www/index.html", "<h1>Hello again!</h1>\n")
        let changed = rig.run("build", "--progress", "plain", "-t", "hello-world:2", context.path)
        #expect(changed.status == 0, "\(changed.stderr)")
        let lines = changed.stderr.split(separator: "\n").map(String.init)
        func outcome(_ step: String) -> String? {
            guard let start = lines.first(where: { $0.contains("] \(step)") }), let number = start.split(separator: " ").first else { return nil }
            return lines.last { $0.hasPrefix("\(number) ") && ($0.hasSuffix("CACHED") || $0.contains(" DONE ")) }.map { $0.hasSuffix("CACHED") ? "CACHED" : "DONE" }
        }
        #expect(outcome("MAINTAINER") == "CACHED")
        #expect(outcome("RUN mkdir") == "CACHED", "\(changed.stderr)")
        #expect(outcome("ADD www") == "DONE", "\(changed.stderr)")
        #expect(outcome("ADD httpd.conf") == "DONE")
        #expect(outcome("EXPOSE") == "DONE")
        #expect(outcome("CMD") == "DONE")
        let second = rig.run("run", "-d", "--name", "hello2", "-p", "8081:80", "hello-world:2")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(rig.fetch("http://127.0.0.1:8081/", from: rig.engine) == "<h1>Hello again!</h1>\n")
        // The RUN layer is shared by both images: one layer row, two images over it.
        let layers1 = try BuildCommandTests.config(rig.lighter, "hello-world").rootfs.diff_ids
        let layers2 = try BuildCommandTests.config(rig.lighter, "hello-world:2").rootfs.diff_ids
        #expect(layers1.count == layers2.count && layers1.count >= 4)
        #expect(Array(layers1.prefix(layers1.count - 2)) == Array(layers2.prefix(layers2.count - 2)))
        #expect(layers1[layers1.count - 2] != layers2[layers2.count - 2])
    }
}
