import Testing
import LighterSystem
import LighterTestSupport

/// What the power-cut harness (scripts/chaos/power-cut.sh) found, held here without a VM: a command
/// that reports an image stored, a tag changed or a lasting container created or removed has fsynced
/// SQLite's WAL before it returns (with `synchronous=NORMAL` alone, an imported image was gone after
/// a cut), GC makes its row deletions durable before it unlinks a blob, and `run --rm` still pays no
/// fsync. Traced with strace (`-y` names each descriptor's file).
@Suite struct DurableCommitTests {
    /// The syncs, unlinks and renames of `arguments`, one per line as strace prints them.
    static func trace(_ lighter: Lighter, _ arguments: String...) -> [Substring] {
        let result = Run.capture(["strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,unlink,unlinkat,rename,renameat,renameat2",
                                  "-o", "/dev/stderr", Repository.lighterBinary] + arguments,
                                 environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        #expect(result.status == 0, "\(arguments): \(result.stdout)")
        return result.stderr.split(separator: "\n")
    }

    static func walSynced(_ lines: [Substring]) -> Bool {
        lines.contains { ($0.contains("fsync(") || $0.contains("fdatasync(")) && $0.contains("lighter.db-wal>") }
    }

    @Test func reportedChangesAreOnDiskWhenTheCommandReturns() throws {
        let lighter = Lighter()
        try #require(Run.capture(["strace", "-V"]).status == 0, "strace is needed (scripts/install-deps.sh)")
        #expect(Self.walSynced(Self.trace(lighter, "import", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball(), "busybox:latest")))
        #expect(Self.walSynced(Self.trace(lighter, "tag", "busybox", "other:1")))
        let created = Self.trace(lighter, "create", "--name", "lasting", "busybox", "true")
        #expect(Self.walSynced(created))
        #expect(Self.walSynced(Self.trace(lighter, "rm", "lasting")))
        // A --rm container is gone after a power cut anyway: no fsync on its path.
        #expect(!Self.trace(lighter, "run", "--rm", "busybox", "true").contains { $0.contains("fsync(") || $0.contains("fdatasync(") })

        // rmi of the last tag: the rows go durably before GC unlinks the image's blobs.
        #expect(lighter.run(["import", "-c", "LABEL doomed=yes", Repository.busyboxTarball(), "doomed:1"]).status == 0)
        let removal = Self.trace(lighter, "rmi", "doomed:1")
        let firstUnlink = removal.firstIndex { $0.contains("unlink") && $0.contains("/blobs/sha256/") }
        let lastWALSync = removal.lastIndex { ($0.contains("fsync(") || $0.contains("fdatasync(")) && $0.contains("lighter.db-wal>") }
        #expect(firstUnlink != nil && lastWALSync != nil)
        if let firstUnlink, let lastWALSync { #expect(lastWALSync < firstUnlink, "\(removal.joined(separator: "\n"))") }
    }
}
