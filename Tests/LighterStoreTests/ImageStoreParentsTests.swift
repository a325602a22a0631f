import Testing
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

/// Docker's image Parent as the classic builder leaves it: a chain of step images sharing the final
/// image's layers, hidden by `images`, named by `history`, deleted with the final image by `rmi`, kept
/// by `image prune` while a tagged image stands on them.
@Suite struct ImageStoreParentsTests {
    /// A step image on `parent`: its config with one more (empty-layer) history entry, its layers.
    @discardableResult
    static func child(of parent: Digest, _ t: TestStore, step: String, tags: [String] = []) throws -> Digest {
        var config = try t.store.config(of: parent)
        config.history = (config.history ?? []) + [ImageConfig.History(created: "2026-01-02T03:04:05Z", createdBy: step, emptyLayer: true)]
        let record = try t.store.image(id: parent)
        let layers = record.layers.map { LayerBlob(digest: $0.blob, mediaType: $0.mediaType, size: $0.blobSize) }
        let bytes = try JSON.encode(config)
        let references = try tags.map { try Reference(parsing: $0) }
        return try t.store.withLock(.shared) { () throws(LighterError) -> Digest in
            try t.store.addImage(configBytes: bytes, layers: layers, tags: references, parent: parent, durable: !tags.isEmpty)
        }
    }

    /// busybox ← ENV ← RUN ← CMD (tagged fin).
    static func chain(_ t: TestStore) throws -> (base: Digest, steps: [Digest]) {
        let base = try t.importBusybox()
        let first = try child(of: base, t, step: "ENV A=1")
        let second = try child(of: first, t, step: "RUN true")
        let final = try child(of: second, t, step: "CMD [\"sh\"]", tags: ["fin:latest"])
        return (base, [first, second, final])
    }

    @Test func stepImagesShareTheLayersAndHistoryNamesEachStep() throws {
        let t = try TestStore()
        let base = try t.importBusybox()
        let blobs = try t.store.content.allOnDisk().count, snapshots = try t.store.snapshots.allOnDisk().count
        let first = try Self.child(of: base, t, step: "ENV A=1")
        let second = try Self.child(of: first, t, step: "RUN true")
        let final = try Self.child(of: second, t, step: "CMD [\"sh\"]", tags: ["fin:latest"])
        // No copies: each step image adds its config and manifest, no layer and no snapshot.
        #expect(try t.store.content.allOnDisk().count == blobs + 6)
        #expect(try t.store.snapshots.allOnDisk().count == snapshots)
        let records = Dictionary(uniqueKeysWithValues: try t.store.images().map { ($0.id, $0) })
        #expect(records[final]?.parent == second && records[second]?.parent == first && records[first]?.parent == base)
        #expect(records[base]?.parent == nil)
        #expect(records[first]?.hasChildren == true && records[base]?.hasChildren == true && records[final]?.hasChildren == false)
        // The parent is no part of the config: the image ID is the config's digest alone.
        #expect(Digest.of(try t.store.configBytes(of: final)) == final)
        // Newest entry first: each step's image, the base's for its last entry, <missing> below it.
        let entries = try t.store.config(of: final).history?.count ?? 0
        let ids = try t.store.historyImageIDs(of: final, entries: entries)
        #expect(Array(ids.prefix(4)) == [final, second, first, base])
        #expect(ids.dropFirst(4).allSatisfy { $0 == nil })
        #expect(entries == 4 + (try t.store.config(of: base).history?.count ?? 0) - 1)
        #expect(try t.store.check(repair: false).isConsistent)
    }

    @Test func rmiRefusesAParentAndDeletesTheUntaggedChainUnderWhatItDeletes() throws {
        let t = try TestStore()
        let (base, steps) = try Self.chain(t)
        #expect(throws: LighterError.conflict("unable to delete \(steps[1].short) (cannot be forced) - image has dependent child images")) {
            try t.store.remove(steps[1].short, force: true)
        }
        // The base's last name goes; the image stays (others stand on it), untagged, as Docker keeps it.
        #expect(try t.store.remove("busybox", force: false) == [.untagged("busybox:latest")])
        #expect(try t.store.imageExists(base))
        // A second image on the first step keeps that step when fin goes.
        let other = try Self.child(of: steps[0], t, step: "LABEL x=y", tags: ["other:latest"])
        #expect(try t.store.remove("fin", force: false) == [.untagged("fin:latest"), .deleted(steps[2]), .deleted(steps[1])])
        #expect(try t.store.images().map(\.id).sorted { $0.hex < $1.hex } == [base, steps[0], other].sorted { $0.hex < $1.hex })
        #expect(try t.store.remove("other", force: false) == [.untagged("other:latest"), .deleted(other), .deleted(steps[0]), .deleted(base)])
        #expect(try t.store.images().isEmpty)
        #expect(try t.store.content.allOnDisk().isEmpty && t.store.snapshots.allOnDisk().isEmpty)
        #expect(try t.store.check(repair: false).isConsistent)
    }

    @Test func imagePruneKeepsParentsOfTaggedImagesAndTakesDanglingChains() throws {
        let t = try TestStore()
        let (base, steps) = try Self.chain(t)
        // A build whose result lost its tag: its head is dangling, its steps go with it.
        let loose = try Self.child(of: steps[0], t, step: "RUN false")
        let looseHead = try Self.child(of: loose, t, step: "CMD [\"x\"]")
        let pruned = try t.store.prune(all: false)
        #expect(pruned.deleted == [.deleted(looseHead), .deleted(loose)])
        #expect(Set(try t.store.images().map(\.id)) == Set([base] + steps))
        // -a: a container's image and what it stands on stay; the rest goes, children first.
        try t.store.db.execute("INSERT INTO containers (id, name, image_id, created_at) VALUES ('c0ffee', 'web', ?, 0)", [.text(steps[0].hex)])
        let all = try t.store.prune(all: true)
        #expect(all.deleted == [.untagged("fin:latest"), .deleted(steps[2]), .deleted(steps[1])])
        #expect(Set(try t.store.images().map(\.id)) == Set([base, steps[0]]))
        #expect(try t.store.check(repair: false).isConsistent)
    }

    @Test func aParentIsNeverForgottenAsARunnerImageAndCheckFindsAMissingParent() throws {
        let t = try TestStore()
        let (_, steps) = try Self.chain(t)
        #expect(try !t.store.forgetIntermediateImage(steps[1]))
        #expect(try t.store.forgetIntermediateImage(steps[2]) == false)   // tagged
        try t.store.db.execute("DELETE FROM tags")
        #expect(try t.store.forgetIntermediateImage(steps[2]))
        #expect(try t.store.check(repair: false).isConsistent)
        try t.store.db.execute("UPDATE image_parents SET parent = ? WHERE image_id = ?", [.text(String(repeating: "ab", count: 32)), .text(steps[1].hex)])
        let report = try t.store.check(repair: false)
        #expect(report.problems == ["image \(steps[1].hex.prefix(12)): its parent abababababab is not in the store"])
    }
}
