import Testing
import LighterEngine
import LighterOCI
import LighterSystem
@testable import LighterCLI

/// `--health-*` and `--no-healthcheck` as Docker's CLI reads them, and Go durations.
@Suite struct HealthFlagsTests {
    static func spec(_ arguments: [String]) throws(LighterError) -> ContainerSpec {
        guard case let .request(line) = ContainerCommandLine.parse(arguments + ["busybox"], command: "run") else {
            throw .invalidArgument("not parsed: \(arguments)")
        }
        return try line.flags.spec(image: "busybox", command: [], autoRemove: false)
    }

    @Test func flagsMakeDockersHealthConfig() throws {
        let spec = try Self.spec(["--health-cmd", "curl -f http://localhost/", "--health-interval=1m30s", "--health-timeout", "500ms",
                                  "--health-retries", "4", "--health-start-period", "1.5s", "--health-start-interval", "2s"])
        #expect(spec.healthcheck == HealthConfig(Test: ["CMD-SHELL", "curl -f http://localhost/"], Interval: 90_000_000_000, Timeout: 500_000_000,
                                                 StartPeriod: 1_500_000_000, StartInterval: 2_000_000_000, Retries: 4))
        // Only a duration: the image's test stays (an empty test inherits it).
        let interval = try Self.spec(["--health-interval", "10s"]).healthcheck
        #expect(interval?.Test == nil && interval?.Interval == 10_000_000_000)
        #expect(interval?.over(HealthConfig(Test: ["CMD", "true"], Interval: 1, Retries: 7)) == HealthConfig(Test: ["CMD", "true"], Interval: 10_000_000_000, Retries: 7))
        #expect(try Self.spec(["--no-healthcheck"]).healthcheck == HealthConfig(Test: ["NONE"]))
        #expect(try Self.spec([]).healthcheck == nil)
    }

    @Test func badValuesAreRefusedWithDockersWords() {
        let cases: [([String], String)] = [
            (["--no-healthcheck", "--health-retries", "2"], "--no-healthcheck conflicts with --health-* options"),
            (["--health-interval", "-1s"], "--health-interval cannot be negative"),
            (["--health-retries", "-1"], "--health-retries cannot be negative"),
            (["--health-timeout", "10"], "--health-timeout 10: expected a duration"),
            (["--health-start-period", "100us"], "--health-start-period 100us: cannot be less than 1ms"),
        ]
        for (arguments, words) in cases {
            do {
                _ = try Self.spec(arguments)
                Issue.record("accepted: \(arguments)")
            } catch {
                #expect("\(error)".contains(words), "\(arguments): \(error)")
            }
        }
    }

    @Test func goDurations() {
        let cases: [(String, Int64?)] = [("0", 0), ("30s", 30_000_000_000), ("1m30s", 90_000_000_000), ("1.5h", 5_400_000_000_000),
                                         ("250ms", 250_000_000), ("10us", 10_000), ("7ns", 7), ("-2s", -2_000_000_000),
                                         ("", nil), ("5", nil), ("1x", nil), ("s", nil), ("1..2s", nil)]
        for (text, nanoseconds) in cases { #expect(GoDuration.parse(text) == nanoseconds, "\(text)") }
        for (nanoseconds, text) in [(Int64(30_000_000_000), "30s"), (90_000_000_000, "1m30s"), (300_000_000, "300ms"), (1_500_000_000, "1.5s"),
                                    (3_600_000_000_000, "1h0m0s"), (0, "0s")] {
            #expect(GoDuration.format(nanoseconds) == text, "\(nanoseconds)")
        }
    }

    @Test func healthcheckChangeInstruction() throws {
        var config = ContainerConfig()
        try config.apply(change: "HEALTHCHECK --interval=5s --timeout=2s --start-period=1s --start-interval=500ms --retries=2 CMD wget -q -O- localhost")
        #expect(config.Healthcheck == HealthConfig(Test: ["CMD-SHELL", "wget -q -O- localhost"], Interval: 5_000_000_000, Timeout: 2_000_000_000,
                                                   StartPeriod: 1_000_000_000, StartInterval: 500_000_000, Retries: 2))
        try config.apply(change: "HEALTHCHECK CMD [\"/bin/check\", \"-v\"]")
        #expect(config.Healthcheck == HealthConfig(Test: ["CMD", "/bin/check", "-v"]))
        try config.apply(change: "HEALTHCHECK NONE")
        #expect(config.Healthcheck?.isDisabled == true)
        #expect(throws: LighterError.self) { try config.apply(change: "HEALTHCHECK --every=5s CMD true") }
        #expect(throws: LighterError.self) { try config.apply(change: "HEALTHCHECK true") }
    }
}
