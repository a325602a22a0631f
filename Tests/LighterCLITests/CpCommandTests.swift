#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem
import LighterTestSupport

/// `lighter cp` both ways and as tar streams, never escaping the container's root.
@Suite struct CpCommandTests {
    /// A running container whose /data holds a file, a subdirectory and links that point out of the root.
    static func prepared() -> Lighter {
        let lighter = RunCommandTests.ready()
        let script = "mkdir -p /data/sub && echo one > /data/a && chmod 750 /data/a && echo two > /data/sub/b"
            + " && ln -s /etc/shadow /data/abs && ln -s ../../../../../../../etc /data/up && echo ready"
        let started = lighter.run("run", "-d", "--name", "box", "busybox", "sh", "-c", script + "; while true; do sleep 1; done")
        #expect(started.status == 0, "\(started.stderr)")
        for _ in 0..<200 where !FileSystem.exists("\(lighter.root.path)/containers/\(started.stdout.trimmed)/upper/data/up") { usleep(20_000) }
        return lighter
    }

    @Test func copiesOutFilesAndDirectories() throws {
        let lighter = Self.prepared()
        defer { lighter.run("rm", "-f", "box") }
        let host = TestDirectory("lighter-cp")
        #expect(lighter.run("cp", "box:/data/a", host.sub("a.txt")).status == 0)
        #expect(try FileSystem.readString(host.sub("a.txt")) == "one\n")
        #expect(FileSystem.lstatOrNil(host.sub("a.txt")).map { $0.st_mode & 0o777 } == 0o750)
        // A directory lands as DEST/basename when DEST is a directory; links are copied as links.
        let tree = lighter.run("cp", "box:/data", host.path)
        #expect(tree.status == 0, "\(tree.stderr)")
        #expect(try FileSystem.readString(host.sub("data/sub/b")) == "two\n")
        #expect(try FileSystem.readLink(host.sub("data/abs")) == "/etc/shadow")
        // "/." copies the contents into a new directory.
        #expect(lighter.run("cp", "box:/data/sub/.", host.sub("contents")).status == 0)
        #expect(try FileSystem.list(host.sub("contents")) == ["b"])
        // Links inside the container resolve inside its root: /data/up/hostname is the container's file, not the host's.
        #expect(lighter.run("cp", "box:/data/up/hostname", host.sub("hostname")).status == 0)
        #expect(try FileSystem.readString(host.sub("hostname")) != (try FileSystem.readString("/etc/hostname")))
        // A stopped container's files can be copied too, and nothing stays mounted afterwards.
        #expect(lighter.run("stop", "-t", "0", "box").status == 0)
        #expect(lighter.run("cp", "box:/data/sub/b", host.sub("b")).status == 0)
        #expect(try FileSystem.readString(host.sub("b")) == "two\n")
        #expect(!((try? FileSystem.readString("/proc/self/mountinfo")) ?? "").contains(lighter.root.path))
    }

    @Test func copiesInWithoutFollowingTheContainersLinksOut() throws {
        let lighter = Self.prepared()
        defer { lighter.run("rm", "-f", "box") }
        let host = TestDirectory("lighter-cp")
        try FileSystem.writeDurably(Array("from host\n".utf8), to: host.sub("f"))
        try FileSystem.makeDirectories(host.sub("tree/deep"))
        try FileSystem.writeDurably(Array("deep\n".utf8), to: host.sub("tree/deep/g"))
        #expect(lighter.run("cp", host.sub("f"), "box:/data/").status == 0)
        #expect(lighter.run("exec", "box", "cat", "/data/f").stdout == "from host\n")
        #expect(lighter.run("cp", host.sub("tree"), "box:/data/copied").status == 0)
        #expect(lighter.run("exec", "box", "cat", "/data/copied/deep/g").stdout == "deep\n")
        // Through the link /data/up (→ ../../../etc) the file lands in the container's /etc, never the host's.
        let name = "lighter-cp-\(getpid())"
        try FileSystem.writeDurably(Array("x\n".utf8), to: host.sub(name))
        #expect(lighter.run("cp", host.sub(name), "box:/data/up/").status == 0)
        #expect(!FileSystem.exists("/etc/\(name)"))
        #expect(lighter.run("exec", "box", "cat", "/etc/\(name)").stdout == "x\n")
        // Writing onto an absolute link replaces the link instead of writing through it.
        #expect(lighter.run("cp", host.sub("f"), "box:/data/abs").status == 0)
        #expect(lighter.run("exec", "box", "cat", "/data/abs").stdout == "from host\n")
    }

    @Test func tarStreamsBothWays() throws {
        let lighter = Self.prepared()
        defer { lighter.run("rm", "-f", "box") }
        let host = TestDirectory("lighter-cp")
        let out = Run.sh("LIGHTER_ROOT=\(lighter.root.path) \(Repository.lighterBinary) cp box:/data - | tar -tvf - | awk '{print $1, $6}'")
        #expect(out.stdout.split(separator: "\n").sorted() == ["-rw-r--r-- data/sub/b", "-rwxr-x--- data/a", "drwxr-xr-x data/", "drwxr-xr-x data/sub/",
                                                              "lrwxrwxrwx data/abs", "lrwxrwxrwx data/up"], "\(out.stdout) \(out.stderr)")
        try FileSystem.makeDirectories(host.sub("src/in"))
        try FileSystem.writeDurably(Array("tarred\n".utf8), to: host.sub("src/in/t"))
        let put = Run.sh("tar -cf - -C \(host.sub("src")) . | LIGHTER_ROOT=\(lighter.root.path) \(Repository.lighterBinary) cp - box:/data/sub")
        #expect(put.status == 0, "\(put.stderr)")
        #expect(lighter.run("exec", "box", "cat", "/data/sub/in/t").stdout == "tarred\n")
    }

    @Test func badInputIsAClearError() {
        let lighter = Self.prepared()
        defer { lighter.run("rm", "-f", "box", "ro") }
        #expect(lighter.run("create", "--name", "ro", "--read-only", "busybox", "true").status == 0)
        for (args, words) in [(["cp", "box:/nothere", "/tmp/x"], "no such file or directory in container"),
                              (["cp", "/etc/hostname", "box:/nodir/x"], "no such directory in container"),
                              (["cp", "box:/data", "/etc/hostname"], "cannot copy a directory to a file"),
                              (["cp", "a", "b"], "at least one container"), (["cp", "box:/a", "box:/b"], "between containers"),
                              (["cp", "nobox:/a", "/tmp/x"], "no such container"), (["cp", "/etc/hostname", "ro:/tmp/"], "read-only")] {
            let result = lighter.run(args)
            #expect(result.status == 1, "\(args)")
            #expect(result.stderr.hasPrefix("lighter: ") && result.stderr.contains(words), "\(args): \(result.stderr)")
        }
    }
}
