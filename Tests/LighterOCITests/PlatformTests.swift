import Testing
@testable import LighterOCI
import LighterSystem

@Suite struct PlatformTests {
    @Test(arguments: [
        ("aarch64", "linux/arm64"), ("arm64", "linux/arm64"), ("linux/arm64/v8", "linux/arm64"),
        ("armv7l", "linux/arm/v7"), ("armhf", "linux/arm/v7"), ("linux/arm", "linux/arm/v7"),
        ("armv6l", "linux/arm/v6"), ("armel", "linux/arm/v6"), ("x86_64", "linux/amd64"),
        ("linux/amd64", "linux/amd64"), ("i686", "linux/386"), ("linux/riscv64", "linux/riscv64"),
    ])
    func normalizes(input: String, expected: String) throws {
        #expect(try Platform(parsing: input).description == expected)
    }

    @Test(arguments: ["", "linux", "linux/", "plan9/arm64/v8/x", "linux/sparc99", "a/b/c"])
    func rejectsBadPlatforms(input: String) {
        #expect(throws: LighterError.self) { try Platform(parsing: input) }
    }

    @Test func armVariantCompatibility() throws {
        let v7 = Platform(architecture: "arm", variant: "v7")
        #expect(v7.canRun(Platform(architecture: "arm", variant: "v6")))
        #expect(v7.canRun(Platform(architecture: "arm", variant: "v5")))
        #expect(!Platform(architecture: "arm", variant: "v6").canRun(v7))
        #expect(!Platform(architecture: "arm64").canRun(v7))
        #expect(Platform(architecture: "arm64").canRun(Platform(architecture: "aarch64", variant: "v8")))
    }
}
