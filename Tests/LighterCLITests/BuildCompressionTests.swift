import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// `build --compression zstd`: the layers the build makes are zstd (`tar+zstd`, zstd's magic), the image
/// runs, saves, loads into another root and runs there; gzip builds do not share its cache.
@Suite struct BuildCompressionTests {
    @Test func zstdLayersRunSaveAndLoad() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nRUN echo zstd > /marker\n"])
        let build = lighter.run("build", "--progress", "plain", "--compression", "zstd", "-t", "small:zstd", context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(lighter.run("run", "--rm", "small:zstd", "cat", "/marker").stdout == "zstd\n")
        // The same file with gzip runs its step again: another blob, not the zstd one from the cache.
        let gzip = lighter.run("build", "--progress", "plain", "-t", "small:gzip", context.path)
        #expect(gzip.status == 0 && !gzip.stderr.contains("CACHED"), "\(gzip.stderr)")

        let work = TestDirectory("lighter-build-zstd")
        let archive = work.sub("small.tar"), layout = work.sub("layout")
        #expect(lighter.run("save", "--format", "oci", "-o", archive, "small:zstd").status == 0)
        try FileSystem.makeDirectories(layout)
        #expect(Run.sh("tar -xf \(archive) -C \(layout)").status == 0)
        let listing = Run.sh("grep -rl 'tar+zstd' \(layout) | head -1").stdout
        #expect(!listing.isEmpty, "no manifest names a tar+zstd layer")
        // Some blob of the archive starts with zstd's magic number 28 b5 2f fd.
        let magic = Run.sh("for f in $(find \(layout) -type f); do head -c 4 \"$f\" | od -An -tx1 | tr -d ' \\n'; echo; done | grep -c '^28b52ffd$'").stdout.trimmed
        #expect(magic != "0" && !magic.isEmpty, "no zstd blob in the archive")
        let other = Lighter()
        #expect(other.run("load", "-i", archive).status == 0)
        #expect(other.run("run", "--rm", "small:zstd", "cat", "/marker").stdout == "zstd\n")

        let bad = lighter.run("build", "--compression", "lz4", context.path)
        #expect(bad.status != 0 && bad.stderr.contains("--compression lz4: use gzip or zstd"), "\(bad.stderr)")
    }

    /// The stages the target needs are built by `__build-stage` workers, which are told the compression
    /// too: stage `a`'s step, made by a worker, is found CACHED by a zstd build of `--target a`, and its
    /// layer is zstd (a worker that wrote gzip kept it under a gzip cache key, and the step ran again).
    @Test func stageWorkersWriteTheChosenCompression() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox AS a
            RUN echo a > /a
            FROM busybox AS b
            RUN echo b > /b
            FROM busybox
            COPY --from=a /a /a
            COPY --from=b /b /b
            """])
        let build = lighter.run("build", "--progress", "plain", "--compression", "zstd", "-t", "two:zstd", context.path)
        #expect(build.status == 0, "\(build.stderr)")
        let target = lighter.run("build", "--progress", "plain", "--compression", "zstd", "--target", "a", "-t", "a:zstd", context.path)
        #expect(target.status == 0, "\(target.stderr)")
        let lines = target.stderr.split(separator: "\n")
        let step = lines.first { $0.contains("RUN echo a") }?.split(separator: " ").first ?? "?"
        #expect(lines.contains { $0 == "\(step) CACHED" }, "\(target.stderr)")
        let work = TestDirectory("lighter-build-zstd-stages")
        let archive = work.sub("a.tar"), layout = work.sub("layout")
        #expect(lighter.run("save", "--format", "oci", "-o", archive, "a:zstd").status == 0)
        try FileSystem.makeDirectories(layout)
        #expect(Run.sh("tar -xf \(archive) -C \(layout)").status == 0)
        let magic = Run.sh("for f in $(find \(layout) -type f); do head -c 4 \"$f\" | od -An -tx1 | tr -d ' \\n'; echo; done | grep -c '^28b52ffd$'").stdout.trimmed
        #expect(magic == "1", "stage a's layer is not zstd (\(magic) zstd blobs)")
    }
}
