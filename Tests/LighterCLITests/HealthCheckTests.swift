#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// Health checks run by the container's monitor (`--health-*`, the image's HEALTHCHECK): State.Health in
/// inspect, the ps status and `health=` filter, `health_status` events.
@Suite struct HealthCheckTests {
    /// Poll `inspect -f FORMAT` until it prints `expected` (at most `seconds`); returns the last output.
    static func waitFor(_ lighter: Lighter, _ container: String, _ format: String, _ expected: String, seconds: Int = 30) -> String {
        var last = ""
        for _ in 0..<(seconds * 20) {
            last = lighter.run("inspect", "-f", format, container).stdout.trimmed
            if last == expected { return last }
            usleep(50_000)
        }
        return last
    }

    static func health(_ lighter: Lighter, _ container: String) throws -> JSONNode {
        let text = lighter.run("inspect", "-f", "{{json .State.Health}}", container).stdout
        return try JSONNode.parse(Array(text.utf8), what: "State.Health")
    }

    @Test func passingCheckIsHealthyWithDockersShapes() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "ok", "plain") }
        #expect(lighter.run("run", "-d", "--name", "ok", "--health-cmd", "echo fine; echo err >&2", "--health-interval", "200ms",
                            "busybox", "sleep", "60").status == 0)
        #expect(lighter.run("run", "-d", "--name", "plain", "busybox", "sleep", "60").status == 0)
        #expect(Self.waitFor(lighter, "ok", "{{.State.Health.Status}}", "healthy") == "healthy")
        let health = try Self.health(lighter, "ok")
        #expect(health["FailingStreak"]?.intValue == 0)
        let log = try #require(health["Log"]?.arrayValue)
        let first = try #require(log.first)
        #expect(first["ExitCode"]?.intValue == 0)
        #expect(first["Output"]?.stringValue == "fine\nerr\n")
        #expect(Time.parseRFC3339(first["Start"]?.stringValue ?? "") != nil && Time.parseRFC3339(first["End"]?.stringValue ?? "") != nil)
        #expect(lighter.run("inspect", "-f", "{{json .Config.Healthcheck}}", "ok").stdout.trimmed
                == #"{"Interval":200000000,"Test":["CMD-SHELL","echo fine; echo err >&2"]}"#)
        // ps: "(healthy)" after the time; the filter; a container without a check is "none".
        let status = lighter.run("ps", "--filter", "name=ok", "--format", "{{.Status}}").stdout
        #expect(status.hasPrefix("Up ") && status.hasSuffix(" (healthy)\n"), "\(status)")
        #expect(lighter.run("ps", "--filter", "health=healthy", "--format", "{{.Names}}").stdout == "ok\n")
        #expect(lighter.run("ps", "--filter", "health=none", "--format", "{{.Names}}").stdout == "plain\n")
        #expect(lighter.run("ps", "--filter", "health=unhealthy", "--format", "{{.Names}}").stdout == "")
        #expect(lighter.run("inspect", "-f", "{{json .State.Health}}", "plain").stdout.trimmed == "null")
        let events = lighter.run("events", "--since", "0", "--until", "0s", "--filter", "container=ok", "--format", "{{.Action}}").stdout
        #expect(events.contains("health_status: healthy\n"), "\(events)")
        // At most 5 results are kept.
        #expect(Self.waitFor(lighter, "ok", "{{len .State.Health.Log}}", "5") == "5")
        usleep(600_000)
        #expect(try Self.health(lighter, "ok")["Log"]?.arrayValue?.count == 5)
    }

    @Test func failingCheckIsUnhealthyAfterRetries() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "bad") }
        #expect(lighter.run("run", "-d", "--name", "bad", "--health-cmd", "echo no; exit 3", "--health-interval", "300ms",
                            "--health-retries", "3", "busybox", "sleep", "60").status == 0)
        // Before the third failure in a row it is still starting.
        var sawStarting = false
        for _ in 0..<600 {
            let health = try Self.health(lighter, "bad")
            let streak = health["FailingStreak"]?.intValue ?? 0
            let status = health["Status"]?.stringValue ?? ""
            if streak >= 1 && streak < 3 {
                #expect(status == "starting", "streak \(streak)")
                sawStarting = true
            }
            if status == "unhealthy" {
                #expect(streak >= 3)
                break
            }
            usleep(50_000)
        }
        #expect(sawStarting)
        #expect(Self.waitFor(lighter, "bad", "{{.State.Health.Status}}", "unhealthy") == "unhealthy")
        #expect(lighter.run("ps", "--filter", "health=unhealthy", "--format", "{{.Status}}").stdout.hasSuffix(" (unhealthy)\n"))
        let last = try #require(try Self.health(lighter, "bad")["Log"]?.arrayValue?.last)
        #expect(last["ExitCode"]?.intValue == 3 && last["Output"]?.stringValue == "no\n")
        #expect(lighter.run("events", "--since", "0", "--until", "0s", "--format", "{{.Action}}").stdout
                    .contains("health_status: unhealthy"))
    }

    @Test func startPeriodDoesNotCountFailures() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "slow") }
        #expect(lighter.run("run", "-d", "--name", "slow", "--health-cmd", "exit 1", "--health-interval", "5s", "--health-start-interval", "200ms",
                            "--health-start-period", "3s", "--health-retries", "1", "busybox", "sleep", "60").status == 0)
        // Failures inside the start period (checked every start interval) leave it starting with no streak.
        #expect(Self.waitFor(lighter, "slow", "{{len .State.Health.Log}}", "3") == "3")
        let health = try Self.health(lighter, "slow")
        #expect(health["Status"]?.stringValue == "starting")
        #expect(health["FailingStreak"]?.intValue == 0)
        // After it, one failure (retries 1) makes it unhealthy.
        #expect(Self.waitFor(lighter, "slow", "{{.State.Health.Status}}", "unhealthy", seconds: 15) == "unhealthy")
    }

    @Test func timeoutKillsAHangingCheck() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "hang") }
        #expect(lighter.run("run", "-d", "--name", "hang", "--health-cmd", "sleep 47", "--health-timeout", "300ms", "--health-interval", "200ms",
                            "--health-retries", "1", "busybox", "sleep", "60").status == 0)
        #expect(Self.waitFor(lighter, "hang", "{{.State.Health.Status}}", "unhealthy") == "unhealthy")
        let first = try #require(try Self.health(lighter, "hang")["Log"]?.arrayValue?.first)
        #expect(first["ExitCode"]?.intValue == -1)
        #expect(first["Output"]?.stringValue == "Health check exceeded timeout (300ms)")
        // The killed check is gone: at most the one running now is left in the container.
        let processes = lighter.run("exec", "hang", "ps", "-o", "args").stdout
        #expect(processes.ranges(of: "sleep 47").count <= 1, "\(processes)")
    }

    @Test func imageCheckAndNoHealthcheck() throws {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "inherits", "disabled") }
        let imported = lighter.run(["import", "--platform", "linux/amd64", "-c", "CMD [\"sleep\", \"60\"]",
                                    "-c", "HEALTHCHECK --interval=200ms --retries=2 CMD [\"true\"]", Repository.busyboxTarball("amd64"), "checked:1"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(lighter.run("image", "inspect", "-f", "{{json .Config.Healthcheck}}", "checked:1").stdout.trimmed
                == #"{"Interval":200000000,"Retries":2,"Test":["CMD","true"]}"#)
        #expect(lighter.run("run", "-d", "--name", "inherits", "checked:1").status == 0)
        #expect(lighter.run("run", "-d", "--name", "disabled", "--no-healthcheck", "checked:1").status == 0)
        #expect(Self.waitFor(lighter, "inherits", "{{.State.Health.Status}}", "healthy") == "healthy")
        usleep(500_000)
        // Docker's merge: the NONE test, the image's other settings.
        #expect(lighter.run("inspect", "-f", "{{json .State.Health}} {{json .Config.Healthcheck}}", "disabled").stdout.trimmed
                == #"null {"Interval":200000000,"Retries":2,"Test":["NONE"]}"#)
        #expect(lighter.run("ps", "--filter", "health=none", "--format", "{{.Names}}").stdout == "disabled\n")
        let conflict = lighter.run("run", "--no-healthcheck", "--health-cmd", "true", "checked:1")
        #expect(conflict.status == 125 && conflict.stderr.contains("--no-healthcheck conflicts with --health-* options"), "\(conflict.stderr)")
        let bad = lighter.run("run", "--health-interval", "fast", "checked:1")
        #expect(bad.status == 125 && bad.stderr.contains("--health-interval fast"), "\(bad.stderr)")
    }
}

extension JSONNode {
    subscript(key: String) -> JSONNode? { if case let .object(fields) = self { return fields[key] } else { return nil } }
    var intValue: Int? { if case let .number(text) = self { return Int(text) } else { return nil } }
    var stringValue: String? { if case let .string(text) = self { return text } else { return nil } }
    var arrayValue: [JSONNode]? { if case let .array(items) = self { return items } else { return nil } }
}
