#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterDatabase
import LighterOCI
import LighterSystem

extension ImageStore {
    /// One image chosen for `save`, with the names it is saved under.
    struct SaveItem {
        let image: ImageRecord
        var names: [Reference]
    }

    /// `save -o FILE REF...` (or a directory for `oci-dir`). Blobs are streamed from the store as they are,
    /// so digests and the image ID survive the round trip byte for byte.
    public func save(_ inputs: [String], format: ImageArchiveFormat, to output: String) throws(LighterError) {
        guard !inputs.isEmpty else { throw .invalidArgument("save needs at least one image") }
        let items = try withLock(.shared) { () throws(LighterError) -> [SaveItem] in try saveItems(inputs) }
        switch format {
        case .ociDirectory:
            try saveDirectory(items, to: output)
        case .oci, .docker:
            let temp = "\(output).tmp-\(getpid())"
            do {
                let fd = try FileDescriptor(path: temp, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
                try saveTar(items, docker: format == .docker, to: fd)
                try fd.sync()
                try fd.close()
                try FileSystem.rename(temp, to: output)
            } catch {
                _ = unlink(temp)
                throw error
            }
        }
    }

    /// Write a tar to an open descriptor (standard output for `save` without `-o`).
    public func save(_ inputs: [String], format: ImageArchiveFormat, to fd: FileDescriptor) throws(LighterError) {
        guard format != .ociDirectory else { throw .invalidArgument("--format oci-dir needs -o DIRECTORY") }
        let items = try withLock(.shared) { () throws(LighterError) -> [SaveItem] in try saveItems(inputs) }
        try saveTar(items, docker: format == .docker, to: fd)
    }

    private func saveItems(_ inputs: [String]) throws(LighterError) -> [SaveItem] {
        var items: [SaveItem] = []
        for input in inputs {
            let (id, tag) = try resolve(input)
            let names = tag.map { [$0] } ?? []
            if let index = items.firstIndex(where: { $0.image.id == id }) {
                items[index].names += names
            } else {
                items.append(SaveItem(image: try image(id: id), names: names))
            }
        }
        return items
    }

    private func indexJSON(_ items: [SaveItem]) throws(LighterError) -> [UInt8] {
        var descriptors: [Descriptor] = []
        for item in items {
            let manifestSize = Int64(try content.read(item.image.manifestDigest).count)
            let manifestType = try db.query("SELECT media_type FROM blobs WHERE digest = ?", [.text(item.image.manifestDigest.hex)]).first?.string("media_type") ?? MediaType.ociManifest
            let names: [Reference?] = item.names.isEmpty ? [nil] : item.names
            for name in names {
                var annotations: [String: String]? = nil
                if let name {
                    annotations = ["io.containerd.image.name": name.description]
                    if let tag = name.tag { annotations?["org.opencontainers.image.ref.name"] = tag }
                }
                descriptors.append(Descriptor(mediaType: manifestType, digest: item.image.manifestDigest, size: manifestSize, annotations: annotations))
            }
        }
        return try JSON.encode(Index(manifests: descriptors))
    }

    private func allBlobs(_ items: [SaveItem]) throws(LighterError) -> [Digest] {
        var set = Set<Digest>()
        for item in items {
            for row in try db.query("SELECT digest FROM image_blobs WHERE image_id = ?", [.text(item.image.id.hex)]) {
                set.insert(try Digest(hex: row.string("digest")))
            }
        }
        return set.sorted()
    }

    private func saveTar(_ items: [SaveItem], docker: Bool, to fd: FileDescriptor) throws(LighterError) {
        let writer = try TarWriter(writingTo: fd)
        try writer.addFile("oci-layout", bytes: try JSON.encode(OCILayoutFile()))
        try writer.addDirectory("blobs")
        try writer.addDirectory("blobs/sha256")
        var written = Set<Digest>()
        for digest in try allBlobs(items) {
            try writer.addFile("blobs/sha256/\(digest.hex)", contentsOf: content.path(of: digest))
            written.insert(digest)
        }
        try writer.addFile("index.json", bytes: try indexJSON(items))
        if docker {
            // docker-archive: Layers must be uncompressed tars named by their diff IDs.
            var entries: [DockerArchiveEntry] = []
            var repositories: [String: [String: String]] = [:]
            for item in items {
                var layerPaths: [String] = []
                for layer in item.image.layers {
                    if !written.contains(layer.diffID) {
                        try addUncompressed(layer, to: writer)
                        written.insert(layer.diffID)
                    }
                    layerPaths.append("blobs/sha256/\(layer.diffID.hex)")
                }
                entries.append(DockerArchiveEntry(config: "blobs/sha256/\(item.image.id.hex)", repoTags: item.names.isEmpty ? nil : item.names.map(\.familiar), layers: layerPaths))
                for name in item.names {
                    if let tag = name.tag { repositories[name.familiarName, default: [:]][tag] = item.image.id.hex }
                }
            }
            try writer.addFile("manifest.json", bytes: try JSON.encode(entries))
            if !repositories.isEmpty { try writer.addFile("repositories", bytes: try JSON.encode(repositories)) }
        }
        try writer.finish()
    }

    /// Add a compressed layer's uncompressed form (its diff ID blob) to a docker-archive.
    private func addUncompressed(_ layer: LayerRecord, to writer: TarWriter) throws(LighterError) {
        let ingest = try content.beginIngest()
        let stream = try LayerStream.decompress(from: try content.open(layer.blob), to: ingest.fd, limits: limits)
        guard stream.output == layer.diffID else {
            throw .digestMismatch(what: "layer \(layer.blob) uncompressed", expected: layer.diffID.description, actual: stream.output.description)
        }
        try writer.addFile("blobs/sha256/\(layer.diffID.hex)", contentsOf: ingest.path)
    }

    private func saveDirectory(_ items: [SaveItem], to directory: String) throws(LighterError) {
        try FileSystem.makeDirectories("\(directory)/blobs/sha256")
        for digest in try allBlobs(items) {
            let target = "\(directory)/blobs/sha256/\(digest.hex)"
            if FileSystem.exists(target) { continue }
            let source = try content.open(digest)
            let out = try FileDescriptor(path: target + ".tmp", flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            try source.readChunks { (chunk) throws(LighterError) in try out.write(chunk) }
            try out.sync()
            try out.close()
            try FileSystem.rename(target + ".tmp", to: target)
        }
        // Merge with an existing layout's index rather than dropping the images already in it.
        var index = Index(manifests: [])
        if let existing = try? FileSystem.readFile("\(directory)/index.json") {
            index = try JSON.decode(Index.self, from: existing, what: "\(directory)/index.json")
        }
        let added = try JSON.decode(Index.self, from: try indexJSON(items), what: "index")
        let newNames = Set(added.manifests.compactMap { $0.annotations?["org.opencontainers.image.ref.name"] })
        index.manifests.removeAll { $0.annotations?["org.opencontainers.image.ref.name"].map(newNames.contains) ?? false }
        index.manifests += added.manifests
        try FileSystem.writeDurably(try JSON.encode(OCILayoutFile()), to: "\(directory)/oci-layout")
        try FileSystem.writeDurably(try JSON.encode(index), to: "\(directory)/index.json")
    }
}
