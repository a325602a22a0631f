#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterArchive
import LighterOCI
import LighterDatabase
import LighterEngine
import LighterStore
import LighterSystem
import LighterTestSupport

/// Archives that lie: decompression bombs and descriptors whose size is wrong.
@Suite(.serialized) struct ImageStoreHostileInputTests {
    /// A gzipped layer tar holding one file of `megabytes` MiB of zeros (made with tar and gzip, a
    /// sparse source file, so it costs no disk): ~4.5 KiB compressed per MiB.
    static func bomb(megabytes: Int, in dir: TestDirectory) throws -> String {
        let source = dir.sub("bomb-src")
        try FileSystem.makeDirectories(source)
        let out = dir.sub("bomb.tar.gz")
        let made = Run.sh("truncate -s \(megabytes)M \(source)/zeros && tar -C \(source) -cf - zeros | gzip -1 > \(out)")
        try #require(made.status == 0, "\(made.stderr)")
        return out
    }

    static func importLayer(_ path: String, into store: ImageStore) throws(LighterError) -> Digest {
        let fd = try FileDescriptor(path: path, flags: O_RDONLY)
        return try store.importTarball(from: fd, sourceName: path, reference: try Reference(parsing: "bomb"), changes: [], platform: nil, message: nil)
    }

    @Test func aGzipBombStopsAtTheDiskReserveOfASmallDataRoot() throws {
        let dir = TestDirectory("lighter-bomb")
        let bomb = try Self.bomb(megabytes: 256, in: dir)
        let compressed = try #require(FileSystem.lstatOrNil(bomb)).st_size
        #expect(compressed < 2 << 20, "the bomb is \(compressed) bytes compressed")
        // A 64 MiB data root: the 256 MiB layer cannot fit (the ratio limit is off here).
        let root = dir.sub("root")
        try FileSystem.makeDirectories(root)
        let mounted = Run.sh("mount -t tmpfs -o size=64m lighter-bomb-test \(root)")
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer {
            _ = Run.sh("umount \(root)")
            withExtendedLifetime(dir) {}
        }
        let store = try ImageStore(dataRoot: DataRoot(root: root, schemas: Engine.schemas), limits: LayerLimits(maxExpansionRatio: 0, diskReserve: 8 << 20))
        let started = Time.now().seconds
        let error = #expect(throws: LighterError.self) { _ = try Self.importLayer(bomb, into: store) }
        guard case let .limitExceeded(message) = error else {
            Issue.record("expected a limit error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("must stay free"), "\(message)")
        #expect(Time.now().seconds - started < 30)
        // Nothing of it stays: no image, no blob, no snapshot, and the space is back.
        #expect(try store.images().isEmpty)
        #expect(try store.check(repair: false).isConsistent)
        #expect(try store.content.allOnDisk().isEmpty)
        var fs = statvfs()
        #expect(statvfs(root, &fs) == 0)
        #expect(Int64(fs.f_bavail) * Int64(fs.f_frsize) > 48 << 20)
    }

    @Test func aGzipBombStopsAtTheExpansionRatio() throws {
        let dir = TestDirectory("lighter-bomb")
        defer { withExtendedLifetime(dir) {} }
        let bomb = try Self.bomb(megabytes: 256, in: dir)
        let store = try ImageStore(dataRoot: DataRoot(root: dir.sub("root"), schemas: Engine.schemas))
        #expect(store.limits.maxExpansionRatio == 100)
        #expect(store.limits.diskPath == dir.sub("root"))
        let error = #expect(throws: LighterError.self) { _ = try Self.importLayer(bomb, into: store) }
        guard case let .limitExceeded(message) = error else {
            Issue.record("expected a limit error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("expands more than 100 times"), "\(message)")
        #expect(try store.images().isEmpty)
        #expect(try store.content.allOnDisk().isEmpty)
        // The same bomb as a compressed `load` archive stops there too, before its member is written out.
        let loadError = #expect(throws: LighterError.self) { _ = try store.load(from: bomb) }
        guard case let .limitExceeded(loadMessage) = loadError else {
            Issue.record("expected a limit error, got \(String(describing: loadError))")
            return
        }
        #expect(loadMessage.contains("expands more than 100 times"), "\(loadMessage)")
        // A layer of zeros under the allowance is no bomb.
        let other = TestDirectory("lighter-bomb")
        defer { withExtendedLifetime(other) {} }
        let small = try Self.bomb(megabytes: 16, in: other)
        _ = try Self.importLayer(small, into: store)
        #expect(try store.images().count == 1)
    }

    /// An OCI layout whose manifest gives a layer, or whose index gives the manifest, a wrong size is
    /// refused even though every digest matches (the manifest is re-hashed after the edit).
    @Test(arguments: ["layer", "manifest"])
    func aWrongDescriptorSizeIsRefused(lie: String) throws {
        let source = try TestStore()
        try source.importBusybox()
        let layout = source.dir.sub("layout")
        try source.store.save(["busybox"], format: .ociDirectory, to: layout)
        var index = try JSON.decode(Index.self, from: try FileSystem.readFile("\(layout)/index.json"), what: "index.json")
        if lie == "layer" {
            let manifestPath = "\(layout)/blobs/sha256/\(index.manifests[0].digest.hex)"
            var manifest = try JSON.decode(Manifest.self, from: try FileSystem.readFile(manifestPath), what: "manifest")
            manifest.layers[0].size += 1
            let bytes = try JSON.encode(manifest)
            let digest = Digest.of(bytes)
            try FileSystem.writeDurably(bytes, to: "\(layout)/blobs/sha256/\(digest.hex)")
            index.manifests[0].digest = digest
            index.manifests[0].size = Int64(bytes.count)
        } else {
            index.manifests[0].size -= 1
        }
        try FileSystem.writeDurably(try JSON.encode(index), to: "\(layout)/index.json")

        let target = try TestStore()
        let error = #expect(throws: LighterError.self) { try target.store.load(from: layout) }
        guard case .sizeMismatch = error else {
            Issue.record("expected a size mismatch, got \(String(describing: error))")
            return
        }
        #expect(try target.store.images().isEmpty)
    }
}
