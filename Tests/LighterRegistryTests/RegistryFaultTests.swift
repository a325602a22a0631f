#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem
import LighterTestSupport
import Testing

/// Bad links and bad registries: a cut connection resumes with Range, a wrong blob is refused and
/// nothing of it is kept, a SIGKILLed pull resumes from what it had verified on disk.
@Suite(.serialized) struct RegistryFaultTests {
    /// A registry holding the busybox image at `lighter/busybox:1`; returns its layer descriptor.
    private func seeded(_ registry: LocalRegistry) async throws -> Descriptor {
        let source = try TestStore()
        try source.importBusybox("busybox:test")
        _ = try await source.push("busybox:test", as: "\(registry.host)/lighter/busybox:1")
        let image = try source.store.pushable("busybox:test")
        return image.manifest.layers[0]
    }

    @Test func droppedConnectionResumesWithRange() async throws {
        let registry = try LocalRegistry()
        let layer = try await seeded(registry)
        #expect(layer.size > 600_000)
        let proxy = try FaultProxy(upstreamPort: registry.port, mode: .cut, after: 400_000)
        let store = try TestStore()
        let pulled = try await store.pull("\(proxy.host)/lighter/busybox:1")
        #expect(store.store.content.contains(layer.digest))
        #expect(try store.store.image(id: pulled.id).layers.count == 1)
        let resumed = proxy.ranges.compactMap { range -> Int64? in
            guard range.hasPrefix("bytes="), range.hasSuffix("-") else { return nil }
            return Int64(range.dropFirst("bytes=".count).dropLast())
        }
        #expect(resumed.count == 1 && resumed[0] > 0 && resumed[0] < layer.size, "ranges: \(proxy.ranges)")
    }

    @Test func blobWithWrongDigestIsRefusedAndNotStored() async throws {
        let registry = try LocalRegistry()
        let layer = try await seeded(registry)
        // Flip one byte of the layer in the registry's storage: same size, other digest.
        let path = registry.blobDataPath(layer.digest.hex)
        var bytes = try FileSystem.readFile(path)
        bytes[bytes.count / 2] ^= 0xff
        try FileSystem.writeDurably(bytes, to: path)

        let store = try TestStore()
        let error = await lighterError { _ = try await store.pull("\(registry.host)/lighter/busybox:1") }
        guard case let .digestMismatch(what, expected, _) = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(what.contains("blob") && expected == layer.digest.description)
        #expect(!store.store.content.contains(layer.digest))
        #expect(try store.store.images().isEmpty)
        #expect(try store.store.partialDownloads().isEmpty)
        #expect(try store.store.snapshots.allOnDisk().isEmpty)
    }

    @Test func sigkilledPullResumesFromVerifiedBytes() async throws {
        let registry = try LocalRegistry()
        let layer = try await seeded(registry)
        let stall = try FaultProxy(upstreamPort: registry.port, mode: .stall, after: 500_000)
        let store = try TestStore()
        let root = store.dir.sub("root")
        let log = store.dir.sub("pull.log")
        let pid = Run.spawn([Repository.lighterBinary, "pull", "--root", root, "\(stall.host)/lighter/busybox:1"], stdout: log, stderr: log + ".err",
                            environment: ["LIGHTER_AUTH_FILE": store.options.authFile, "HOME": store.dir.path])
        var stalled = false
        for _ in 0..<300 where !stalled {
            stalled = FileSystem.exists(stall.stalledMarker)
            if !stalled { usleep(100_000) }
        }
        #expect(stalled, "the proxy never saw the layer: \((try? FileSystem.readString(log + ".err")) ?? "")")
        // Give the puller a moment to write what it received, then kill it mid-layer.
        let partial = store.store.partialDownloadPath(for: layer.digest)
        for _ in 0..<50 where (FileSystem.lstatOrNil(partial)?.st_size ?? 0) < 100_000 { usleep(100_000) }
        kill(pid, SIGKILL)
        #expect(Run.wait(pid) == 128 + SIGKILL)
        let kept = Int64(FileSystem.lstatOrNil(partial)?.st_size ?? 0)
        #expect(kept > 0 && kept < layer.size)
        #expect(!store.store.content.contains(layer.digest))

        // The next pull (through a proxy that only watches) asks only for the rest.
        let watch = try FaultProxy(upstreamPort: registry.port, mode: .pass, after: 0)
        let again = Run.capture([Repository.lighterBinary, "pull", "--root", root, "\(watch.host)/lighter/busybox:1"],
                                environment: ["LIGHTER_AUTH_FILE": store.options.authFile, "HOME": store.dir.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(watch.ranges == ["bytes=\(kept)-"])
        #expect(store.store.content.contains(layer.digest))
        #expect(!FileSystem.exists(partial))

        // `system prune` removes partial downloads that no pull is working on.
        let leftover = store.store.partialDownloadPath(for: Digest.of(Array("leftover".utf8)))
        try FileSystem.writeDurably([1, 2, 3], to: leftover)
        let prune = Run.capture([Repository.lighterBinary, "system", "prune", "--root", root])
        #expect(prune.status == 0 && !FileSystem.exists(leftover), "\(prune.stderr)")
    }
}
