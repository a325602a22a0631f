#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `build --push`: the built image, or an index over several platforms' images, goes to the
/// registry of each -t (a loopback registry here) and is pulled back elsewhere.
@Suite struct BuildPushTests {
    @Test func pushesTheImageToEachTag() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let registry = try LoopbackRegistry("lighter-build-push-registry")
        defer { registry.stop() }
        #expect(waitForPort(registry.port))
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nRUN echo pushed > /marker\n"])
        let first = "127.0.0.1:\(registry.port)/team/app:1", second = "127.0.0.1:\(registry.port)/team/app:latest"
        let build = lighter.run("build", "--progress", "plain", "--push", "-t", first, "-t", second, context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("pushed \(first): digest: sha256:"), "\(build.stderr)")
        // Another data root pulls both tags and runs what was built.
        let other = Lighter()
        for name in [first, second] {
            #expect(other.run("pull", name).status == 0)
            #expect(other.run("run", "--rm", name, "cat", "/marker").stdout == "pushed\n")
        }

        // Refused before anything is built: no name, or another output too.
        let noName = lighter.run("build", "--push", context.path)
        #expect(noName.status != 0 && noName.stderr.contains("--push needs a name"), "\(noName.stderr)")
        let both = lighter.run("build", "--push", "-t", first, "-o", "type=local,dest=\(context.sub("out"))", context.path)
        #expect(both.status != 0 && both.stderr.contains("--output"), "\(both.stderr)")
    }
}

extension EmulationTests {
    @Test func pushOfTwoPlatformsMakesAnIndexInTheRegistry() throws {
        let lighter = Lighter()
        let install = lighter.run("binfmt", "install", "arm64")
        #expect(install.status == 0, "\(install.stderr)")
        defer { if install.stdout.hasPrefix("arm64: registered") { lighter.run("binfmt", "uninstall", "arm64") } }
        #expect(lighter.importBusybox("busybox:amd64", arch: "amd64").status == 0)
        #expect(lighter.importBusybox("busybox:arm64", arch: "arm64").status == 0)
        let registry = try LoopbackRegistry("lighter-build-push-index")
        defer { registry.stop() }
        #expect(waitForPort(registry.port))
        let imagesBefore = lighter.run("images", "-q").stdout
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox:${TARGETARCH}\nRUN uname -m > /arch\n"])
        let target = "127.0.0.1:\(registry.port)/team/multi:1"
        let build = lighter.run("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "--push", "-t", target, context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("pushed \(target): index digest: sha256:"), "\(build.stderr)")
        #expect(lighter.run("images", "-q").stdout == imagesBefore)  // built for the index only
        let raw = Run.capture(["skopeo", "inspect", "--tls-verify=false", "--raw", "docker://\(target)"])
        #expect(raw.status == 0 && raw.stdout.contains("application/vnd.oci.image.index.v1+json"), "\(raw.stdout) \(raw.stderr)")
        #expect(raw.stdout.contains("\"arm64\"") && raw.stdout.contains("\"amd64\""), "\(raw.stdout)")
        for (platform, machine) in [("linux/arm64", "aarch64"), ("linux/amd64", "x86_64")] {
            let other = Lighter()
            #expect(other.run("pull", "--platform", platform, target).status == 0)
            #expect(other.run("run", "--rm", "--platform", platform, target, "cat", "/arch").stdout == "\(machine)\n")
        }
    }
}
