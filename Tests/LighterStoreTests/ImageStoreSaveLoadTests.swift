#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterArchive
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

@Suite struct ImageStoreSaveLoadTests {
    @Test(arguments: [ImageArchiveFormat.docker, .oci, .ociDirectory])
    func saveThenLoadKeepsTheImageID(format: ImageArchiveFormat) throws {
        let source = try TestStore()
        let id = try source.importBusybox()
        let manifest = try source.store.image(id: id).manifestDigest
        let output = source.dir.sub("saved")
        try source.store.save(["busybox:latest"], format: format, to: output)

        let target = try TestStore()
        let loaded = try target.store.load(from: output)
        #expect(loaded.map(\.id) == [id])
        #expect(loaded.first?.tags.map(\.familiar) == ["busybox:latest"])
        #expect(try target.store.image(id: id).manifestDigest == manifest)
        #expect(try target.store.check(repair: false).isConsistent)
    }

    @Test func dockerArchiveHasDockerAndOCIEntries() throws {
        let t = try TestStore()
        let id = try t.importBusybox()
        let output = t.dir.sub("saved.tar")
        try t.store.save(["busybox"], format: .docker, to: output)
        let reader = try TarReader(readingFrom: try FileDescriptor(path: output, flags: O_RDONLY))
        var names: [String: [UInt8]] = [:]
        while let entry = try reader.next() {
            if entry.name.hasSuffix(".json") || entry.name == "repositories" || entry.name == "oci-layout" { names[entry.name] = try reader.readData() }
            else { names[entry.name] = [] }
        }
        let manifest = try JSON.decode([DockerArchiveEntry].self, from: try #require(names["manifest.json"]), what: "manifest.json")
        #expect(manifest.first?.Config == "blobs/sha256/\(id.hex)")
        #expect(manifest.first?.RepoTags == ["busybox:latest"])
        #expect(names["repositories"].map { String(decoding: $0, as: UTF8.self) } == "{\"busybox\":{\"latest\":\"\(id.hex)\"}}")
        #expect(names["oci-layout"] != nil && names["index.json"] != nil)
        // Saving twice gives the same bytes.
        let again = t.dir.sub("again.tar")
        try t.store.save(["busybox"], format: .docker, to: again)
        #expect(try FileSystem.readFile(output) == FileSystem.readFile(again))
    }

    @Test func aLayoutWithACorruptedBlobIsRefusedAndNothingIsStored() throws {
        let source = try TestStore()
        let id = try source.importBusybox()
        let layout = source.dir.sub("layout")
        try source.store.save(["busybox"], format: .ociDirectory, to: layout)
        let layer = try source.store.image(id: id).layers[0].blob
        // Flip one byte of the layer blob in the layout.
        let path = "\(layout)/blobs/sha256/\(layer.hex)"
        var bytes = try FileSystem.readFile(path)
        bytes[bytes.count / 2] ^= 0xff
        try FileSystem.writeDurably(bytes, to: path)

        let target = try TestStore()
        let error = expectError(.digestMismatch) { try target.store.load(from: layout) }
        guard case .digestMismatch = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))")
            return
        }
        #expect(try target.store.images().isEmpty)
        #expect(try target.store.check(repair: true).isConsistent)
        #expect(try target.store.content.allOnDisk().isEmpty)
    }

    @Test func archiveEntriesThatClimbOutAreRefused() throws {
        let t = try TestStore()
        let evil = t.dir.sub("evil.tar")
        let fd = try FileDescriptor(path: evil, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let writer = try TarWriter(writingTo: fd)
        try writer.addFile("manifest.json", bytes: Array("[{\"Config\":\"../../etc/passwd\",\"RepoTags\":[\"x:y\"],\"Layers\":[]}]".utf8))
        try writer.finish()
        try fd.close()
        expectError(.unsafeArchive) { try t.store.load(from: evil) }
        #expect(try t.store.images().isEmpty)
    }
}
