import Testing
import LighterSystem
import LighterTestSupport

/// A lost or damaged `lighter.db` (issue #17): `system check` names the problem, and `system check
/// --repair` rebuilds the images from the content store, their tags from `repositories.json`, and the
/// containers from their `container.json`.
@Suite struct DatabaseRecoveryTests {
    /// A root with an image under two tags, a dangling image, and a created container.
    static func populated() -> (Lighter, container: String) {
        let lighter = Lighter()
        #expect(lighter.importBusybox("busybox:latest").status == 0)
        #expect(lighter.run("tag", "busybox", "example.com/team/app:1.0").status == 0)
        #expect(lighter.run(["import", "-c", "LABEL dangling=yes", Repository.busyboxTarball(), "old:1"]).status == 0)
        #expect(lighter.run("tag", "busybox", "old:1").status == 0)   // old:1's first image is dangling now
        let created = lighter.run("create", "--name", "keeper", "busybox", "echo", "kept")
        #expect(created.status == 0, "\(created.stderr)")
        return (lighter, created.stdout.trimmed)
    }

    static func state(_ lighter: Lighter) -> String {
        lighter.run("images", "-a", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").stdout
            + lighter.run("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.Image}}").stdout
    }

    /// Damage the database with `damage` (a shell command run in the root), then check and repair.
    func expectRecovery(_ damage: String, problem: String) {
        let (lighter, container) = Self.populated()
        let before = Self.state(lighter)
        #expect(before.split(separator: "\n").count == 5, "\(before)")
        // Everything in the main file, so damage to it is damage to the data.
        #expect(Run.capture(["sqlite3", "\(lighter.root.path)/lighter.db", "PRAGMA wal_checkpoint(TRUNCATE);"]).status == 0)
        #expect(Run.sh("cd '\(lighter.root.path)' && \(damage)").status == 0)

        let check = lighter.run("system", "check")
        #expect(check.status == 1)
        #expect(check.stdout.contains(problem), "\(check.stdout)\(check.stderr)")
        #expect((check.stdout + check.stderr).contains("system check --repair"), "\(check.stdout)\(check.stderr)")

        let repair = lighter.run("system", "check", "--repair")
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(repair.stdout.contains("repair: recovered tag example.com/team/app:1.0"), "\(repair.stdout)")
        #expect(repair.stdout.contains("repair: recovered container \(container)"), "\(repair.stdout)")
        #expect(Self.state(lighter) == before)
        let again = lighter.run("system", "check")
        #expect(again.status == 0 && !again.stdout.contains("leftover"), "\(again.stdout)")
        // The next operations work: the recovered container starts, a new one runs.
        #expect(lighter.run("start", "-a", "keeper").stdout == "kept\n")
        #expect(lighter.run("run", "--rm", "example.com/team/app:1.0", "echo", "ok").stdout == "ok\n")
        #expect(lighter.run("rm", "keeper").status == 0)
    }

    @Test func deletedDatabase() {
        expectRecovery("rm lighter.db", problem: "lighter.db was lost or replaced")
    }

    @Test func truncatedDatabase() {
        expectRecovery("truncate -s 8192 lighter.db", problem: "lighter.db is damaged")
    }

    @Test func zeroedPage() {
        // Page 5 of the checkpointed file (the tables' pages follow the schema's).
        expectRecovery("dd if=/dev/zero of=lighter.db bs=4096 seek=4 count=1 conv=notrunc 2>/dev/null", problem: "lighter.db is damaged")
    }

    /// A power cut can lose a created container's row while its fsynced container.json stays: the
    /// repair gives the row back instead of removing the container as a killed create's leftover.
    @Test func aContainerWhoseRowWasLostComesBack() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let id = lighter.run("create", "--name", "survivor", "busybox", "echo", "here").stdout.trimmed
        #expect(id.count == 64)
        #expect(Run.capture(["sqlite3", "\(lighter.root.path)/lighter.db", "DELETE FROM containers WHERE id = '\(id)'"]).status == 0)
        #expect(lighter.run("ps", "-aq").stdout.isEmpty)
        #expect(lighter.run("system", "check").stdout.contains("leftover: container \(id)"))
        let repair = lighter.run("system", "check", "--repair")
        #expect(repair.status == 0 && repair.stdout.contains("repair: recovered container \(id)"), "\(repair.stdout)")
        #expect(!repair.stdout.contains("leftover (removed): container"), "\(repair.stdout)")
        #expect(lighter.run("start", "-a", "survivor").stdout == "here\n")
        #expect(lighter.run("rm", "survivor").status == 0)
    }

    /// A create killed after its row and before its record holds the name: `rm -f NAME` removes it
    /// (it was reported removed and kept the name), and the name can be used again.
    @Test func aKilledCreateHoldingTheNameIsRemovedByName() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let id = String(repeating: "ab", count: 32)
        let sql = "INSERT INTO containers (id, name, image_id, created_at) VALUES ('\(id)', 'web', 'x', 1)"
        #expect(Run.capture(["sqlite3", "\(lighter.root.path)/lighter.db", sql]).status == 0)
        #expect(Run.capture(["mkdir", "-p", "\(lighter.root.path)/containers/\(id)/upper"]).status == 0)
        #expect(lighter.run("create", "--name", "web", "busybox").stderr.contains("is already in use by container \"\(id)\""))
        let removed = lighter.run("rm", "-f", "web")
        #expect(removed.status == 0 && removed.stdout == "web\n", "\(removed.stdout) \(removed.stderr)")
        #expect(!FileSystem.exists("\(lighter.root.path)/containers/\(id)"))
        let run = lighter.run("run", "--rm", "--name", "web", "busybox", "echo", "free")
        #expect(run.status == 0 && run.stdout == "free\n", "\(run.stderr)")
        #expect(lighter.run("rm", "-f", "nothere").status == 1)
    }

    @Test func everyCommandOnADamagedDatabaseSaysWhatRepairsIt() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        #expect(Run.capture(["sqlite3", "\(lighter.root.path)/lighter.db", "PRAGMA wal_checkpoint(TRUNCATE);"]).status == 0)
        #expect(Run.capture(["truncate", "-s", "8192", "\(lighter.root.path)/lighter.db"]).status == 0)
        let images = lighter.run("images")
        #expect(images.status != 0)
        #expect(images.stderr.contains("database disk image is malformed") && images.stderr.contains("`lighter system check --repair`"), "\(images.stderr)")
    }
}
