import LighterTestSupport
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
        expectError(.invalidArgument) { try Platform(parsing: input) }
    }

    @Test func armVariantCompatibility() throws {
        let v7 = Platform(architecture: "arm", variant: "v7")
        #expect(v7.canRun(Platform(architecture: "arm", variant: "v6")))
        #expect(v7.canRun(Platform(architecture: "arm", variant: "v5")))
        #expect(!Platform(architecture: "arm", variant: "v6").canRun(v7))
        #expect(!Platform(architecture: "arm64").canRun(v7))
        #expect(Platform(architecture: "arm64").canRun(Platform(architecture: "aarch64", variant: "v8")))
    }

    @Test func indexEntriesAreComparedNormalized() throws {
        func entry(_ arch: String, _ variant: String?, _ n: UInt8) throws -> Descriptor {
            // As decoded from a registry's JSON: not normalized.
            var platform = Platform(architecture: "amd64")
            platform.architecture = arch
            platform.variant = variant
            return Descriptor(mediaType: MediaType.ociManifest, digest: Digest.of([n]), size: 1, platform: platform)
        }
        let index = [try entry("amd64", nil, 1), try entry("arm64", "v8", 2), try entry("arm", "v6", 3), try entry("arm", "v7", 4)]
        #expect(PlatformMatcher.best(for: try Platform(parsing: "linux/arm64"), among: index)?.digest == Digest.of([2]))
        #expect(PlatformMatcher.best(for: try Platform(parsing: "linux/arm/v7"), among: index)?.digest == Digest.of([4]))
        #expect(PlatformMatcher.best(for: try Platform(parsing: "linux/arm/v6"), among: index)?.digest == Digest.of([3]))
        #expect(PlatformMatcher.best(for: try Platform(parsing: "linux/arm/v7"), among: [index[2]])?.digest == Digest.of([3]))
        #expect(PlatformMatcher.best(for: try Platform(parsing: "linux/arm/v5"), among: index) == nil)
        #expect(PlatformMatcher.best(for: try Platform(parsing: "linux/riscv64"), among: index) == nil)
    }
}
