#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// Independent stages build at the same time (each in its own `lighter __build-stage` process), as
/// BuildKit's do; stages the target does not need never run.
@Suite(.serialized) struct BuildStagesTests {
    /// Two stages that each wait for a file the other writes (in a cache mount both share): built
    /// one after the other, the first would give up after 60 s and fail the build with exit code 7.
    static let rendezvous = """
        FROM busybox AS left
        RUN --mount=type=cache,id=meet,target=/meet touch /meet/left && i=0; \\
            while [ ! -e /meet/right ]; do i=$((i+1)); [ $i -lt 600 ] || exit 7; sleep 0.1; done; echo left > /done

        FROM busybox AS right
        RUN --mount=type=cache,id=meet,target=/meet touch /meet/right && i=0; \\
            while [ ! -e /meet/left ]; do i=$((i+1)); [ $i -lt 600 ] || exit 7; sleep 0.1; done; echo right > /done

        FROM busybox AS unused
        RUN echo this stage is not needed && exit 1

        FROM busybox
        COPY --from=left /done /left
        COPY --from=right /done /right
        CMD ["cat", "/left", "/right"]
        """

    @Test func independentStagesRunAtTheSameTime() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": Self.rendezvous])
        let result = lighter.run("build", "--progress", "plain", "-t", "both:1", context.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("not needed"))
        #expect(lighter.run("run", "--rm", "both:1").stdout == "left\nright\n")
        // Both stages' steps were reported, each with its stage's name.
        #expect(result.stderr.contains("[left 2/2] RUN"), "\(result.stderr)")
        #expect(result.stderr.contains("[right 2/2] RUN"), "\(result.stderr)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        // The stages' steps are in the cache as an in-process build records them: all reused.
        let again = lighter.run("build", "--progress", "plain", "-t", "both:2", context.path)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.ranges(of: "CACHED").count == 5, "\(again.stderr)")
        let ids = ["both:1", "both:2"].map { lighter.run("image", "inspect", "--format", "{{.Id}}", $0).stdout }
        #expect(ids[0] == ids[1])
        // --no-cache: the stages run again, concurrently (the rendezvous would fail otherwise).
        try FileSystem.removeTree("\(lighter.root.path)/build-mounts")
        let fresh = lighter.run("build", "--progress", "plain", "--no-cache", context.path)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(!fresh.stderr.contains("CACHED"), "\(fresh.stderr)")
    }

    @Test func aFailingStageStopsTheOthersAndLeavesNothingBehind() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox AS slow
            RUN sleep 3 && echo slow > /done
            RUN echo "this step must not run" > /never

            FROM busybox AS broken
            RUN echo "compiler says no" && exit 3

            FROM busybox
            COPY --from=slow /done /slow
            COPY --from=broken / /broken
            """])
        let result = lighter.run("build", "--progress", "plain", context.path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("Dockerfile:6"), "\(result.stderr)")
        #expect(result.stderr.contains("exit code 3"), "\(result.stderr)")
        #expect(result.stderr.contains("compiler says no"), "\(result.stderr)")
        #expect(!result.stderr.contains("[slow 3/3]"), "\(result.stderr)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        // Steps that completed before the stop reached them (the slow stage's, depending on timing) stay
        // as dangling step images, as Docker's classic builder leaves them; no image is named; `image
        // prune` takes them all.
        let names = lighter.run("images", "-a", "--format", "{{.Repository}}").stdout.split(separator: "\n")
        #expect(names.filter { $0 != "<none>" } == ["busybox"], "\(names)")
        #expect(lighter.run("image", "prune", "-f").status == 0)
        #expect(lighter.run("images", "-a", "-q").stdout.split(separator: "\n").count == 1)
        let mounts = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
        #expect(!mounts.contains(lighter.root.path))
        #expect(try FileSystem.list("\(lighter.root.path)/tmp").filter { $0.hasPrefix("build-stages") }.isEmpty)
    }
}
