#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `--userns host` and `--userns-remap` on the real kernel: idmapped image layers, a remapped root.
@Suite struct UserNamespaceTests {
    @Test func remappedRootOwnsTheImageInsideAndMappedIDsOutside() throws {
        let lighter = RunCommandTests.ready()
        let remap = ["--userns-remap", "200000:300000:65536"]
        let inside = lighter.run(["run", "--name", "remapped"] + remap + ["busybox", "sh", "-c",
                                  "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g / /etc/passwd /bin/busybox /root; echo made > /made; mkdir -p /root/sub"])
        #expect(inside.status == 0, "\(inside.stderr)")
        let lines = inside.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(lines == ["0", "0", "0 200000 65536", "0 300000 65536", "0:0", "0:0", "0:0", "0:0"], "\(inside.stdout)")
        // What the container wrote is in its upper directory under the mapped ids; the image's layers are untouched.
        let id = lighter.run("inspect", "-f", "{{.Id}}", "remapped").stdout.trimmed
        var st = stat()
        let upper = lighter.root.sub("containers/\(id)/upper")
        #expect(stat("\(upper)/made", &st) == 0 && st.st_uid == 200_000 && st.st_gid == 300_000)
        #expect(stat("\(upper)/root/sub", &st) == 0 && st.st_uid == 200_000)
        // The copied-up /root keeps its owner as the container sees it (0 → 200000 on the host).
        #expect(stat("\(upper)/root", &st) == 0 && st.st_uid == 200_000 && st.st_mode & 0o777 == 0o700)
        // It starts again (the overlay is mounted anew), and exec joins its user namespace.
        #expect(lighter.run("start", "-a", "remapped").status == 0)
        #expect(lighter.run("rm", "remapped").status == 0)
        #expect(lighter.run(["run", "-d", "--name", "box"] + remap + ["busybox", "sleep", "100"]).status == 0)
        defer { lighter.run("rm", "-f", "box") }
        // Only the overlay stays mounted: the idmapped layers were attached just for overlay to take them.
        let boxID = lighter.run("inspect", "-f", "{{.Id}}", "box").stdout.trimmed
        let mountPoints = ((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").split(separator: "\n").map { $0.split(separator: " ")[4] }
        #expect(mountPoints.contains { $0.hasSuffix("containers/\(boxID)/rootfs") } && !mountPoints.contains { $0.contains("containers/\(boxID)/lowers") })
        let exec = lighter.run("exec", "box", "sh", "-c", "id -u; cat /proc/self/uid_map")
        #expect(exec.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") } == ["0", "0 200000 65536"], "\(exec.stderr)")
        // cp into it: the files belong to the container's root (the mapped uid on the host).
        let file = lighter.root.sub("copied")
        try FileSystem.writeDurably(Array("in\n".utf8), to: file)
        #expect(lighter.run("cp", file, "box:/tmp/copied").status == 0)
        #expect(lighter.run("exec", "box", "stat", "-c", "%u:%g", "/tmp/copied").stdout == "0:0\n")
    }

    @Test func volumesBelongToTheRemappedRootAndHostIsTheIdentity() {
        let lighter = RunCommandTests.ready()
        let volume = lighter.run("run", "--rm", "--userns-remap", "200000:65536", "-v", "/scratch", "-v", "named:/named", "busybox",
                                 "sh", "-c", "touch /scratch/f /named/g && stat -c %u /scratch /named/g")
        #expect(volume.stdout == "0\n0\n", "\(volume.stderr)")
        var st = stat()
        let named = lighter.run("volume", "inspect", "-f", "{{.Mountpoint}}", "named").stdout.trimmed
        #expect(stat("\(named)/g", &st) == 0 && st.st_uid == 200_000)
        for args in [["--userns", "host"], []] {
            let host = lighter.run(["run", "--rm"] + args + ["busybox", "cat", "/proc/self/uid_map"])
            #expect(host.stdout.split(separator: " ").map(String.init) == ["0", "0", "4294967295\n"], "\(args): \(host.stdout) \(host.stderr)")
        }
    }

    @Test func defaultTakesOrAddsTheLighterSubordinateRanges() throws {
        let lighter = RunCommandTests.ready()
        let subuid = lighter.root.sub("subuid"), subgid = lighter.root.sub("subgid")
        try FileSystem.writeDurably(Array("other:100000:65536\n".utf8), to: subuid)
        try FileSystem.writeDurably(Array("lighter:400000:1000\n".utf8), to: subgid)
        let environment = ["LIGHTER_SUBUID": subuid, "LIGHTER_SUBGID": subgid]
        let result = lighter.run(["run", "--rm", "--userns-remap", "default", "busybox", "cat", "/proc/self/uid_map", "/proc/self/gid_map"],
                                 environment: environment)
        #expect(result.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") } == ["0 165536 1000", "0 400000 1000"],
                "\(result.stdout) \(result.stderr)")
        #expect(try FileSystem.readString(subuid) == "other:100000:65536\nlighter:165536:65536\n")
        #expect(try FileSystem.readString(subgid) == "lighter:400000:1000\n")
    }

    @Test func badUserNamespaceFlagsAreClearErrors() {
        let lighter = RunCommandTests.ready()
        for (args, words) in [(["--userns", "private"], "--userns private"), (["--userns-remap", "nobody"], "--userns-remap nobody"),
                              (["--userns-remap", "0:0:65536"], "host's root"), (["--userns-remap", "100000:0"], "at least 1"),
                              (["--userns-remap", "4294967000:65536"], "past the largest id"),
                              (["--userns", "host", "--userns-remap", "default"], "conflicting options"),
                              (["--privileged", "--userns-remap", "100000:65536"], "--privileged"),
                              (["--network", "host", "--userns-remap", "100000:65536"], "--network host")] {
            let result = lighter.run(["run", "--rm"] + args + ["busybox", "true"])
            #expect(result.status == 125, "\(args): \(result.stderr)")
            #expect(result.stderr.contains(words), "\(args): \(result.stderr)")
        }
    }
}
