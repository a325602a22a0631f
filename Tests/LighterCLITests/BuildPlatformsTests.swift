#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// `build --platform linux/amd64,linux/arm64`: one image per platform (arm64's RUN under QEMU), an
/// OCI layout with an image index over them (`-o type=oci`), or a directory per platform. In
/// EmulationTests' serialized suite: its tests register and remove the arm64 handler too.
extension EmulationTests {
    @Test func buildForTwoPlatformsMakesAnIndexWhoseImagesRunAsTheirArchitecture() throws {
        let lighter = Lighter()
        let install = lighter.run("binfmt", "install", "arm64")
        #expect(install.status == 0, "\(install.stderr)")
        // The host as it was: a handler this test registered goes again.
        defer { if install.stdout.hasPrefix("arm64: registered") { lighter.run("binfmt", "uninstall", "arm64") } }
        #expect(lighter.importBusybox("busybox:amd64", arch: "amd64").status == 0)
        #expect(lighter.importBusybox("busybox:arm64", arch: "arm64").status == 0)
        let imagesBefore = lighter.run("images", "-q").stdout
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox:${TARGETARCH}
            ARG TARGETPLATFORM
            RUN echo "$(uname -m) $TARGETPLATFORM" > /arch
            CMD ["cat", "/arch"]
            """])
        let archive = context.sub("multi.tar")
        let build = lighter.run("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "-t", "multi:1",
                                "-o", "type=oci,dest=\(archive)", context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("[linux/arm64 3/4] RUN") && build.stderr.contains("[linux/amd64 3/4] RUN"), "\(build.stderr)")
        #expect(lighter.run("images", "-q").stdout == imagesBefore)  // the per-platform images went into the archive only

        // index.json → one image index, named by -t, over an amd64 and an arm64 manifest.
        let layout = context.sub("layout")
        try FileSystem.makeDirectories(layout)
        #expect(Run.sh("tar -xf \(archive) -C \(layout)").status == 0)
        let top = try JSON.decode(Index.self, from: try FileSystem.readFile("\(layout)/index.json"), what: "index.json")
        #expect(top.manifests.count == 1)
        #expect(top.manifests.first?.mediaType == MediaType.ociIndex)
        #expect(top.manifests.first?.annotations?["io.containerd.image.name"] == "docker.io/library/multi:1")
        let nestedDigest = try #require(top.manifests.first?.digest)
        let nested = try JSON.decode(Index.self, from: try FileSystem.readFile("\(layout)/blobs/sha256/\(nestedDigest.hex)"), what: "index")
        #expect(nested.manifests.compactMap(\.platform?.description) == ["linux/amd64", "linux/arm64"])

        // Each platform's image loads from the archive and runs as its architecture.
        for (platform, expected) in [("linux/arm64", "aarch64 linux/arm64\n"), ("linux/amd64", "x86_64 linux/amd64\n")] {
            let other = Lighter()
            let load = other.run("load", "--platform", platform, "-i", archive)
            #expect(load.status == 0, "\(load.stderr)")
            let run = other.run("run", "--rm", "--platform", platform, "multi:1")
            #expect(run.stdout == expected, "\(platform): \(run.stdout) \(run.stderr)")
        }

        // A directory per platform, as BuildKit names them (all steps cached now).
        let local = context.sub("out")
        let toDirectory = lighter.run("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "-o", "type=local,dest=\(local)", context.path)
        #expect(toDirectory.status == 0, "\(toDirectory.stderr)")
        #expect(toDirectory.stderr.ranges(of: "CACHED").count == 4, "\(toDirectory.stderr)")
        #expect(try FileSystem.readString("\(local)/linux_amd64/arch") == "x86_64 linux/amd64\n")
        #expect(try FileSystem.readString("\(local)/linux_arm64/arch") == "aarch64 linux/arm64\n")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
    }

    /// The platforms build at the same time: each RUN waits for a file the other platform's RUN
    /// writes (in a cache mount both share); built one after the other, the first would give up
    /// after 60 s and fail the build with exit code 7.
    @Test func buildForTwoPlatformsRunsThemAtTheSameTime() throws {
        let lighter = Lighter()
        let install = lighter.run("binfmt", "install", "arm64")
        #expect(install.status == 0, "\(install.stderr)")
        defer { if install.stdout.hasPrefix("arm64: registered") { lighter.run("binfmt", "uninstall", "arm64") } }
        #expect(lighter.importBusybox("busybox:amd64", arch: "amd64").status == 0)
        #expect(lighter.importBusybox("busybox:arm64", arch: "arm64").status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox:${TARGETARCH}
            ARG TARGETARCH
            RUN --mount=type=cache,id=meet,target=/meet touch /meet/$TARGETARCH && \
                other=$([ $TARGETARCH = amd64 ] && echo arm64 || echo amd64) && i=0; \
                while [ ! -e /meet/$other ]; do i=$((i+1)); [ $i -lt 600 ] || exit 7; sleep 0.1; done; echo "$(uname -m) met" > /met
            """])
        let out = context.sub("out")
        let build = lighter.run("build", "--progress", "plain", "--platform", "linux/amd64,linux/arm64", "-o", "type=local,dest=\(out)", context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(try FileSystem.readString("\(out)/linux_amd64/met") == "x86_64 met\n")
        #expect(try FileSystem.readString("\(out)/linux_arm64/met") == "aarch64 met\n")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        #expect(lighter.run("images", "-q").stdout.split(separator: "\n").count == 2)
    }
}

/// A multi-platform build needs an output that holds several images.
@Suite struct BuildPlatformsTests {
    @Test func severalPlatformsNeedAnOutputThatHoldsThem() throws {
        let lighter = Lighter()
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\n"])
        let cases: [([String], String)] = [
            (["-t", "x:1"], "a multi-platform build into the image store is not available"),
            (["-o", "type=tar,dest=\(context.sub("t"))"], "-o type=tar with several platforms is not available"),
            (["--platform", "linux/arm64", "-o", "type=oci"], "give dest=FILE"),
        ]
        for (arguments, message) in cases {
            let result = lighter.run(["build", "--platform", "linux/amd64,linux/arm64"] + arguments + [context.path])
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let twice = lighter.run("build", "--platform", "linux/arm64,linux/arm64", "-o", "type=oci,dest=\(context.sub("o"))", context.path)
        #expect(twice.stderr.contains("a platform is named twice"), "\(twice.stderr)")
    }
}
