import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport
import Testing

/// Docker's RepoDigests: `repository@digest` for each repository an image was pulled from or pushed
/// to, recorded even when the store already held the image under another manifest (issue #11).
@Suite(.serialized) struct RepoDigestTests {
    @Test func aStoreThatHeldTheImageRecordsTheDigestItPulled() async throws {
        let registry = try LocalRegistry()
        let source = try TestStore()
        let id = try source.importBusybox("busybox:test")
        #expect(try source.store.image(id: id).repoDigests.isEmpty)   // imported: no repository digest
        let first = "\(registry.host)/lighter/busybox"
        let pushed = try await source.push("busybox:test", as: "\(first):1")
        #expect(try source.store.image(id: id).repoDigests == ["\(first)@\(pushed)"])

        // The registry holds the same image (same config, so the same ID) under another manifest.
        let other = "\(registry.host)/other/busybox"
        let copy = Run.capture(["skopeo", "copy", "--format", "v2s2", "--src-tls-verify=false", "--dest-tls-verify=false",
                                "docker://\(first):1", "docker://\(other):2"])
        #expect(copy.status == 0, "\(copy.stderr)")
        let otherDigest = try #require(skopeoDigest("\(other):2"))
        #expect(otherDigest != pushed.description)

        // The store that already held the image pulls it: the new repository's digest is recorded.
        #expect(try await source.pull("\(other):2").id == id)
        let record = try source.store.image(id: id)
        #expect(record.repoDigests == ["\(first)@\(pushed)", "\(other)@\(otherDigest)"].sorted(), "\(record.repoDigests)")
        #expect(record.tags.sorted() == ["\(other):2", "docker.io/library/busybox:test"].sorted())   // push tags nothing here
        // NAME@DIGEST now resolves here, and pulling it works.
        #expect(try source.store.resolve("\(other)@\(otherDigest)").id == id)
        #expect(try await source.pull("\(other)@\(otherDigest)").id == id)

        // rmi of the last tag of a repository takes its digest with it (Docker's isSingleReference).
        let events = try source.store.remove("\(other):2", force: false)
        #expect(events.map(\.description) == ["Untagged: \(other):2", "Untagged: \(other)@\(otherDigest)"])
        let left = try source.store.image(id: id)
        #expect(left.tags == ["docker.io/library/busybox:test"] && left.repoDigests == ["\(first)@\(pushed)"], "\(left.repoDigests)")

        // The CLI shows them as Docker: RepoDigests in image inspect, the DIGEST column of `images`.
        func lighter(_ arguments: String...) -> String {
            Run.capture([Repository.lighterBinary] + arguments, environment: ["LIGHTER_ROOT": source.dir.sub("root")]).stdout
        }
        #expect(lighter("image", "inspect", "-f", "{{json .RepoDigests}}", "busybox:test") == "[\"\(first)@\(pushed)\"]\n")
        #expect(lighter("images", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}") == "busybox test <none>\n")

        // Pulled by digest alone into an empty store: a `REPOSITORY <none>` row with the digest.
        let byDigest = try TestStore()
        #expect(try await byDigest.pull("\(other)@\(otherDigest)").id == id)
        let rows = Run.capture([Repository.lighterBinary, "images", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"],
                               environment: ["LIGHTER_ROOT": byDigest.dir.sub("root")]).stdout
        #expect(rows == "\(other) <none> \(otherDigest)\n", "\(rows)")
    }
}
