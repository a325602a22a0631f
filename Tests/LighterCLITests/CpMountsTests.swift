#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `lighter cp` sees the container's file system as the container does: volumes, bind mounts and its own
/// /etc/hostname, running or stopped; and a container racing symlink swaps under `cp` cannot make it read or
/// write outside its root (CVE-2018-15664).
@Suite struct CpMountsTests {
    @Test func copiesInAndOutOfVolumesAndBindMounts() throws {
        let lighter = RunCommandTests.ready()
        let host = TestDirectory("lighter-cp-mounts")
        let bound = TestDirectory("lighter-cp-bound")
        let readOnly = TestDirectory("lighter-cp-ro")
        try FileSystem.writeDurably(Array("in bind\n".utf8), to: bound.sub("there"))
        try FileSystem.writeDurably(Array("new\n".utf8), to: host.sub("f"))
        let started = lighter.run("run", "-d", "--name", "box", "-h", "boxname", "-v", "vol:/vol", "-v", "\(bound.path):/srv/bind",
                                  "-v", "\(readOnly.path):/ro:ro", "busybox", "sh", "-c", "echo v > /vol/made; while true; do sleep 1; done")
        #expect(started.status == 0, "\(started.stderr)")
        defer { lighter.run("rm", "-f", "box") }
        let volume = "\(lighter.root.path)/volumes/vol/_data"
        for _ in 0..<200 where !FileSystem.exists("\(volume)/made") { usleep(20_000) }

        for state in ["running", "stopped"] {
            // In: the file lands in the volume / the bound directory, not hidden under the mount.
            #expect(lighter.run("cp", host.sub("f"), "box:/vol/in-\(state)").status == 0)
            #expect(try FileSystem.readString("\(volume)/in-\(state)") == "new\n", "\(state)")
            #expect(lighter.run("cp", host.sub("f"), "box:/srv/bind/").status == 0)
            #expect(try FileSystem.readString(bound.sub("f")) == "new\n", "\(state)")
            // Out: what the container has there, the mount point itself included.
            #expect(lighter.run("cp", "box:/srv/bind/there", host.sub("there-\(state)")).status == 0)
            #expect(try FileSystem.readString(host.sub("there-\(state)")) == "in bind\n", "\(state)")
            let tree = lighter.run("cp", "box:/vol", host.sub("vol-\(state)"))
            #expect(tree.status == 0, "\(tree.stderr)")
            #expect(try FileSystem.readString(host.sub("vol-\(state)/made")) == "v\n", "\(state)")
            // The container's own /etc/hostname, not the image's.
            #expect(lighter.run("cp", "box:/etc/hostname", host.sub("hostname-\(state)")).status == 0)
            #expect(try FileSystem.readString(host.sub("hostname-\(state)")) == "boxname\n", "\(state)")
            // A read-only mount takes nothing.
            let refused = lighter.run("cp", host.sub("f"), "box:/ro/")
            #expect(refused.status == 1 && refused.stderr.contains("read-only"), "\(state): \(refused.stderr)")
            #expect(try FileSystem.list(readOnly.path).isEmpty)
            if state == "running" {
                #expect(lighter.run("exec", "box", "cat", "/vol/in-running").stdout == "new\n")
                #expect(lighter.run("stop", "-t", "0", "box").status == 0)
            }
        }
        // The image's rootfs never got the copies.
        #expect(!FileSystem.exists("\(lighter.root.path)/containers/\(started.stdout.trimmed)/upper/vol/in-running"))
        #expect(!FileSystem.exists("\(lighter.root.path)/containers/\(started.stdout.trimmed)/upper/srv/bind/f"))
    }

    /// The container swaps /x between links to / and /tmp and /w/d between a directory and a link to / while the
    /// host copies in and out through them: every copy stays inside the container (or fails), nothing appears on
    /// the host and nothing of the host is read.
    @Test func symlinkSwapsDuringCopyStayInside() throws {
        let lighter = RunCommandTests.ready()
        let name = "lighter-cp-race-\(getpid())"
        let script = "mkdir -p /w; while true; do ln -sfn / /x; ln -sfn /tmp /x; mkdir -p /w/d; rm -rf /w/d; ln -s / /w/d; rm /w/d; done"
        let started = lighter.run("run", "-d", "--name", "racer", "busybox", "sh", "-c", script)
        #expect(started.status == 0, "\(started.stderr)")
        defer { lighter.run("rm", "-f", "racer") }
        let host = TestDirectory("lighter-cp-race")
        try FileSystem.writeDurably(Array("payload\n".utf8), to: host.sub(name))
        try FileSystem.makeDirectories(host.sub("tree/\(name)"))
        try FileSystem.writeDurably(Array("deep\n".utf8), to: host.sub("tree/\(name)/\(name)"))
        let hostPasswd = try FileSystem.readString("/etc/passwd")
        var copied = 0
        for round in 0..<30 {
            if lighter.run("cp", host.sub(name), "racer:/x/").status == 0 { copied += 1 }
            _ = lighter.run("cp", host.sub("tree"), "racer:/w/d/")
            let out = host.sub("out-\(round)")
            if lighter.run("cp", "racer:/x/etc/passwd", out).status == 0 {
                #expect(try FileSystem.readString(out) != hostPasswd)
            }
            _ = lighter.run("cp", "racer:/w/d", host.sub("tree-out-\(round)"))
        }
        for place in ["/", "/tmp", "/etc", "/tmp/tree", "/tree"] {
            #expect(!FileSystem.exists("\(place)/\(name)"), "\(place)")
        }
        #expect(copied > 0)
        // What was copied out through /w/d is the container's, never the host's root.
        for round in 0..<30 {
            // A link copied as a link may point anywhere on the host: only a copied directory's contents count.
            guard let st = FileSystem.lstatOrNil(host.sub("tree-out-\(round)")), st.st_mode & S_IFMT == S_IFDIR else { continue }
            let passwd = host.sub("tree-out-\(round)/etc/passwd")
            if FileSystem.exists(passwd) { #expect(try FileSystem.readString(passwd) != hostPasswd) }
        }
    }
}
