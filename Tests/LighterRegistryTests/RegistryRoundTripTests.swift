import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem
import LighterTestSupport
import Synchronization
import Testing

/// Push and pull against Debian's docker-registry on loopback, cross-checked with skopeo.
@Suite(.serialized) struct RegistryRoundTripTests {
    @Test func pushThenPullIntoAnEmptyStoreKeepsDigests() async throws {
        let registry = try LocalRegistry()
        let source = try TestStore()
        let id = try source.importBusybox("busybox:test")
        let target = "\(registry.host)/lighter/busybox:1"
        let pushed = try await source.push("busybox:test", as: target)
        #expect(pushed == (try source.store.image(id: id)).manifestDigest)
        #expect(skopeoDigest(target) == pushed.description)

        let empty = try TestStore()
        let pulled = try await empty.pull(target)
        #expect(pulled.id == id)
        #expect(pulled.manifestDigest == pushed)
        #expect(pulled.downloadedLayers == 1)
        let record = try empty.store.image(id: id)
        #expect(record.tags == ["\(target)"])
        #expect(record.layers.allSatisfy { empty.store.snapshots.contains($0.chainID) })
        // Pulling again downloads nothing; pulling by digest finds the same image.
        #expect(try await empty.pull(target).downloadedLayers == 0)
        #expect(try await empty.pull("\(registry.host)/lighter/busybox@\(pushed)").id == id)
        // Partial downloads were all moved into the store, and their lock files went with them.
        #expect(try empty.store.partialDownloads().isEmpty)
        #expect(try FileSystem.list(empty.store.downloadsDirectory).isEmpty)
    }

    /// Two pulls of one image at once share its download (the per-blob lock) and both record it;
    /// no lock file or partial download is left.
    @Test func twoPullsOfOneImageAtOnceShareItsDownload() async throws {
        let registry = try LocalRegistry()
        let source = try TestStore()
        let id = try source.importBusybox("busybox:test")
        let target = "\(registry.host)/lighter/busybox:2"
        _ = try await source.push("busybox:test", as: target)
        let empty = try TestStore()
        async let first = empty.pull(target)
        async let second = empty.pull(target)
        let (a, b) = try await (first, second)
        #expect(a.id == id && b.id == id)
        #expect(try empty.store.images().count == 1)
        #expect(try FileSystem.list(empty.store.downloadsDirectory).isEmpty)
        #expect(try empty.store.check(repair: false).problems.isEmpty)
    }

    @Test func pushSkipsBlobsTheRegistryHasAndMountsAcrossRepositories() async throws {
        let registry = try LocalRegistry()
        let source = try TestStore()
        try source.importBusybox("busybox:test")
        _ = try await source.push("busybox:test", as: "\(registry.host)/a/busybox:1")
        let events = EventLog()
        _ = try await source.pusher.push("busybox:test", as: try Reference(parsing: "\(registry.host)/a/busybox:2")) { events.add($0) }
        #expect(events.exists == 2 && events.pushed == 0)

        // An image pulled from repository a and pushed to b on the same registry is mounted, not uploaded.
        let other = try TestStore()
        _ = try await other.pull("\(registry.host)/a/busybox:1")
        let mounted = EventLog()
        _ = try await other.pusher.push("\(registry.host)/a/busybox:1", as: try Reference(parsing: "\(registry.host)/b/busybox:1")) { mounted.add($0) }
        #expect(mounted.mounted == 2 && mounted.pushed == 0)
        #expect(skopeoDigest("\(registry.host)/b/busybox:1") == skopeoDigest("\(registry.host)/a/busybox:1"))
    }

    @Test func chunkedPushRoundTrips() async throws {
        let registry = try LocalRegistry()
        let source = try TestStore()
        let id = try source.importBusybox("busybox:test")
        let layer = try source.store.pushable("busybox:test").manifest.layers[0]
        #expect(layer.size > 3 * 300_000)
        source.options.uploadChunkSize = 300_000
        let proxy = try FaultProxy(upstreamPort: registry.port, mode: .pass, after: 0)
        let pushed = try await source.push("busybox:test", as: "\(proxy.host)/chunked/busybox:1")
        let target = "\(registry.host)/chunked/busybox:1"
        #expect(skopeoDigest(target) == pushed.description)
        let chunks = (layer.size + 299_999) / 300_000
        #expect(proxy.contentRanges.count == Int(chunks) && proxy.contentRanges.first == "0-299999", "\(proxy.contentRanges)")
        let empty = try TestStore()
        #expect(try await empty.pull(target).id == id)
    }

    @Test func indexPushAndPlatformChoice() async throws {
        let registry = try LocalRegistry()
        let source = try TestStore()
        let amd64 = try source.importBusybox("busybox:amd64", arch: "amd64")
        let arm64 = try source.importBusybox("busybox:arm64", arch: "arm64")
        let target = "\(registry.host)/lighter/multi:1"
        let indexDigest = try await source.pusher.pushIndex(["busybox:amd64", "busybox:arm64"], as: try Reference(parsing: target))
        let raw = Run.capture(["skopeo", "inspect", "--tls-verify=false", "--raw", "docker://\(target)"])
        #expect(raw.status == 0 && Digest.of(Array(raw.stdout.utf8)) == indexDigest)
        #expect(raw.stdout.contains("arm64") && raw.stdout.contains(MediaType.ociIndex))

        let pullArm = try TestStore()
        let pulledArm = try await pullArm.pull(target, platform: "linux/arm64")
        #expect(pulledArm.id == arm64)
        #expect(pulledArm.resolvedDigest == indexDigest)
        #expect(try pullArm.store.config(of: pulledArm.id).architecture == "arm64")

        let pullAmd = try TestStore()
        #expect(try await pullAmd.pull(target, platform: "linux/amd64").id == amd64)

        let error = await lighterError { _ = try await TestStore().pull(target, platform: "linux/riscv64") }
        #expect(error?.description.contains("linux/amd64, linux/arm64") == true, "\(String(describing: error))")
        // A single-platform image asked for with another --platform is refused too.
        _ = try await source.push("busybox:arm64", as: "\(registry.host)/lighter/armonly:1")
        let single = await lighterError { _ = try await TestStore().pull("\(registry.host)/lighter/armonly:1", platform: "linux/amd64") }
        #expect(single?.description.contains("the image is linux/arm64") == true)
    }

    @Test func missingImagesAreClearErrors() async throws {
        let registry = try LocalRegistry()
        let error = await lighterError { _ = try await TestStore().pull("\(registry.host)/nothing/here:1") }
        #expect(error == .notFound(kind: "manifest", name: "\(registry.host)/nothing/here:1"))
        let unreachable = await lighterError { _ = try await TestStore().pull("127.0.0.1:\(freePort())/x:1") }
        #expect(unreachable?.description.hasPrefix("registry 127.0.0.1:") == true)
    }
}

/// Collects push events from the pusher's callback.
final class EventLog: @unchecked Sendable {
    private let lock = Mutex<[PushEvent]>([])
    func add(_ event: PushEvent) { lock.withLock { $0.append(event) } }
    private var events: [PushEvent] { lock.withLock { $0 } }
    var exists: Int { events.filter { if case .blobExists = $0 { true } else { false } }.count }
    var pushed: Int { events.filter { if case .blobPushed = $0 { true } else { false } }.count }
    var mounted: Int { events.filter { if case .blobMounted = $0 { true } else { false } }.count }
}
