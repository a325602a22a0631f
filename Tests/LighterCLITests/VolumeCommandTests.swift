import Testing
import LighterSystem
import LighterTestSupport

@Suite struct VolumeCommandTests {
    @Test func createListInspectRemovePrune() {
        let lighter = Lighter()
        #expect(lighter.run("volume", "create", "data").stdout == "data\n")
        #expect(lighter.run("volume", "create", "data").status == 0)   // idempotent, as Docker
        #expect(lighter.run("volume", "create", "--label", "k=v", "other").status == 0)
        #expect(lighter.run("volume", "ls", "-q").stdout == "data\nother\n")
        #expect(lighter.run("volume", "ls").stdout.hasPrefix("DRIVER    VOLUME NAME\nlocal     data\n"))
        let mountpoint = lighter.run("volume", "inspect", "-f", "{{.Mountpoint}}", "data").stdout.trimmed
        #expect(mountpoint == "\(lighter.root.path)/volumes/data/_data")
        #expect(FileSystem.isDirectory(mountpoint))
        #expect(lighter.run("volume", "inspect", "-f", "{{.Labels.k}}", "other").stdout == "v\n")
        let bad = lighter.run("volume", "create", "-bad")
        #expect(bad.status != 0)
        let missing = lighter.run("volume", "rm", "nothere")
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such volume: nothere"))
        #expect(lighter.run("volume", "rm", "-f", "nothere").status == 0)
        #expect(lighter.run("volume", "rm", "other").stdout == "other\n")
        #expect(lighter.run("volume", "prune", "-f").stdout == "Deleted Volumes:\ndata\n\n")
        #expect(lighter.run("volume", "ls", "-q").stdout == "")
        #expect(!FileSystem.exists(mountpoint))
    }
}

@Suite struct VolumeMountTests {
    @Test func namedVolumesOutliveContainersAndAnonymousOnesGoWithRm() {
        let lighter = RunCommandTests.ready()
        #expect(lighter.run("run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo persisted > /data/f").status == 0)
        #expect(lighter.run("run", "--rm", "-v", "data:/data:ro", "busybox", "cat", "/data/f").stdout == "persisted\n")
        #expect(lighter.run("run", "--rm", "-v", "data:/data:ro", "busybox", "touch", "/data/g").status != 0)
        // A volume in use cannot be removed.
        #expect(lighter.run("create", "--name", "user", "-v", "data:/data", "busybox", "true").status == 0)
        let busy = lighter.run("volume", "rm", "data")
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("volume is in use by container user"))
        #expect(lighter.run("rm", "user").status == 0)
        // `-v /path` makes an anonymous volume: `run --rm` and `rm -v` take it away.
        #expect(lighter.run("run", "--rm", "-v", "/scratch", "busybox", "touch", "/scratch/x").status == 0)
        #expect(lighter.run("volume", "ls", "-q").stdout == "data\n")
        #expect(lighter.run("create", "--name", "anon", "-v", "/scratch", "busybox", "true").status == 0)
        #expect(lighter.run("volume", "ls", "-q").stdout.split(separator: "\n").count == 2)
        #expect(lighter.run("rm", "-v", "anon").status == 0)
        #expect(lighter.run("volume", "ls", "-q").stdout == "data\n")
        let bad = lighter.run("run", "--rm", "-v", "bad name:/x", "busybox", "true")
        #expect(bad.status == 125)
    }
}
