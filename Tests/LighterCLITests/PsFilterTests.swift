import Testing
import LighterSystem
import LighterTestSupport

/// `ps`'s filters, -n/-l/-s and its JSON rows, and `system df`'s four rows, on containers made for the test.
@Suite struct PsFilterTests {
    /// Three created containers, oldest first: a, b (with volume "data"), c (of an image that EXPOSEs 8080).
    static func three() -> Lighter {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run(["import", "--platform", "linux/amd64", "-c", "EXPOSE 8080", "-c", "CMD [\"/bin/sh\"]",
                                  Repository.busyboxTarball("amd64"), "web:1"]).status == 0)
        #expect(lighter.run("create", "--name", "a", "busybox", "true").status == 0)
        #expect(lighter.run("create", "--name", "b", "-v", "data:/data", "busybox", "true").status == 0)
        #expect(lighter.run("create", "--name", "c", "web:1").status == 0)
        return lighter
    }

    @Test func filtersByPositionVolumeExposeAndTheAbsentFeatures() {
        let lighter = Self.three()
        func names(_ arguments: String...) -> String {
            let result = lighter.run(["ps", "-a", "--format", "{{.Names}}"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        #expect(names() == "c\nb\na\n")
        #expect(names("-f", "before=c") == "b\na\n")
        #expect(names("-f", "since=a") == "c\nb\n")
        #expect(names("-f", "since=a", "-f", "before=c") == "b\n")
        #expect(names("-f", "volume=data") == "b\n")
        #expect(names("-f", "volume=/data") == "b\n")
        #expect(names("-f", "expose=8080") == "c\n")
        #expect(names("-f", "expose=8000-8090/tcp") == "c\n")
        #expect(names("-f", "expose=8080/udp") == "")
        #expect(names("-f", "publish=8080") == "")
        #expect(names("-f", "network=none") == "c\nb\na\n")
        #expect(names("-f", "network=bridge") == "")
        #expect(names("-f", "health=none") == "c\nb\na\n")
        #expect(names("-f", "health=healthy") == "")
        #expect(names("-f", "is-task=false") == "c\nb\na\n")
        #expect(names("-f", "is-task=true") == "")
        #expect(names("-f", "name=a", "-f", "name=b") == "b\na\n")   // one key: any value
        for bad in ["color=blue", "health=sick", "is-task=maybe"] {
            let result = lighter.run("ps", "-a", "-f", bad)
            #expect(result.status == 1 && result.stderr.hasPrefix("lighter: ") && result.stderr.contains("invalid filter"), "\(bad): \(result.stderr)")
        }
        let missing = lighter.run("ps", "-a", "-f", "before=nobox")
        #expect(missing.status == 1 && missing.stderr.contains("no such container: nobox"), "\(missing.stderr)")
    }

    @Test func lastLatestSizeAndJSONRows() {
        let lighter = Self.three()
        // -n and -l include every state (the three are only created).
        #expect(lighter.run("ps", "-n", "2", "--format", "{{.Names}}").stdout == "c\nb\n")
        #expect(lighter.run("ps", "-l", "--format", "{{.Names}}").stdout == "c\n")
        #expect(lighter.run("ps", "--format", "{{.Names}}").stdout == "")
        let sized = lighter.run("ps", "-a", "-s")
        #expect(sized.stdout.split(separator: "\n").first?.hasSuffix("NAMES     SIZE") == true, "\(sized.stdout)")
        #expect(sized.stdout.contains(" (virtual "), "\(sized.stdout)")
        let json = lighter.run("ps", "-a", "-f", "name=b", "--format", "{{json .}}").stdout
        for key in ["Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks", "Ports",
                    "RunningFor", "Size", "State", "Status"] {
            #expect(json.contains("\"\(key)\":"), "\(key) in \(json)")
        }
        #expect(json.contains("\"LocalVolumes\":\"1\"") && json.contains("\"Mounts\":\"data\"") && json.contains("\"State\":\"created\""), "\(json)")
        #expect(json.contains("(virtual "), "sizes in JSON rows: \(json)")
        let created = lighter.run("ps", "-l", "--format", "{{.CreatedAt}}").stdout
        #expect(created.hasSuffix(" +0000 UTC\n") && created.count == "2026-01-01 00:00:00 +0000 UTC\n".count, "\(created)")
    }

    @Test func filtersByLabelAndRendersLabelMethod() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("create", "--name", "x", "--label", "role=web", "--label", "tier", "busybox", "true").status == 0)
        #expect(lighter.run("create", "--name", "y", "--label", "role=db", "busybox", "true").status == 0)
        #expect(lighter.run("ps", "-a", "-f", "label=role=web", "--format", "{{.Names}}").stdout == "x\n")
        #expect(lighter.run("ps", "-a", "-f", "label=role", "--format", "{{.Names}}").stdout == "y\nx\n")
        #expect(lighter.run("ps", "-a", "-f", "label=tier", "--format", "{{.Names}} {{.Labels}}").stdout == "x role=web,tier=\n")
        // Several label filters must all hold (other keys' values are alternatives): compose's way.
        #expect(lighter.run("ps", "-a", "-f", "label=role", "-f", "label=tier", "--format", "{{.Names}}").stdout == "x\n")
        #expect(lighter.run("ps", "-a", "-f", "label=role=db", "-f", "label=tier", "--format", "{{.Names}}").stdout == "")
        #expect(lighter.run("ps", "-a", "-f", "name=x", "-f", "name=y", "--format", "{{.Names}}").stdout == "y\nx\n")
        // Docker's rows have a Label method: a label's value, "" for one a container does not have.
        let labels = lighter.run("ps", "-a", "--format", "{{.Names}}:{{.Label \"role\"}}:{{.Label \"tier\"}}:{{.Label \"nope\"}}|{{\"role\" | .Label}}")
        #expect(labels.status == 0 && labels.stdout == "y:db::|db\nx:web::|web\n", "\(labels.stdout) \(labels.stderr)")
        let wrong = lighter.run("ps", "-a", "--format", "{{.Label}}")
        #expect(wrong.status != 0 && wrong.stderr.contains("wrong number of args for Label: want 1 got 0"), "\(wrong.stderr)")
    }

    @Test func systemDfHasDockersFourRowsThatAgreeWithTheLists() {
        let lighter = Self.three()
        #expect(lighter.run("volume", "create", "spare").status == 0)
        let df = lighter.run("system", "df")
        #expect(df.status == 0, "\(df.stderr)")
        let lines = df.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE", "\(df.stdout)")
        #expect(lines.dropFirst().map { String($0.prefix(16)) } == ["Images          ", "Containers      ", "Local Volumes   ", "Build Cache     "])
        let rows = lighter.run("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Active}}").stdout
        let images = lighter.run("images", "-q").stdout.split(separator: "\n").count
        let containers = lighter.run("ps", "-aq").stdout.split(separator: "\n").count
        let volumes = lighter.run("volume", "ls", "-q").stdout.split(separator: "\n").count
        #expect((images, containers, volumes) == (2, 3, 2))
        // Both images are used by a container; no container runs; "data" is mounted by b, "spare" by none.
        #expect(rows == "Images|\(images)|2\nContainers|\(containers)|0\nLocal Volumes|\(volumes)|1\nBuild Cache|0|0\n", "\(rows)")
        let verbose = lighter.run("system", "df", "-v")
        for heading in ["Images space usage:", "Containers space usage:", "Local Volumes space usage:", "Build cache usage: 0B"] {
            #expect(verbose.stdout.contains(heading), "\(heading)")
        }
        #expect(verbose.stdout.contains("\nspare         0         0B\n") || verbose.stdout.contains("spare"), "\(verbose.stdout)")
    }
}
