#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `auto-update` (policy local) and `rollback`: replacement on the tag's newer image, health-gated,
/// rolled back on failure, and finished or undone after a SIGKILL at any point.
@Suite(.serialized) struct AutoUpdateTests {
    /// The app: traps TERM (a quick stop), becomes ready after 1.5 s (its health check passes from then).
    static let app = #"CMD ["sh", "-c", "trap 'exit 0' TERM; sleep 1.5; touch /tmp/ready; while :; do sleep 0.1; done"]"#

    static let v2Changes = ["ENV V=2", "HEALTHCHECK --interval=200ms --start-period=20s --start-interval=200ms --retries=1 CMD test -f /tmp/ready"]
    static let v3Changes = ["ENV V=3", "HEALTHCHECK --interval=200ms --retries=1 CMD echo broken; false"]

    /// Import the busybox fixture as app:TAG with the app's command and `changes`; its id.
    static func make(_ lighter: Lighter, _ tag: String, _ changes: [String]) -> String {
        let result = lighter.run(["import", "--platform", "linux/amd64", "-c", app] + changes.flatMap { ["-c", $0] }
                                 + [Repository.busyboxTarball("amd64"), "app:\(tag)"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmed
    }

    /// app:v1 (no check), app:v2 (healthy once ready), app:v3 (never healthy); app:latest → v1. Their ids.
    static func images(_ lighter: Lighter) -> (v1: String, v2: String, v3: String) {
        let ids = (make(lighter, "v1", ["ENV V=1"]), make(lighter, "v2", v2Changes), make(lighter, "v3", v3Changes))
        #expect(lighter.run("tag", "app:v1", "app:latest").status == 0)
        return ids
    }

    static func runWeb(_ lighter: Lighter) {
        let run = lighter.run("run", "-d", "--name", "web", "-v", "appdata:/data", "-l", "io.containers.autoupdate=local", "app:latest")
        #expect(run.status == 0, "run -d --name web: \(run.stderr)")
    }

    static func names(_ lighter: Lighter) -> [String] {
        lighter.run("ps", "-a", "--format", "{{.Names}}").stdout.split(separator: "\n").map(String.init).sorted()
    }

    @Test func localUpdateRollbackAndRollbackByHand() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        defer { lighter.run("rm", "-f", "web") }
        let (v1, v2, _) = Self.images(lighter)
        Self.runWeb(lighter)
        #expect(lighter.run("exec", "web", "sh", "-c", "echo kept > /data/file").status == 0)
        let format = "{{.ContainerName}} {{.Image}} {{.Policy}} {{.Updated}}"
        #expect(lighter.run("auto-update", "--format", format).stdout == "web app:latest local false\n")

        // A newer image under the tag: --dry-run only says so.
        #expect(lighter.run("tag", "app:v2", "app:latest").status == 0)
        let before = lighter.run("inspect", "-f", "{{.Id}} {{.Image}}", "web").stdout
        let dry = lighter.run("auto-update", "--dry-run")
        #expect(dry.status == 0 && dry.stdout.hasPrefix("CONTAINER") && dry.stdout.contains("(web)   app:latest   local     pending\n"), "\(dry.stdout)")
        #expect(lighter.run("inspect", "-f", "{{.Id}} {{.Image}}", "web").stdout == before)

        // The update: same name and volume, new image, healthy; the old container is gone.
        let updated = lighter.run("auto-update", "--format", format)
        #expect(updated.status == 0 && updated.stdout == "web app:latest local true\n", "\(updated.stdout) \(updated.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.Image}} {{.State.Status}} {{.State.Health.Status}}", "web").stdout == "\(v2) running healthy\n")
        #expect(lighter.run("exec", "web", "sh", "-c", "echo $V; cat /data/file").stdout == "2\nkept\n")
        #expect(Self.names(lighter) == ["web"])
        #expect(lighter.run("events", "--since", "0", "--until", "0s", "--filter", "event=update", "--format", "{{.Actor.Attributes.name}}").stdout == "web\n")
        // The image it ran before is kept from prune (rollback needs it).
        #expect(lighter.run("image", "prune", "-a", "-f").status == 0)
        #expect(lighter.run("image", "inspect", "-f", "{{.Id}}", v1).stdout.trimmed == v1)
        #expect(lighter.run("image", "inspect", "app:v3").status != 0)   // unused, not kept
        let v3 = Self.make(lighter, "v3", Self.v3Changes)
        #expect(lighter.run("tag", "app:v3", "app:latest").status == 0)

        // v3 never becomes healthy: rolled back, v2 runs again under the name.
        let failed = lighter.run("auto-update", "--format", format)
        #expect(failed.status == 1 && failed.stdout == "web app:latest local rolled back\n", "\(failed.stdout)")
        #expect(failed.stderr.contains("web: rolled back to") && failed.stderr.contains("unhealthy: broken"), "\(failed.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.Image}} {{.State.Status}}", "web").stdout == "\(v2) running\n")
        #expect(lighter.run("exec", "web", "sh", "-c", "echo $V; cat /data/file").stdout == "2\nkept\n")
        #expect(Self.names(lighter) == ["web"])

        // rollback by hand: the image it ran before this one.
        let back = lighter.run("rollback", "web")
        #expect(back.status == 0, "\(back.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.Image}} {{.State.Status}}", "web").stdout == "\(v1) running\n")
        #expect(lighter.run("exec", "web", "sh", "-c", "echo $V").stdout == "1\n")

        // --rollback=false keeps the failing new container.
        let kept = lighter.run("auto-update", "--rollback=false", "--format", format)
        #expect(kept.status == 1 && kept.stdout == "web app:latest local failed\n", "\(kept.stdout)")
        #expect(lighter.run("inspect", "-f", "{{.Image}}", "web").stdout == "\(v3)\n")
        #expect(Self.names(lighter) == ["web"])
        #expect(lighter.run("rollback", "nothere").status == 1)
    }

    /// SIGKILL of `auto-update` at each step; then `system check --repair`, the next `auto-update` or
    /// `system boot` (what a board runs when it comes back from a power cut) leaves the name running the
    /// old or the new image, never neither, and nothing else behind.
    @Test func killedUpdateIsFinishedOrUndone() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        defer { lighter.run("rm", "-f", "web") }
        let (v1, v2, _) = Self.images(lighter)
        let root = lighter.root.path
        let points: [(String, () -> Bool)] = [
            ("journal written", { ((try? FileSystem.list("\(root)/updates")) ?? []).contains { $0.hasSuffix(".json") } }),
            ("old parked", { Self.names(lighter).contains { $0.hasPrefix("web-previous-") } }),
            ("new created", { Self.names(lighter).count == 2 && Self.names(lighter).contains("web") }),
            ("new starting", { lighter.run("inspect", "-f", "{{.State.Health.Status}}", "web").stdout == "starting\n" }),
        ]
        for (index, (point, reached)) in points.enumerated() {
            for repairBy in ["system check --repair", "auto-update", "system boot"] {
                lighter.run("rm", "-f", "web")
                #expect(lighter.run("tag", "app:v1", "app:latest").status == 0)
                Self.runWeb(lighter)
                #expect(lighter.run("tag", "app:v2", "app:latest").status == 0)
                let pid = Run.spawn([Repository.lighterBinary, "auto-update"], stdout: "/dev/null", stderr: "/dev/null",
                                    environment: ["LIGHTER_ROOT": root])
                var hit = false
                for _ in 0..<4000 where !hit {
                    if reached() { hit = true } else { usleep(1_000) }
                }
                _ = kill(pid, SIGKILL)
                let status = Run.wait(pid)
                #expect(hit, "\(point): not reached (auto-update ended with \(status))")
                if repairBy != "auto-update" {
                    let check = lighter.run("system", "check")
                    #expect(check.stdout.contains("interrupted: update of container web (--repair finishes or undoes it)\n"), "\(point): \(check.stdout)")
                }
                let repair = repairBy == "auto-update" ? lighter.run("auto-update")
                    : repairBy == "system boot" ? lighter.run("system", "boot") : lighter.run("system", "check", "--repair")
                #expect(repair.status == 0, "\(point), \(repairBy): \(repair.stdout) \(repair.stderr)")
                // Old or new, running, alone under the name; no journal left.
                let image = lighter.run("inspect", "-f", "{{.Image}}", "web").stdout.trimmed
                #expect(image == v1 || image == v2, "\(point), \(repairBy): \(image)")
                #expect(HealthCheckTests.waitFor(lighter, "web", "{{.State.Status}}", "running") == "running", "\(point), \(repairBy)")
                #expect(Self.names(lighter) == ["web"], "\(point), \(repairBy)")
                #expect(((try? FileSystem.list("\(root)/updates")) ?? []).filter { $0.hasSuffix(".json") }.isEmpty)
                if repairBy == "auto-update" { #expect(image == v2, "\(point): the next run updates") }
                _ = index
            }
        }
    }

    /// Policy `registry` against Debian's docker-registry on the loopback: a new digest behind the tag is
    /// pulled and run; `--dry-run` asks the registry and pulls nothing.
    @Test func registryPolicyPullsTheNewDigest() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        defer { lighter.run("rm", "-f", "web") }
        let (v1, v2, _) = Self.images(lighter)
        let registry = try LoopbackRegistry("lighter-autoupdate-registry")
        defer { registry.stop() }
        let port = registry.port
        let image = "127.0.0.1:\(port)/updates/app:latest"
        func push(_ tag: String) {
            #expect(lighter.run("tag", tag, image).status == 0)
            var pushed = lighter.run("push", image)
            for _ in 0..<100 where pushed.status != 0 {
                usleep(100_000)
                pushed = lighter.run("push", image)
            }
            #expect(pushed.status == 0, "\(pushed.stderr)")
        }
        push("app:v1")
        let run = lighter.run("run", "-d", "--name", "web", "-l", "io.containers.autoupdate=registry", image)
        #expect(run.status == 0, "\(run.stderr)")
        let format = "{{.ContainerName}} {{.Policy}} {{.Updated}}"
        #expect(lighter.run("auto-update", "--dry-run", "--format", format).stdout == "web registry false\n")
        #expect(lighter.run("auto-update", "--format", format).stdout == "web registry false\n")

        // v2 behind the tag in the registry only (gone from the store: the update must pull it).
        push("app:v2")
        #expect(lighter.run("tag", "app:v1", image).status == 0)
        let removed = lighter.run("rmi", "-f", v2)   // its tag and the repo digest the push recorded
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(lighter.run("image", "inspect", v2).status != 0)
        let dry = lighter.run("auto-update", "--dry-run", "--format", format)
        #expect(dry.status == 0 && dry.stdout == "web registry pending\n", "\(dry.stdout) \(dry.stderr)")
        #expect(lighter.run("image", "inspect", v2).status != 0)
        let updated = lighter.run("auto-update", "--format", format)
        #expect(updated.status == 0 && updated.stdout == "web registry true\n", "\(updated.stdout) \(updated.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.Image}} {{.State.Health.Status}}", "web").stdout == "\(v2) healthy\n")
        #expect(lighter.run("auto-update", "--format", format).stdout == "web registry false\n")
        _ = v1
    }

    @Test func stoppedContainerIsReplacedStopped() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        defer { lighter.run("rm", "-f", "idle") }
        let (_, v2, _) = Self.images(lighter)
        #expect(lighter.run("create", "--name", "idle", "-l", "io.containers.autoupdate=local", "app:latest").status == 0)
        #expect(lighter.run("tag", "app:v2", "app:latest").status == 0)
        let updated = lighter.run("auto-update", "--format", "{{.ContainerName}} {{.Updated}}")
        #expect(updated.status == 0 && updated.stdout == "idle true\n", "\(updated.stdout) \(updated.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.Image}} {{.State.Status}}", "idle").stdout == "\(v2) created\n")
        #expect(Self.names(lighter) == ["idle"])
    }

    /// The issue's scenario on a bridge with a published port (in a test-made network namespace):
    /// v1 → v2, then a v3 that never becomes healthy is rolled back and v2 answers on the port again.
    @Test func publishedPortFollowsTheUpdateAndTheRollback() {
        let rig = NetworkRig()
        let lighter = rig.lighter
        let serve = #"CMD ["sh", "-c", "mkdir -p /www; echo v$V > /www/index.html; trap 'exit 0' TERM; httpd -p 80 -h /www; sleep 1.5; touch /tmp/ready; while :; do sleep 0.1; done"]"#
        func make(_ tag: String, _ changes: [String]) {
            let result = lighter.run(["import", "--platform", "linux/amd64", "-c", serve] + changes.flatMap { ["-c", $0] }
                                     + [Repository.busyboxTarball("amd64"), "site:\(tag)"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        make("v1", ["ENV V=1"])
        make("v2", [Self.v2Changes[1], "ENV V=2"])
        make("v3", [Self.v3Changes[1], "ENV V=3"])
        #expect(lighter.run("tag", "site:v1", "site:latest").status == 0)
        let started = rig.run("run", "-d", "--name", "site", "-p", "8080:80", "-l", "io.containers.autoupdate=local", "site:latest")
        #expect(started.status == 0, "\(started.stderr)")
        let url = "http://\(NetworkRig.engineAddress):8080/"
        #expect(rig.fetch(url, from: rig.outside) == "v1\n")

        #expect(lighter.run("tag", "site:v2", "site:latest").status == 0)
        let updated = rig.run("auto-update", "--format", "{{.ContainerName}} {{.Updated}}")
        #expect(updated.stdout == "site true\n", "\(updated.stdout) \(updated.stderr)")
        #expect(rig.fetch(url, from: rig.outside) == "v2\n")
        #expect(rig.run("port", "site").stdout.contains("80/tcp -> 0.0.0.0:8080"))

        #expect(lighter.run("tag", "site:v3", "site:latest").status == 0)
        let failed = rig.run("auto-update", "--format", "{{.ContainerName}} {{.Updated}}")
        #expect(failed.status == 1 && failed.stdout == "site rolled back\n", "\(failed.stdout) \(failed.stderr)")
        #expect(rig.fetch(url, from: rig.outside) == "v2\n")
        #expect(rig.run("ps", "-a", "--format", "{{.Names}}").stdout == "site\n")
    }

    /// An update killed after it committed (the new container runs; the old one, parked, not yet
    /// removed) is finished by the repair: the old container goes, the new one stays.
    @Test func committedUpdateIsFinished() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        defer { lighter.run("rm", "-f", "web") }
        let (v1, v2, _) = Self.images(lighter)
        Self.runWeb(lighter)
        let oldID = lighter.run("inspect", "-f", "{{.Id}}", "web").stdout.trimmed
        let parked = "web-previous-\(oldID.prefix(12))"
        #expect(lighter.run("stop", "web").status == 0)
        #expect(lighter.run("rename", "web", parked).status == 0)
        let new = lighter.run("run", "-d", "--name", "web", "-v", "appdata:/data", "app:v2")
        #expect(new.status == 0, "\(new.stderr)")
        let journal = """
            {"name": "web", "oldID": "\(oldID)", "oldImageID": "\(v1)", "newImageID": "\(v2)", "parkedName": "\(parked)",
             "wasRunning": true, "newID": "\(new.stdout.trimmed)", "phase": "committed"}
            """
        try FileSystem.makeDirectories("\(lighter.root.path)/updates")
        try FileSystem.writeDurably(Array(journal.utf8), to: "\(lighter.root.path)/updates/\(oldID).json")
        let repair = lighter.run("system", "check", "--repair")
        #expect(repair.status == 0 && repair.stdout.contains("repaired: update of web finished"), "\(repair.stdout) \(repair.stderr)")
        #expect(Self.names(lighter) == ["web"])
        #expect(lighter.run("inspect", "-f", "{{.Id}} {{.Image}} {{.State.Status}}", "web").stdout == "\(new.stdout.trimmed) \(v2) running\n")
        #expect(try FileSystem.list("\(lighter.root.path)/updates").filter { $0.hasSuffix(".json") }.isEmpty)
    }
}
