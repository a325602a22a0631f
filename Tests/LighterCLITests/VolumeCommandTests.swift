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
