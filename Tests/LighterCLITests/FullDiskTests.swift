#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// A data root on a small tmpfs mounted over the test's root directory, unmounted when released;
/// the layer expansion reserve is off (`LIGHTER_DISK_RESERVE=0`) so the disk itself runs out.
final class SmallRoot {
    let lighter = Lighter()
    var path: String { lighter.root.path }
    let mounted: Bool

    init(megabytes: Int) {
        mounted = Run.capture(["mount", "-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "lighter-full-disk", lighter.root.path]).status == 0
    }

    @discardableResult
    func run(_ arguments: String...) -> ProcessResult { lighter.run(arguments, environment: ["LIGHTER_DISK_RESERVE": "0"]) }

    /// Fill the file system, then free `leave` bytes again (0: full).
    func fill(leaving leave: Int = 0) {
        Run.sh("dd if=/dev/zero of='\(path)/filler' bs=1M 2>/dev/null; sync")
        if leave > 0 { Run.capture(["truncate", "-s", "-\(leave)", "\(path)/filler"]) }
    }

    func unfill() { Run.capture(["rm", "-f", "\(path)/filler"]) }

    /// Files in a store directory (ingest/, snapshots/.tmp/, blobs/sha256/, snapshots/).
    func files(_ directory: String) -> [String] {
        ((try? FileSystem.list("\(path)/\(directory)")) ?? []).filter { $0 != ".tmp" }.sorted()
    }

    deinit {
        guard mounted else { return }
        if Run.capture(["umount", path]).status != 0 { Run.capture(["umount", "-l", path]) }
    }
}

/// Full disks (issue #17): an image that does not fit, a container that cannot be created, logs that
/// cannot be written. Each fails clearly or is survived, and leaves the store as it was.
@Suite(.serialized) struct FullDiskTests {
    /// A single-layer image of `megabytes` of random bytes, as a layer tarball and (saved from a
    /// scratch root on /tmp) as a `docker save` archive.
    static func bigImage(megabytes: Int, in directory: TestDirectory) -> (layer: String, archive: String) {
        let layer = directory.sub("big-layer.tar")
        let archive = directory.sub("big-image.tar")
        Run.sh("mkdir -p '\(directory.path)/big' && head -c \(megabytes)M /dev/urandom >'\(directory.path)/big/data' && tar -C '\(directory.path)/big' -cf '\(layer)' data")
        let scratch = Lighter()
        scratch.run("import", layer, "big:latest")
        scratch.run("save", "-o", archive, "big:latest")
        return (layer, archive)
    }

    @Test func importAndLoadThatDoNotFitFailClearlyAndLeaveNothing() throws {
        let root = SmallRoot(megabytes: 24)
        try #require(root.mounted, "cannot mount a tmpfs")
        let work = TestDirectory("lighter-full-disk")
        let big = Self.bigImage(megabytes: 12, in: work)
        try #require(FileSystem.exists(big.archive))
        #expect(root.run("import", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball(), "busybox:latest").status == 0)
        let blobs = root.files("blobs/sha256")
        let snapshots = root.files("snapshots")
        root.fill(leaving: 6 << 20)

        for (command, arguments) in [("import", ["import", big.layer, "big:latest"]), ("load", ["load", "-i", big.archive])] {
            let result = root.lighter.run(arguments, environment: ["LIGHTER_DISK_RESERVE": "0"])
            #expect(result.status != 0, "\(command) of an image larger than the free space succeeded")
            #expect(result.stderr.contains("No space left on device"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains(root.path), "\(command) does not say where: \(result.stderr)")
            // Nothing partial: no ingest file, temporary snapshot, blob, snapshot or image row.
            #expect(root.files("ingest").isEmpty, "\(command) left \(root.files("ingest"))")
            #expect(root.files("snapshots/.tmp").isEmpty, "\(command) left \(root.files("snapshots/.tmp"))")
            #expect(root.files("blobs/sha256") == blobs)
            #expect(root.files("snapshots") == snapshots)
            #expect(root.run("images", "--format", "{{.Repository}}").stdout == "busybox\n")
            let check = root.run("system", "check")
            #expect(check.status == 0 && !check.stdout.contains("leftover"), "\(check.stdout)\(check.stderr)")
        }
        // What was stored before still works, on the full disk.
        let run = root.run("run", "--rm", "busybox", "echo", "still here")
        #expect(run.status == 0 && run.stdout == "still here\n", "\(run.stderr)")
    }

    @Test func runOnAFullDiskFailsClearlyAndLeavesNoContainer() throws {
        let root = SmallRoot(megabytes: 16)
        try #require(root.mounted, "cannot mount a tmpfs")
        #expect(root.run("import", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball(), "busybox:latest").status == 0)
        #expect(root.run("create", "--name", "before", "busybox", "true").status == 0)
        root.fill()
        let run = root.run("run", "--rm", "busybox", "true")
        #expect(run.status == 125, "\(run.status) \(run.stdout)")
        #expect(run.stderr.contains("No space left on device") || run.stderr.contains("disk is full"), "\(run.stderr)")
        let created = root.run("create", "--name", "after", "busybox", "true")
        #expect(created.status != 0)
        #expect(root.run("ps", "-a", "--format", "{{.Names}}").stdout == "before\n")
        #expect(root.files("containers").count == 1, "\(root.files("containers"))")
        root.unfill()
        let check = root.run("system", "check")
        #expect(check.status == 0 && !check.stdout.contains("leftover"), "\(check.stdout)\(check.stderr)")
        let again = root.run("run", "--rm", "busybox", "echo", "room again")
        #expect(again.status == 0 && again.stdout == "room again\n", "\(again.stderr)")
        #expect(root.run("rm", "before").status == 0)
    }

    @Test func aContainerWhoseLogsCannotBeWrittenKeepsRunning() throws {
        let root = SmallRoot(megabytes: 16)
        try #require(root.mounted, "cannot mount a tmpfs")
        #expect(root.run("import", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball(), "busybox:latest").status == 0)
        let pad = String(repeating: "x", count: 200)
        let started = root.run("run", "-d", "--name", "talker", "busybox", "sh", "-c",
                               "i=0; while :; do echo \"line $i \(pad)\"; i=$((i + 1)); usleep 2000; done")
        try #require(started.status == 0, "\(started.stderr)")
        #expect(root.lighter.waitForLog("talker", containing: "line 10 "))
        root.fill()
        usleep(1_500_000)   // the container writes ~700 lines into the full disk
        #expect(root.run("inspect", "-f", "{{.State.Running}}", "talker").stdout == "true\n")
        root.unfill()
        // Logging resumes once there is room; every line read back is whole.
        let before = root.run("logs", "talker").stdout.split(separator: "\n").count
        var resumed = false
        for _ in 0..<100 where !resumed {
            usleep(100_000)
            resumed = root.run("logs", "talker").stdout.split(separator: "\n").count > before + 50
        }
        #expect(resumed, "the log did not resume after space came back")
        let lines = root.run("logs", "talker").stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("line ") && $0.hasSuffix(pad) })
        #expect(root.run("inspect", "-f", "{{.State.Running}}", "talker").stdout == "true\n")
        // The loss is reported once, when there is room again, on the monitor's stderr.
        let id = root.run("inspect", "-f", "{{.Id}}", "talker").stdout.trimmed
        let report = (try? FileSystem.readString("\(root.path)/containers/\(id)/monitor.log")) ?? ""
        #expect(report.split(separator: "\n").filter { $0.contains("log records of") }.count == 1, "\(report)")
        #expect(report.contains("were dropped") && report.contains("No space left on device"), "\(report)")
        #expect(root.run("rm", "-f", "talker").status == 0)
    }
}
