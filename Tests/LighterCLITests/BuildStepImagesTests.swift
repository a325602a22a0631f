#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// Every build step leaves an untagged image whose parent is the previous step's, as Docker's classic
/// builder does: `images` hides them, `images -a` lists them, `history` names them, `inspect` gives
/// Parent; they share the final image's layers; `rmi` takes the chain; a rebuild from the cache (which
/// survives `rmi` until `builder prune`) brings the same images back.
@Suite(.serialized) struct BuildStepImagesTests {
    static let dockerfile = """
        FROM busybox
        ENV A=1
        RUN echo hi > /f
        COPY a.txt /a
        CMD ["sh"]
        """

    static func lines(_ result: ProcessResult) -> [String] { result.stdout.split(separator: "\n").map(String.init) }

    @Test func stepImagesAreListedHistoriedRemovedAndBroughtBackFromTheCache() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let base = lighter.run("image", "inspect", "--format", "{{.Id}}", "busybox").stdout.trimmed
        let snapshotsBefore = try FileSystem.list("\(lighter.root.path)/snapshots").count
        let context = try BuildCommandTests.context(["Dockerfile": Self.dockerfile, "a.txt": "hello\n"])
        let built = lighter.run("build", "-q", "-t", "fin", context.path)
        #expect(built.status == 0, "\(built.stderr)")
        let final = built.stdout.trimmed
        #expect(Self.lines(lighter.run("images", "-q")).count == 2)
        let all = Self.lines(lighter.run("images", "-a", "-q", "--no-trunc"))
        #expect(all.count == 5)   // busybox, ENV, RUN, COPY, CMD (= fin)
        #expect(Self.lines(lighter.run("images", "-a")).filter { $0.hasPrefix("<none>") }.count == 3)
        #expect(lighter.run("images", "-q", "--filter", "dangling=true").stdout.isEmpty)
        // `system df` counts what `images` lists, as Docker's (busybox and fin).
        let df = lighter.run("system", "df").stdout
        #expect(df.split(separator: "\n").contains { $0.hasPrefix("Images") && $0.split(separator: " ").dropFirst().first == "2" }, "\(df)")
        // Two layers made (RUN, COPY), each one snapshot: the step images share them.
        #expect(try FileSystem.list("\(lighter.root.path)/snapshots").count == snapshotsBefore + 2)
        let history = Self.lines(lighter.run("history", "--no-trunc", "--format", "{{.ID}}", "fin"))
        #expect(history.prefix(5).allSatisfy { all.contains($0) }, "\(history) \(all)")
        #expect(history.first == final && history[4] == base)
        #expect(Set(history.prefix(5)).count == 5)
        #expect(history.dropFirst(5).allSatisfy { $0 == "<missing>" })
        #expect(lighter.run("image", "inspect", "--format", "{{.Parent}}", "fin").stdout.trimmed == history[1])
        #expect(lighter.run("image", "inspect", "--format", "{{.Parent}}", history[3]).stdout.trimmed == base)
        // A step image another stands on is refused; the final one takes its untagged chain with it.
        #expect(lighter.run("rmi", history[2]).stderr.contains("image has dependent child images"))
        let removed = Self.lines(lighter.run("rmi", "fin"))
        #expect(removed == ["Untagged: fin:latest"] + history.prefix(4).map { "Deleted: \($0)" }, "\(removed)")
        #expect(Self.lines(lighter.run("images", "-a", "-q", "--no-trunc")) == [base])
        #expect(lighter.run("system", "check").status == 0)
        // The cache survived: every step is CACHED and the same images come back.
        let again = lighter.run("build", "--progress", "plain", "-t", "fin", context.path)
        #expect(again.status == 0 && again.stderr.split(separator: "\n").filter { $0.hasSuffix(" CACHED") }.count == 4, "\(again.stderr)")
        #expect(Set(Self.lines(lighter.run("images", "-a", "-q", "--no-trunc"))) == Set(all))
        // builder prune keeps what images hold; with -a the entries go, the images stay whole.
        #expect(lighter.run("builder", "prune", "-f").stdout.contains("Deleted build cache entries: 0"))
        #expect(lighter.run("builder", "prune", "-a", "-f").status == 0)
        #expect(lighter.run("system", "df").stdout.contains("Build Cache     0"))
        #expect(Set(Self.lines(lighter.run("images", "-a", "-q", "--no-trunc"))) == Set(all))
        #expect(lighter.run("run", "--rm", "fin", "cat", "/f", "/a").stdout == "hi\nhello\n")
        #expect(lighter.run("system", "check").status == 0)
    }

    @Test func labelsAreStepsAndOutputsKeepNoStepImages() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nENV A=1\n"])
        #expect(lighter.run("build", "-q", "--label", "x=y", "--label", "a=b", "-t", "lab", context.path).status == 0)
        // Docker's classic builder: one LABEL step per --label, sorted, each an image.
        let history = Self.lines(lighter.run("history", "--format", "{{.ID}} {{.CreatedBy}}", "lab"))
        #expect(history.prefix(3).map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) } == ["LABEL x=y", "LABEL a=b", "ENV A=1"])
        #expect(!history.prefix(4).contains { $0.hasPrefix("<missing>") })
        #expect(Self.lines(lighter.run("images", "-a", "-q")).count == 4)
        // A rebuild from the cache gives the same image.
        let first = lighter.run("image", "inspect", "--format", "{{.Id}}", "lab").stdout
        #expect(lighter.run("build", "-q", "--label", "x=y", "--label", "a=b", "-t", "lab", context.path).stdout == first)
        #expect(Self.lines(lighter.run("images", "-a", "-q")).count == 4)
        // --no-prune: the result goes, its untagged parents stay (the last LABEL step is dangling then).
        #expect(Self.lines(lighter.run("rmi", "--no-prune", "lab")).filter { $0.hasPrefix("Deleted: ") }.count == 1)
        #expect(Self.lines(lighter.run("images", "-a", "-q")).count == 3)
        #expect(Self.lines(lighter.run("images", "-q", "--filter", "dangling=true")).count == 1)
        // An output that is no image keeps no step image.
        let other = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nENV B=2\nRUN echo x > /x\n"])
        #expect(lighter.run("build", "-q", "-o", "type=tar,dest=\(other.sub("out.tar"))", other.path).status == 0)
        #expect(Self.lines(lighter.run("images", "-a", "-q")).count == 3)
        #expect(lighter.run("system", "check").status == 0)
    }
}
