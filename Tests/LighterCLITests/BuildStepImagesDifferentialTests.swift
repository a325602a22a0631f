#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The classic builder's step images, Lighter against Debian's dockerd 20.10 (`DOCKER_BUILDKIT=0`):
/// the same small Dockerfiles built by both, then the shapes compared — how many images `images` and
/// `images -a` list, which rows of `history` carry an image ID and which `<missing>`, `inspect`'s
/// Parent being the step below, how many images `rmi` of the result deletes, and what `image prune`
/// leaves. (Docker's `rmi` also prints a `Deleted:` line per layer it frees; only image IDs are counted.)
@Suite(.serialized, .enabled(if: DockerDaemon.installed)) struct BuildStepImagesDifferentialTests {
    /// No ARG: Docker's classic builder commits an image for ARG too, Lighter's ARG changes no image.
    static let steps = """
        FROM busybox
        ENV A=1
        RUN echo hi > /f
        COPY a.txt /a
        WORKDIR /srv
        CMD ["sh"]
        """

    /// The first stage's result is left dangling by both (nothing is built on it, it has no tag).
    static let twoStages = """
        FROM busybox AS build
        RUN echo a > /a
        FROM busybox
        COPY --from=build /a /b
        LABEL k=v
        """

    /// What one engine shows of a build, reduced to what both must agree on.
    struct Shape: Equatable, CustomStringConvertible {
        var images = 0, allImages = 0
        /// `history`'s IMAGE column, "ID" or "<missing>", newest first.
        var historyColumn: [String] = []
        var parentIsTheStepBelow = false
        var deletedImages = 0, allImagesAfterRmi = 0, allImagesAfterPrune = 0
        var description: String {
            "images \(images), -a \(allImages), history \(historyColumn.joined(separator: " ")), parent ok \(parentIsTheStepBelow), "
                + "rmi deleted \(deletedImages) images, -a after \(allImagesAfterRmi), after prune \(allImagesAfterPrune)"
        }
    }

    static func shape(_ run: ([String]) -> ProcessResult, tag: String) -> Shape {
        func lines(_ arguments: [String]) -> [String] { run(arguments).stdout.split(separator: "\n").map(String.init) }
        var shape = Shape()
        shape.images = lines(["images", "-q"]).count
        let all = lines(["images", "-a", "-q", "--no-trunc"])
        shape.allImages = all.count
        let history = lines(["history", "--no-trunc", "--format", "{{.ID}}", tag])
        shape.historyColumn = history.map { $0 == "<missing>" ? "<missing>" : (all.contains($0) ? "ID" : "unknown \($0)") }
        let parent = run(["image", "inspect", "--format", "{{.Parent}}", tag]).stdout.trimmed
        shape.parentIsTheStepBelow = history.count > 1 && !parent.isEmpty && parent == history[1]
        let removed = lines(["rmi", tag])
        shape.deletedImages = removed.filter { $0.hasPrefix("Deleted: ") && all.contains(String($0.dropFirst("Deleted: ".count))) }.count
        shape.allImagesAfterRmi = lines(["images", "-a", "-q"]).count
        _ = run(["image", "prune", "-f"])
        shape.allImagesAfterPrune = lines(["images", "-a", "-q"]).count
        return shape
    }

    @Test func stepImagesListedHistoriedAndRemovedAsDockersClassicBuilderDoes() throws {
        let docker = try DockerDaemon(label: "build-step-images")
        defer { docker.stop() }
        let lighter = Lighter()
        let tarball = Repository.busyboxTarball()
        #expect(docker.client(["import", tarball, "busybox:latest"]).status == 0)
        #expect(lighter.run("import", tarball, "busybox:latest").status == 0)
        for (name, dockerfile) in [("steps", Self.steps), ("two-stages", Self.twoStages)] {
            let context = try BuildCommandTests.context(["Dockerfile": dockerfile, "a.txt": "hello\n"])
            let built = Run.capture(["timeout", "120", "/usr/bin/docker", "build", "-q", "--network", "none", "-t", "diff:\(name)", context.path],
                                    environment: docker.clientEnvironment.merging(["DOCKER_BUILDKIT": "0"]) { $1 })
            #expect(built.status == 0, "\(name), docker: \(built.stderr)")
            let ours = lighter.run("build", "-q", "--network", "none", "-t", "diff:\(name)", context.path)
            #expect(ours.status == 0, "\(name), lighter: \(ours.stderr)")
            let fromDocker = Self.shape({ docker.client($0) }, tag: "diff:\(name)")
            let fromLighter = Self.shape({ lighter.run($0) }, tag: "diff:\(name)")
            // Not vacuous: Docker's side has the step images this test is about.
            #expect(fromDocker.allImages > fromDocker.images && fromDocker.parentIsTheStepBelow, "\(name): docker \(fromDocker)")
            #expect(fromDocker == fromLighter, "\(name):\ndocker  \(fromDocker)\nlighter \(fromLighter)")
        }
        #expect(lighter.run("system", "check").status == 0)
    }
}
