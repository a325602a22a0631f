#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `lighter daemon --auto-update-interval`: the daemon runs `auto-update` on its own, so a board that
/// runs the daemon needs no cron or timer for it.
@Suite(.serialized) struct DaemonAutoUpdateTests {
    @Test func theDaemonUpdatesALabelledContainerOnItsInterval() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let (v1, v2, _) = AutoUpdateTests.images(lighter)
        AutoUpdateTests.runWeb(lighter)
        defer { lighter.run("rm", "-f", "web") }
        let daemon = try LighterDaemon(lighter: lighter, flags: ["--auto-update-interval", "1s"])
        defer { daemon.stop() }
        // Nothing newer: a few rounds change nothing and log nothing.
        sleep(3)
        #expect(lighter.run("inspect", "-f", "{{.Image}}", "web").stdout.trimmed == v1)
        #expect(!((try? FileSystem.readString(lighter.root.sub("daemon.log"))) ?? "").contains("auto-update:"))
        // A newer image under the tag: the daemon's next round replaces the container (health-gated).
        #expect(lighter.run("tag", "app:v2", "app:latest").status == 0)
        var image = ""
        for _ in 0..<300 where image != v2 {
            usleep(100_000)
            image = lighter.run("inspect", "-f", "{{.Image}}", "web").stdout.trimmed
        }
        #expect(image == v2)
        #expect(HealthCheckTests.waitFor(lighter, "web", "{{.State.Health.Status}}", "healthy") == "healthy")
        var log = ""
        for _ in 0..<100 where !log.contains("auto-update: web app:latest local true") {
            usleep(100_000)
            log = (try? FileSystem.readString(lighter.root.sub("daemon.log"))) ?? ""
        }
        #expect(log.contains("lighter daemon: auto-update: web app:latest local true"), "\(log)")
        #expect(AutoUpdateTests.names(lighter) == ["web"])
    }

    @Test func aBadIntervalFailsTheStart() {
        let lighter = Lighter()
        for interval in ["0s", "500ms", "soon"] {
            let started = lighter.run("daemon", "-H", "unix://\(lighter.root.sub("x.sock"))", "--auto-update-interval", interval)
            #expect(started.status == 1 && started.stderr.contains("--auto-update-interval \(interval): give a duration of at least 1s"), "\(started.stderr)")
        }
    }
}
