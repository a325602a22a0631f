import LighterSystem
import LighterTestSupport
import Testing

/// `lighter build --check`: Docker's build checks reported as buildx prints them, exit 1 when
/// something is found, nothing built or stored either way.
@Suite struct BuildCheckTests {
    @Test func checkReportsWithoutBuilding() throws {
        let lighter = Lighter()
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox AS Build\nMAINTAINER me\nCMD echo hi\n"])
        let found = lighter.run("build", "--check", context.path)
        #expect(found.status == 1, "\(found.stdout) \(found.stderr)")
        #expect(found.stdout.hasPrefix("Check complete, 3 warnings have been found!\n"), "\(found.stdout)")
        #expect(found.stdout.contains("\nWARNING: JSONArgsRecommended - https://docs.docker.com/go/dockerfile/rule/json-args-recommended/\n"
                                      + "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals\nDockerfile:3\n"), "\(found.stdout)")
        #expect(found.stdout.contains("   3 | >>> CMD echo hi"), "\(found.stdout)")
        #expect(found.stdout.contains("Stage name 'Build' should be lowercase"))
        // No busybox image is needed: nothing is pulled, run or stored.
        #expect(lighter.run("images", "-q").stdout == "")

        _ = try context.write("Dockerfile", "FROM busybox\nCMD [\"echo\", \"hi\"]\n")
        let clean = lighter.run("build", "--check", context.path)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout == "Check complete, no warnings found.\n")

        _ = try context.write("Dockerfile", "FROM busybox\nFROB x\n")
        let broken = lighter.run("build", "--check", context.path)
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("Dockerfile:2"), "\(broken.stderr)")
    }
}
