#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `events`: the log the engine, the store and volumes append to, read back with Docker's shapes and
/// filters, and followed live.
@Suite struct EventsTests {
    @Test func lifecycleEventsAreLoggedInOrderWithDockersShape() throws {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("create", "--name", "box", "busybox", "true").status == 0)
        #expect(lighter.run("start", "box").status == 0)
        #expect(lighter.run("wait", "box").stdout == "0\n")
        #expect(lighter.run("rename", "box", "box2").status == 0)
        #expect(lighter.run("rm", "box2").status == 0)
        #expect(lighter.run("tag", "busybox", "mine:1").status == 0)
        #expect(lighter.run("rmi", "mine:1").status == 0)
        #expect(lighter.run("volume", "create", "vol").status == 0)
        #expect(lighter.run("volume", "rm", "vol").status == 0)
        func actions(_ filters: String...) -> String {
            let result = lighter.run(["events", "--since", "0", "--until", "0s", "--format", "{{.Type}} {{.Action}}"] + filters.flatMap { ["--filter", $0] })
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        #expect(actions("type=container") == "container create\ncontainer start\ncontainer die\ncontainer rename\ncontainer destroy\n")
        #expect(actions("type=image") == "image import\nimage tag\nimage untag\n")
        #expect(actions("type=volume") == "volume create\nvolume destroy\n")
        #expect(actions("event=die", "event=start") == "container start\ncontainer die\n")
        #expect(actions("container=box2") == "container rename\ncontainer destroy\n")
        #expect(actions("image=busybox", "type=container") == "container create\ncontainer start\ncontainer die\ncontainer rename\ncontainer destroy\n")
        // Docker's JSON line and its default text line.
        let json = lighter.run("events", "--since", "0", "--until", "0s", "--filter", "event=die", "--format", "{{json .}}").stdout
        let node = try #require(try? JSONNode.parse(Array(json.utf8), what: "event"))
        guard case let .object(fields) = node, case let .object(actor)? = fields["Actor"], case let .object(attributes)? = actor["Attributes"] else {
            Issue.record("shape: \(json)")
            return
        }
        #expect(fields["Type"] == .string("container") && fields["Action"] == .string("die") && fields["status"] == .string("die"))
        #expect(fields["scope"] == .string("local") && fields["from"] == .string("busybox") && fields["id"] == actor["ID"])
        #expect(attributes["exitCode"] == .string("0") && attributes["name"] == .string("box") && attributes["image"] == .string("busybox"))
        let text = lighter.run("events", "--since", "0", "--until", "0s", "--filter", "event=die").stdout
        let id = lighter.run("events", "--since", "0", "--until", "0s", "--filter", "event=die", "--format", "{{.Actor.ID}}").stdout.trimmed
        #expect(id.count == 64)
        #expect(text.hasSuffix("Z container die \(id) (exitCode=0, image=busybox, name=box)\n"), "\(text)")
        #expect(text.dropFirst(19).hasPrefix(".") && text.prefix(30).hasSuffix("Z"), "nine fractional digits: \(text)")
        // A window before everything: nothing, at once.
        #expect(lighter.run("events", "--since", "1", "--until", "1970-01-01T00:00:02Z").stdout == "")
        let bad = lighter.run("events", "--filter", "colour=red", "--until", "0s")
        #expect(bad.status == 1 && bad.stderr.contains("invalid filter 'colour'"), "\(bad.stderr)")
    }

    @Test func eventsFollowsTheLogUntilUntil() {
        let lighter = Lighter()
        #expect(lighter.run("volume", "create", "before").status == 0)
        let until = Int(time(nil)) + 3
        // events waits for new events; a volume is created meanwhile by another process.
        let script = "(sleep 1; '\(Repository.lighterBinary)' volume create during >/dev/null) & exec '\(Repository.lighterBinary)' events --until \(until) --filter type=volume --format '{{.Action}} {{.Actor.ID}}'"
        let followed = Run.capture(["/bin/sh", "-c", script], environment: ["LIGHTER_ROOT": lighter.root.path])
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stdout == "create during\n", "only events after it started: \(followed.stdout)")
        #expect(time(nil) >= until, "returned at --until")
    }
}
