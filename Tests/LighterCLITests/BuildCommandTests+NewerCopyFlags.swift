import LighterSystem
import LighterTestSupport
import Testing

/// BuildKit's newer COPY/ADD flags: `--link` gives the files a plain COPY gives; `--parents`,
/// `--exclude` and `--unpack` are refused by name, before anything is built.
extension BuildCommandTests {
    @Test func newerCopyFlagsAreAppliedOrRefusedByName() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context(["a.txt": "linked\n", "Dockerfile": "FROM busybox\nCOPY --link a.txt /srv/\n"])
        let linked = lighter.run("build", "-q", "-t", "linked:1", context.path)
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(lighter.run("run", "--rm", "linked:1", "cat", "/srv/a.txt").stdout == "linked\n")
        for (line, words) in [("COPY --parents a.txt /srv/", "COPY --parents (line 2)"),
                              ("COPY --exclude=*.md . /srv/", "COPY --exclude (line 2)"),
                              ("ADD --unpack=true a.txt /srv/", "ADD --unpack (line 2)")] {
            _ = try context.write("Dockerfile", "FROM busybox\n\(line)\n")
            let refused = lighter.run("build", "-q", context.path)
            #expect(refused.status != 0 && refused.stderr.contains(words) && refused.stderr.contains("is not available"), "\(line): \(refused.stderr)")
        }
    }
}
