import Testing
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

@Suite struct ImageStoreTagRemoveTests {
    @Test func tagAddsANameAndRmiRemovesOnlyThatName() throws {
        let t = try TestStore()
        let id = try t.importBusybox()
        try t.store.tag("busybox", as: "mine/bb:v1")
        #expect(try t.store.image(id: id).tags == ["docker.io/library/busybox:latest", "docker.io/mine/bb:v1"])
        #expect(try t.store.remove("mine/bb:v1", force: false) == [.untagged("mine/bb:v1")])
        #expect(try t.store.images().count == 1)
        #expect(try t.store.remove("busybox", force: false) == [.untagged("busybox:latest"), .deleted(id)])
        #expect(try t.store.images().isEmpty)
        // Blobs and snapshots went with the last image.
        #expect(try t.store.content.allOnDisk().isEmpty)
        #expect(try t.store.snapshots.allOnDisk().isEmpty)
    }

    @Test func rmiByIDOfAnImageWithSeveralNamesNeedsForce() throws {
        let t = try TestStore()
        let id = try t.importBusybox()
        try t.store.tag(id.short, as: "other")
        expectError(.conflict) { try t.store.remove(id.short, force: false) }
        #expect(try t.store.images().count == 1)
        let events = try t.store.remove(id.description, force: true)
        #expect(events.contains(.deleted(id)))
        #expect(events.filter { if case .untagged = $0 { true } else { false } }.count == 2)
    }

    @Test func rmiRefusesAnImageAContainerUses() throws {
        let t = try TestStore()
        let id = try t.importBusybox()
        try t.store.db.execute("INSERT INTO containers (id, name, image_id, created_at) VALUES ('c0ffee', 'web', ?, 0)", [.text(id.hex)])
        expectError(.conflict) { try t.store.remove("busybox", force: false) }
        expectError(.conflict) { try t.store.remove(id.short, force: true) }
        #expect(try t.store.images().count == 1)
        #expect(try t.store.prune(all: true).deleted.isEmpty)
    }

    @Test func unknownNamesAndBadReferencesFailClearly() throws {
        let t = try TestStore()
        try t.importBusybox()
        #expect(throws: LighterError.notFound(kind: "image", name: "nothere")) { try t.store.remove("nothere", force: false) }
        // The reference parser's own error, which says what is wrong with the name.
        #expect(throws: LighterError.invalidReference("Bad Name: repository name must be lowercase letters, digits and separators (. _ __ -)")) {
            try t.store.remove("Bad Name", force: false)
        }
        expectError(.invalidReference) { try t.store.tag("busybox", as: "UPPER:case") }
        expectError(.notFound) { try t.store.tag("missing", as: "x") }
    }

    @Test func retaggingLeavesTheOldImageDanglingAndPruneRemovesIt() throws {
        let t = try TestStore()
        let first = try t.importBusybox()
        let second = try t.importBusybox()   // same name again: a new image ID (new created time)
        #expect(first != second)
        let images = try t.store.images()
        #expect(images.first { $0.id == first }?.tags == [])
        let report = try t.store.prune(all: false)
        #expect(report.deleted == [.deleted(first)])
        #expect(try t.store.images().map(\.id) == [second])
        // The layer both shared is still there for the survivor.
        #expect(try t.store.snapshots.allOnDisk().count == 1)
        #expect(try t.store.check(repair: false).isConsistent)
    }

    /// Found by scripts/chaos/kill-anywhere.sh: a `load` killed midway leaves its work directory
    /// (ingest/load-PID-N, with files in it); prune and `check --repair` removed ingest entries with
    /// unlink, failed with EISDIR, and so every later prune and rmi failed.
    @Test func pruneRemovesTheWorkDirectoryOfAKilledLoad() throws {
        let t = try TestStore()
        _ = try t.importBusybox()
        let work = "\(t.store.paths.ingest)/load-1-2"
        try FileSystem.makeDirectories("\(work)/blobs/sha256")
        try FileSystem.writeDurably(Array("partial".utf8), to: "\(work)/blobs/sha256/abc")
        #expect(try t.store.check(repair: false).leftovers == ["ingest file load-1-2"])
        _ = try t.store.prune(all: false)
        #expect(!FileSystem.exists(work))
        try FileSystem.makeDirectories("\(work)/blobs")
        #expect(try t.store.check(repair: true).leftovers == ["ingest file load-1-2"])
        #expect(!FileSystem.exists(work))
        #expect(try t.store.check(repair: false).leftovers.isEmpty)
    }
}
