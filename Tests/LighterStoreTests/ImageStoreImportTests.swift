#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterArchive
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

@Suite struct ImageStoreImportTests {
    @Test func importStoresImageBlobsAndSnapshot() throws {
        let t = try TestStore()
        let id = try t.importBusybox()
        let images = try t.store.images()
        #expect(images.count == 1)
        let image = try #require(images.first)
        #expect(image.id == id)
        #expect(image.tags == ["docker.io/library/busybox:latest"])
        #expect(image.platform == "linux/amd64")
        #expect(image.layers.count == 1)
        // The layer blob is the tarball itself, so its digest is the tarball's sha256.
        let tarball = try FileSystem.readFile(Repository.busyboxTarball())
        #expect(image.layers[0].diffID == Digest.of(tarball))
        let snapshot = t.store.snapshots.path(of: image.layers[0].chainID)
        #expect(FileSystem.exists("\(snapshot)/bin/busybox"))
        #expect(try FileSystem.readString("\(snapshot)/etc/passwd").hasPrefix("root:x:0:0"))
        let config = try t.store.config(of: id)
        #expect(config.config?.Cmd == ["/bin/sh"])
        #expect(Digest.of(try t.store.configBytes(of: id)) == id)
        #expect(try t.store.check(repair: false).isConsistent)
    }

    @Test func importOfGarbageFailsClearlyAndKeepsTheStore() throws {
        let t = try TestStore()
        try t.importBusybox()
        let garbage = t.dir.sub("garbage.tar")
        try FileSystem.writeDurably(Array(repeating: 0x41, count: 10_000), to: garbage)
        let fd = try FileDescriptor(path: garbage, flags: O_RDONLY)
        expectError(.malformed) {
            try t.store.importTarball(from: fd, sourceName: garbage, reference: try Reference(parsing: "junk"), changes: [], platform: nil, message: nil)
        }
        #expect(try t.store.images().map(\.tags) == [["docker.io/library/busybox:latest"]])
        #expect(try t.store.check(repair: false).isConsistent)
    }

    @Test func importRejectsBadChanges() throws {
        let t = try TestStore()
        let fd = try FileDescriptor(path: Repository.busyboxTarball(), flags: O_RDONLY)
        #expect(throws: LighterError.invalidArgument("--change \"FROM x\": FROM is not supported (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, HEALTHCHECK)")) {
            try t.store.importTarball(from: fd, sourceName: "x", reference: nil, changes: ["FROM x"], platform: nil, message: nil)
        }
        #expect(try t.store.images().isEmpty)
    }

    @Test func importWithChangesAndPlatform() throws {
        let t = try TestStore()
        let fd = try FileDescriptor(path: Repository.busyboxTarball("arm64"), flags: O_RDONLY)
        let id = try t.store.importTarball(from: fd, sourceName: "x", reference: try Reference(parsing: "bb:arm"),
                                           changes: ["ENV A=1 B=\"two words\"", "EXPOSE 80 53/udp", "WORKDIR /tmp", "ENTRYPOINT echo hi", "USER nobody", "LABEL k=v"],
                                           platform: try Platform(parsing: "aarch64"), message: "hello")
        let config = try t.store.config(of: id)
        #expect(config.architecture == "arm64")
        #expect(config.config?.Env == ["A=1", "B=two words"])
        #expect(config.config?.ExposedPorts?.keys.sorted() == ["53/udp", "80/tcp"])
        #expect(config.config?.WorkingDir == "/tmp")
        #expect(config.config?.Entrypoint == ["/bin/sh", "-c", "echo hi"])
        #expect(config.config?.User == "nobody")
        #expect(config.config?.Labels == ["k": "v"])
        #expect(config.history?.first?.comment == "hello")
    }

    @Test func imagesSharingALayerShareTheSnapshotOnDisk() throws {
        let t = try TestStore()
        let extraA = t.dir.sub("a.tar"), extraB = t.dir.sub("b.tar")
        try ArchiveBuilder.layer([("app/a.txt", String(repeating: "a", count: 100_000))], at: extraA)
        try ArchiveBuilder.layer([("app/b.txt", String(repeating: "b", count: 50_000))], at: extraB)
        let archiveA = t.dir.sub("imgA.tar"), archiveB = t.dir.sub("imgB.tar")
        _ = try ArchiveBuilder.dockerArchive(layers: [Repository.busyboxTarball(), extraA], tag: "app:a", at: archiveA)
        _ = try ArchiveBuilder.dockerArchive(layers: [Repository.busyboxTarball(), extraB], tag: "app:b", at: archiveB)
        _ = try t.store.load(from: archiveA)
        _ = try t.store.load(from: archiveB)
        let images = try t.store.images()
        #expect(images.count == 2)
        #expect(images[0].layers[0].chainID == images[1].layers[0].chainID)
        // Three snapshot directories on disk, not four: the busybox base is stored once.
        #expect(try t.store.snapshots.allOnDisk().count == 3)
        let usage = try t.store.diskUsage()
        let base = images[0].layers[0].size
        #expect(base > 1_000_000)
        for image in usage.images {
            #expect(image.sharedSize == base)
            #expect(image.uniqueSize == image.image.layers[1].size)
        }
        // The whole snapshot area weighs one base plus the two small layers, measured with du.
        let onDisk = FileSystem.diskUsage(t.store.paths.snapshots)
        #expect(onDisk < base + images[0].layers[1].size + images[1].layers[1].size + 64 * 1024)
        #expect(usage.snapshotsSize == base + images[0].layers[1].size + images[1].layers[1].size)
    }
}
