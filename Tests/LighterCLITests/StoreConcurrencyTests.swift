#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

@Suite struct StoreConcurrencyTests {
    @Test func eightProcessesImportTagAndRemoveAtOnce() {
        let lighter = Lighter()
        let bin = Repository.lighterBinary, tar = Repository.busyboxTarball()
        var pids: [pid_t] = []
        for i in 0..<8 {
            let script = """
            set -e
            L="\(bin)"
            $L import "\(tar)" img\(i):v1 >/dev/null
            $L tag img\(i):v1 img\(i):v2
            $L rmi img\(i):v1 >/dev/null
            $L import "\(tar)" scratch\(i) >/dev/null
            $L tag scratch\(i) shared:latest
            $L rmi scratch\(i) >/dev/null
            $L image prune -f >/dev/null
            """
            pids.append(Run.spawn(["/bin/sh", "-c", script], stdout: lighter.root.sub("out\(i)"), stderr: lighter.root.sub("err\(i)"),
                                  environment: ["LIGHTER_ROOT": lighter.root.path]))
        }
        for (i, pid) in pids.enumerated() {
            let status = Run.wait(pid)
            #expect(status == 0, "worker \(i): \((try? FileSystem.readString(lighter.root.sub("err\(i)"))) ?? "")")
        }
        let names = lighter.run("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split(separator: "\n").map(String.init).sorted()
        #expect(names == (0..<8).map { "img\($0):v2" } + ["shared:latest"])
        let check = lighter.run("system", "check")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("store is consistent"))
        #expect(lighter.run("image", "prune", "-a", "-f").status == 0)
        #expect(lighter.run("images", "-q").stdout == "")
        // No orphan: nothing left in the blob or snapshot directories.
        #expect((try? FileSystem.list("\(lighter.root.path)/blobs/sha256")) == [])
        #expect((try? FileSystem.list("\(lighter.root.path)/snapshots").sorted()) == [".index", ".tmp"])
        #expect((try? FileSystem.list("\(lighter.root.path)/snapshots/.index")) == [])
    }

    @Test func aProcessKilledMidImportLeavesAConsistentStore() throws {
        let lighter = Lighter()
        let big = lighter.root.sub("big.tar")
        // A 160 MiB layer of incompressible data makes the import last long enough to be interrupted.
        let made = Run.sh("mkdir -p \(lighter.root.path)/src && head -c 167772160 /dev/urandom > \(lighter.root.path)/src/blob && tar -C \(lighter.root.path)/src -cf \(big) blob && rm -rf \(lighter.root.path)/src")
        #expect(made.status == 0)
        #expect(lighter.importBusybox("keep:1").status == 0)
        var sawInterrupted = false
        for delay in [30_000, 150_000, 400_000, 900_000] as [useconds_t] {
            let pid = Run.spawn([Repository.lighterBinary, "import", big, "big:1"], stdout: "/dev/null", stderr: "/dev/null",
                                environment: ["LIGHTER_ROOT": lighter.root.path])
            usleep(delay)
            kill(pid, SIGKILL)
            let status = Run.wait(pid)
            let check = lighter.run("system", "check")
            #expect(check.status == 0, "after SIGKILL at \(delay)µs: \(check.stdout)\(check.stderr)")
            if status == 137 && check.stdout.contains("leftover") { sawInterrupted = true }
            let names = lighter.run("images", "--format", "{{.Repository}}").stdout.split(separator: "\n")
            #expect(names.contains("keep"))
            if names.contains("big") {
                // Whole image or nothing: if it is named, it is complete and verifies.
                #expect(lighter.run("image", "inspect", "--format", "{{.Id}}", "big:1").status == 0)
            }
        }
        #expect(sawInterrupted, "no run was interrupted mid-import; the data was too small to catch one")
        let repair = lighter.run("system", "check", "--repair")
        #expect(repair.status == 0)
        let after = lighter.run("system", "check")
        #expect(!after.stdout.contains("leftover"))
        // A new import after the crashes completes.
        #expect(lighter.run("import", big, "big:2").status == 0)
    }
}
