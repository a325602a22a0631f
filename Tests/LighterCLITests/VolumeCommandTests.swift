#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterOCI
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

@Suite struct ImageVolumeTests {
    struct MountEntry: Decodable {
        let `Type`: String
        let Name: String?
        let Source: String
        let Destination: String
        let Driver: String?
        let RW: Bool
    }

    /// busybox plus /data/owned (uid 1234, gid 5678, mode 0640) in a directory of mode 0750, with
    /// `VOLUME /data` and `VOLUME /var/www/` in its config.
    static func volumeImage() -> Lighter {
        let lighter = Lighter()
        let tarball = lighter.root.sub("image.tar")
        let tree = lighter.root.sub("tree")
        let made = Run.sh("""
            set -e; mkdir -p \(tree)/data; echo kept > \(tree)/data/owned; chmod 0750 \(tree)/data; chmod 0640 \(tree)/data/owned
            cp \(Repository.busyboxTarball()) \(tarball)
            tar -rf \(tarball) --numeric-owner --owner=1234 --group=5678 -C \(tree) ./data
            """)
        #expect(made.status == 0, "\(made.stderr)")
        let imported = lighter.run(["import", "--platform", "linux/amd64", "--change", "VOLUME /data", "--change", "VOLUME [\"/var/www/\"]",
                                    "--change", "CMD [\"/bin/sh\"]", tarball, "vol:latest"])
        #expect(imported.status == 0, "\(imported.stderr)")
        return lighter
    }

    @Test func imageVolumesBecomeAnonymousVolumesFilledFromTheImage() {
        let lighter = Self.volumeImage()
        #expect(lighter.run("create", "--name", "box", "vol", "sh", "-c", "echo new > /data/new; cat /var/www/index.html").status == 0)
        let volumes = lighter.run("volume", "ls", "-q").stdout.split(separator: "\n").map(String.init)
        #expect(volumes.count == 2 && volumes.allSatisfy { $0.count == 64 }, "\(volumes)")
        // inspect lists them under Mounts, anonymous volumes at the image's paths.
        let json = lighter.run("inspect", "-f", "{{json .Mounts}}", "box").stdout
        let mounts = (try? JSON.decode([MountEntry].self, from: Array(json.utf8), what: "Mounts")) ?? []
        #expect(mounts.map { "\($0.Type) \($0.Destination) \($0.RW) \($0.Driver ?? "-") \($0.Name?.count ?? 0)" }
                == ["volume /data true local 64", "volume /var/www true local 64"], "\(json)")
        // The image's content was copied up into the new volumes, owners and modes kept.
        let source = mounts.first?.Source ?? "/nonexistent"
        var st = stat()
        #expect(stat("\(source)/owned", &st) == 0 && st.st_uid == 1234 && st.st_gid == 5678 && st.st_mode & 0o7777 == 0o640)
        #expect(stat(source, &st) == 0 && st.st_uid == 1234 && st.st_mode & 0o7777 == 0o750)
        let started = lighter.run("start", "-a", "box")
        #expect(started.status == 0 && started.stdout.contains("busybox httpd"), "\(started.stdout) \(started.stderr)")
        #expect((try? FileSystem.readString("\(source)/new")) == "new\n")
        // A second start does not copy again over what the container wrote.
        #expect(lighter.run("start", "-a", "box").status == 0)
        #expect((try? FileSystem.readString("\(source)/owned")) == "kept\n")
        // `rm -v` removes the anonymous volumes.
        #expect(lighter.run("rm", "-v", "box").status == 0)
        #expect(lighter.run("volume", "ls", "-q").stdout == "")
    }

    @Test func flagsCoverImageVolumes() {
        let lighter = Self.volumeImage()
        // -v NAME:/data replaces the anonymous volume; an empty named volume is filled from the image too.
        #expect(lighter.run("run", "--rm", "-v", "named:/data", "--tmpfs", "/var/www", "vol", "sh", "-c", "cat /data/owned; ls /var/www | wc -l").stdout == "kept\n0\n")
        #expect(lighter.run("volume", "ls", "-q").stdout == "named\n")
        // A host directory bound there hides the image's content and gets nothing copied.
        let host = TestDirectory("lighter-imgvol")
        #expect(lighter.run("run", "--rm", "-v", "\(host.path):/data", "vol", "ls", "/data").stdout == "")
        #expect((try? FileSystem.list(host.path)) == [])
        // `run --rm` takes the anonymous volumes with it.
        #expect(lighter.run("volume", "ls", "-q").stdout == "named\n")
    }
}
