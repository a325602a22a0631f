import LighterOCI
import LighterSystem
import Testing

/// `--change` instructions (import, commit) that the fuzzer found trapping: each is an error naming
/// what is wrong, never a crash.
@Suite struct ContainerConfigChangeTests {
    @Test(arguments: ["HEALTHCHECK -- CMD true", "HEALTHCHECK --interval CMD true", "HEALTHCHECK --=5s CMD true"])
    func badHealthcheckFlagsAreErrors(change: String) {
        var config = ContainerConfig()
        #expect(throws: LighterError.self, "\(change)") { try config.apply(change: change) }
    }

    @Test func aBareDoubleDashIsNamedInTheMessage() {
        var config = ContainerConfig()
        do {
            try config.apply(change: "HEALTHCHECK -- CMD true")
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("-- needs a value"), "\(error)")
        }
    }
}
