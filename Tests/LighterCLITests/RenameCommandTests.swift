import Testing
import LighterSystem
import LighterTestSupport

/// `lighter rename`.
@Suite struct RenameCommandTests {
    @Test func renamesAndKeepsNamesUnique() {
        let lighter = RunCommandTests.ready()
        defer { lighter.run("rm", "-f", "first", "second", "renamed") }
        let id = lighter.run("create", "--name", "first", "busybox", "true").stdout.trimmed
        #expect(lighter.run("create", "--name", "second", "busybox", "true").status == 0)
        let renamed = lighter.run("rename", "first", "renamed")
        #expect(renamed.status == 0 && renamed.stdout == "", "\(renamed.stderr)")
        #expect(lighter.run("inspect", "-f", "{{.Id}}", "renamed").stdout.trimmed == id)
        #expect(lighter.run("ps", "-a", "--format", "{{.Names}}").stdout.split(separator: "\n").sorted() == ["renamed", "second"])
        // The old name is free again; a running container can be renamed too.
        #expect(lighter.run("run", "-d", "--name", "first", "busybox", "sleep", "30").status == 0)
        #expect(lighter.run("rename", "first", "/runner").status == 0)
        #expect(lighter.run("inspect", "-f", "{{.State.Status}}", "runner").stdout == "running\n")
        defer { lighter.run("rm", "-f", "runner") }
        for (args, words) in [(["rename", "renamed", "second"], "already in use"), (["rename", "renamed", "renamed"], "same name"),
                              (["rename", "renamed", "bad name!"], "invalid container name"), (["rename", "nobox", "x"], "no such container")] {
            let result = lighter.run(args)
            #expect(result.status == 1, "\(args)")
            #expect(result.stderr.hasPrefix("lighter: ") && result.stderr.contains(words), "\(args): \(result.stderr)")
        }
        #expect(lighter.run("rename", "renamed").status != 0)
    }
}
