import Testing
import LighterSystem
import LighterTestSupport

@Suite struct ImageCommandsTests {
    @Test func importThenImagesShowsTheImageLikeDocker() {
        let lighter = Lighter()
        let imported = lighter.importBusybox()
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("sha256:"))
        let id = String(imported.stdout.dropFirst(7).prefix(12))
        let images = lighter.run("images")
        #expect(images.status == 0)
        let lines = images.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("REPOSITORY   TAG       IMAGE ID       CREATED") == true)
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("busybox      latest    \(id)   "))
        #expect(lighter.run("images", "-q").stdout == "\(id)\n")
        #expect(lighter.run("images", "--format", "{{.Repository}}:{{.Tag}} {{.Platform}}").stdout == "busybox:latest linux/amd64\n")
        let json = lighter.run("images", "--format", "json").stdout
        #expect(json.hasPrefix("{\"Containers\":\"N/A\""))
        #expect(json.contains("\"Repository\":\"busybox\""))
        // Go templates with Docker's functions; a table's header keeps its text.
        #expect(lighter.run("images", "--format", "{{.Repository | upper}}{{if eq .Tag \"latest\"}}!{{end}}").stdout == "BUSYBOX!\n")
        #expect(lighter.run("images", "--format", "table {{.Repository}}\\t{{.Tag | upper}}").stdout == "REPOSITORY   TAG\nbusybox      LATEST\n")
        let unknown = lighter.run("images", "--format", "{{.Nope}}")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("map has no entry for key \"Nope\""))
        #expect(lighter.run("image", "inspect", "-f", "{{range .Config.Cmd}}<{{.}}>{{end}} {{len .RootFS.Layers}} {{json .Os}}", "busybox").stdout
                == "</bin/sh> 1 \"linux\"\n")
    }

    @Test func filtersDanglingAndReference() {
        let lighter = Lighter()
        #expect(lighter.importBusybox("busybox:latest").status == 0)
        #expect(lighter.importBusybox("busybox:latest").status == 0)   // the first becomes dangling
        #expect(lighter.importBusybox("other/app:1").status == 0)
        #expect(lighter.run("images", "-q", "--filter", "dangling=true").stdout.split(separator: "\n").count == 1)
        #expect(lighter.run("images", "--format", "{{.Repository}}", "--filter", "reference=other/*").stdout == "other/app\n")
        #expect(lighter.run("images", "--format", "{{.Repository}}", "busybox").stdout == "busybox\n")
        let bad = lighter.run("images", "--filter", "color=blue")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("invalid filter 'color'"))
        let prune = lighter.run("image", "prune", "-f")
        #expect(prune.status == 0)
        #expect(prune.stdout.contains("deleted: sha256:"))
        #expect(lighter.run("images", "-q").stdout.split(separator: "\n").count == 2)
    }

    @Test func inspectHistoryTagRmi() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        #expect(lighter.run("image", "inspect", "--format", "{{.Architecture}} {{.Os}} {{.Config.Cmd}}", "busybox").stdout == "amd64 linux [/bin/sh]\n")
        let inspect = lighter.run("image", "inspect", "busybox")
        #expect(inspect.stdout.contains("\"RepoTags\" : [\n      \"busybox:latest\"") || inspect.stdout.contains("\"busybox:latest\""))
        let history = lighter.run("history", "busybox")
        #expect(history.stdout.hasPrefix("IMAGE          CREATED"))
        #expect(history.stdout.contains("Imported from"))
        #expect(lighter.run("tag", "busybox", "localhost:5000/bb:v2").status == 0)
        #expect(lighter.run("images", "--format", "{{.Repository}}:{{.Tag}}").stdout == "busybox:latest\nlocalhost:5000/bb:v2\n")
        #expect(lighter.run("rmi", "localhost:5000/bb:v2").stdout == "Untagged: localhost:5000/bb:v2\n")
        let missing = lighter.run("rmi", "nothere")
        #expect(missing.status == 1)
        #expect(missing.stderr == "lighter: no such image: nothere\n")
        let rmi = lighter.run("rmi", "busybox")
        #expect(rmi.status == 0)
        #expect(rmi.stdout.hasPrefix("Untagged: busybox:latest\nDeleted: sha256:"))
        #expect(lighter.run("images", "-q").stdout == "")
    }

    @Test func badInputGetsAClearErrorAndExitStatus() {
        let lighter = Lighter()
        let noFile = lighter.run("import", "/nonexistent.tar")
        #expect(noFile.status == 1)
        #expect(noFile.stderr == "lighter: no such file: /nonexistent.tar\n")
        let badPlatform = lighter.run("import", "--platform", "linux/sparc99", Repository.busyboxTarball())
        #expect(badPlatform.status == 1)
        #expect(badPlatform.stderr.contains("unknown architecture \"sparc99\""))
        let badRef = lighter.run("import", Repository.busyboxTarball(), "Not/Valid")
        #expect(badRef.stderr.contains("invalid reference format"))
        let badFormat = lighter.run("save", "--format", "zip", "-o", "/tmp/x", "busybox")
        #expect(badFormat.stderr.contains("--format zip: use docker, oci or oci-dir"))
        #expect(lighter.run("images", "-q").stdout == "")
    }

    @Test func systemDfShowsSharedAndUniqueSizes() {
        let lighter = Lighter()
        #expect(lighter.importBusybox("a:1").status == 0)
        #expect(lighter.importBusybox("b:1").status == 0)
        let df = lighter.run("system", "df")
        #expect(df.stdout.hasPrefix("TYPE            TOTAL     ACTIVE    SIZE"))
        #expect(df.stdout.contains("Images          2         0"))
        // Docker's `-v --format`: one template over the whole usage (.Images, .Containers, .Volumes).
        let verbose = lighter.run("system", "df", "-v", "--format", "{{range .Images}}{{.Repository}} {{.SharedSize}} {{.UniqueSize}}\\n{{end}}")
        let lines = verbose.stdout.split(separator: "\n").filter { $0.hasPrefix("a ") || $0.hasPrefix("b ") }
        #expect(lines.count == 2)
        for line in lines { #expect(line.hasSuffix(" 0B")) }
    }
}

@Suite struct StreamAndGlobalOptionTests {
    @Test func importAndLoadFromStandardInputWithGlobalRoot() {
        let root = TestDirectory("lighter-stdin")
        let bin = Repository.lighterBinary
        let imported = Run.sh("gzip -c < \(Repository.busyboxTarball()) | \(bin) --root \(root.path) import - gz:1")
        #expect(imported.status == 0, "\(imported.stderr)")
        let saved = Run.sh("\(bin) --root=\(root.path) save gz:1 | \(bin) --root \(root.sub("other")) load")
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(saved.stdout == "Loaded image: gz:1\n")
        let listed = Run.capture([bin, "--root", root.sub("other"), "images", "--format", "{{.Repository}}:{{.Tag}}"])
        #expect(listed.stdout == "gz:1\n")
        let toTerminalRefused = Run.capture([bin, "--root", root.path, "save", "nothere"])
        #expect(toTerminalRefused.status == 1)
    }

    /// `save A B | load` of an image and one built on it: the layer they share is one file of the
    /// archive, named by both entries of manifest.json (the loader moved it away at the first).
    @Test func saveAndLoadOfImagesThatShareALayer() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\nRUN echo x > /x\n"])
        #expect(lighter.run("build", "-q", "--network", "none", "-t", "derived:1", context.path).status == 0)
        let other = TestDirectory("lighter-shared-load")
        for format in ["docker", "oci"] {
            let root = other.sub(format)
            let moved = Run.sh("\(Repository.lighterBinary) --root \(lighter.root.path) save --format \(format) busybox derived:1 | \(Repository.lighterBinary) --root \(root) load")
            #expect(moved.status == 0, "\(format): \(moved.stderr)")
            let run = Run.capture([Repository.lighterBinary, "--root", root, "run", "--rm", "--network", "none", "derived:1", "cat", "/x"])
            #expect(run.stdout == "x\n", "\(format): \(run.stderr)")
            #expect(Run.capture([Repository.lighterBinary, "--root", root, "system", "check"]).status == 0)
        }
    }
}
