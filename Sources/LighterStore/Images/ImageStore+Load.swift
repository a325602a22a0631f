#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem

/// What `load` stored: each image with the names it got.
public struct LoadedImage: Sendable, Equatable {
    public let id: Digest
    public let tags: [Reference]
}

extension ImageStore {
    /// `load -i FILE`: a docker-archive (legacy or Docker 25+), an OCI layout tar, or an OCI layout
    /// directory. Every blob is verified against its digest; nothing unverified is stored.
    public func load(from path: String, platform: Platform? = nil) throws(LighterError) -> [LoadedImage] {
        try withLock(.shared) { () throws(LighterError) -> [LoadedImage] in
            if FileSystem.isDirectory(path) {
                return try namingFullDisk("load") { () throws(LighterError) -> [LoadedImage] in try loadLayout(at: path, platform: platform, consume: false) }
            }
            let fd = try FileDescriptor(path: path, flags: O_RDONLY)
            return try load(from: fd, platform: platform)
        }
    }

    /// `load` from a stream (standard input). The caller holds the shared lock.
    public func load(from source: FileDescriptor, platform: Platform?) throws(LighterError) -> [LoadedImage] {
        try namingFullDisk("load") { () throws(LighterError) -> [LoadedImage] in try loadArchive(from: source, platform: platform) }
    }

    private func loadArchive(from source: FileDescriptor, platform: Platform?) throws(LighterError) -> [LoadedImage] {
        let work = "\(paths.ingest)/load-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try syscall("mkdir", work) { mkdir(work, 0o700) }
        defer { try? FileSystem.removeTree(work) }
        try ArchiveUnpacker.unpack(from: source, into: work, limits: limits)
        if FileSystem.exists("\(work)/manifest.json") { return try loadDockerArchive(at: work) }
        if FileSystem.exists("\(work)/index.json") { return try loadLayout(at: work, platform: platform, consume: true) }
        throw .malformed(what: "image archive", reason: "neither manifest.json (docker-archive) nor index.json (OCI layout) found")
    }

    private func loadDockerArchive(at directory: String) throws(LighterError) -> [LoadedImage] {
        let entries = try JSON.decode([DockerArchiveEntry].self, from: try FileSystem.readFile("\(directory)/manifest.json"), what: "manifest.json")
        guard !entries.isEmpty else { throw .malformed(what: "manifest.json", reason: "it lists no images") }
        var loaded: [LoadedImage] = []
        // Adopting moves a layer file into the content store: a layer the images share (`save A B` of an
        // image and one built on it) is found here the second time, not in the archive.
        var adopted: [String: LayerBlob] = [:]
        for entry in entries {
            let configBytes = try FileSystem.readFile(try Self.member(entry.Config, in: directory))
            var layers: [LayerBlob] = []
            for layerPath in entry.Layers {
                if let layer = adopted[layerPath] {
                    layers.append(layer)
                    continue
                }
                let file = try Self.member(layerPath, in: directory)
                let (digest, size) = try content.adopt(file, expected: nil, what: "layer \(layerPath)")
                let layer = LayerBlob(digest: digest, mediaType: try mediaType(ofLayer: digest), size: size)
                adopted[layerPath] = layer
                layers.append(layer)
            }
            let tags = try (entry.RepoTags ?? []).map { (tag) throws(LighterError) -> Reference in try Reference(parsing: tag) }
            let id = try addImage(configBytes: configBytes, layers: layers, tags: tags)
            loaded.append(LoadedImage(id: id, tags: tags))
        }
        return loaded
    }

    private func loadLayout(at directory: String, platform: Platform?, consume: Bool) throws(LighterError) -> [LoadedImage] {
        guard FileSystem.exists("\(directory)/index.json") else {
            throw .malformed(what: "OCI layout \(directory)", reason: "no index.json")
        }
        if let layoutBytes = try? FileSystem.readFile("\(directory)/oci-layout") {
            let layout = try JSON.decode(OCILayoutFile.self, from: layoutBytes, what: "oci-layout")
            guard layout.imageLayoutVersion.hasPrefix("1.") else {
                throw .malformed(what: "oci-layout", reason: "image layout version \(layout.imageLayoutVersion) is not supported")
            }
        }
        let index = try JSON.decode(Index.self, from: try FileSystem.readFile("\(directory)/index.json"), what: "index.json")
        // Delta artifacts (`save --delta-from`) first: they rebuild layers the images below need.
        let deltas = try applyLayoutDeltas(at: directory)
        var loaded: [LoadedImage] = []
        for descriptor in index.manifests where !deltas.contains(descriptor.digest) {
            let manifestDescriptor = try manifestDescriptor(for: descriptor, in: directory, platform: platform)
            let manifestBytes = try readLayoutBlob(manifestDescriptor, in: directory)
            let manifest = try JSON.decode(Manifest.self, from: manifestBytes, what: "manifest \(manifestDescriptor.digest)")
            let configBytes = try readLayoutBlob(manifest.config, in: directory)
            var layers: [LayerBlob] = []
            for layer in manifest.layers {
                guard MediaType.isLayer(layer.mediaType) else {
                    throw .malformed(what: "manifest \(manifestDescriptor.digest)", reason: "layer media type \(layer.mediaType) is not supported")
                }
                let blobPath = "\(directory)/blobs/sha256/\(layer.digest.hex)"
                // The descriptor's size is part of what the manifest (and so the image ID) vouches for.
                let stored = content.contains(layer.digest) ? content.path(of: layer.digest) : blobPath
                try Self.checkSize(of: stored, descriptor: layer)
                if !content.contains(layer.digest) {
                    if consume {
                        try content.adopt(blobPath, expected: layer.digest, what: "layer \(layer.digest)")
                    } else {
                        let ingest = try content.beginIngest()
                        try FileDescriptor(path: blobPath, flags: O_RDONLY).readChunks { (chunk) throws(LighterError) in
                            try ingest.write(Array(chunk))
                        }
                        try content.commit(ingest, expected: layer.digest, expectedSize: layer.size, what: "layer \(layer.digest)")
                    }
                }
                layers.append(LayerBlob(digest: layer.digest, mediaType: layer.mediaType, size: layer.size))
            }
            var tags: [Reference] = []
            let annotations = descriptor.annotations ?? [:]
            if let name = annotations["io.containerd.image.name"], let ref = try? Reference(parsing: name) {
                tags.append(ref)
            } else if let name = annotations["org.opencontainers.image.ref.name"], name.contains(":") || name.contains("/"),
                      let ref = try? Reference(parsing: name) {
                tags.append(ref)
            }
            let id = try addImage(configBytes: configBytes, layers: layers, manifestBytes: manifestBytes, tags: tags)
            loaded.append(LoadedImage(id: id, tags: tags))
        }
        guard !loaded.isEmpty else { throw .malformed(what: "index.json", reason: "it lists no manifests") }
        return loaded
    }

    /// A manifest descriptor from an index entry; a nested index is resolved to one platform.
    private func manifestDescriptor(for descriptor: Descriptor, in directory: String, platform: Platform?) throws(LighterError) -> Descriptor {
        if MediaType.isManifest(descriptor.mediaType) { return descriptor }
        guard MediaType.isIndex(descriptor.mediaType) else {
            throw .malformed(what: "index.json", reason: "entry \(descriptor.digest) has unsupported media type \(descriptor.mediaType)")
        }
        let nested = try JSON.decode(Index.self, from: try readLayoutBlob(descriptor, in: directory), what: "index \(descriptor.digest)")
        let wanted = platform ?? Platform.host
        let offered = nested.manifests.compactMap(\.platform)
        guard let match = PlatformMatcher.best(for: wanted, among: nested.manifests) else {
            throw .notFound(kind: "manifest for platform \(wanted)", name: "index \(descriptor.digest) offers \(offered.map(\.description).joined(separator: ", "))")
        }
        return try manifestDescriptor(for: match, in: directory, platform: platform)
    }

    /// The blob `descriptor` names, checked against its digest and its size.
    private func readLayoutBlob(_ descriptor: Descriptor, in directory: String) throws(LighterError) -> [UInt8] {
        let digest = descriptor.digest
        let path = "\(directory)/blobs/sha256/\(digest.hex)"
        try Self.checkSize(of: path, descriptor: descriptor)
        let bytes = try FileSystem.readFile(path)
        let actual = Digest.of(bytes)
        guard actual == digest else {
            throw .digestMismatch(what: "blob in the archive", expected: digest.description, actual: actual.description)
        }
        return bytes
    }

    /// A descriptor's `size` must be the blob's (OCI image spec: a mismatch is an error, even when the
    /// digest matches); checked before the blob is read, so a size lie cannot make it read more.
    static func checkSize(of path: String, descriptor: Descriptor) throws(LighterError) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .notFound(kind: "blob in the archive", name: descriptor.digest.description) }
        guard Int64(st.st_size) == descriptor.size else {
            throw .sizeMismatch(what: "blob \(descriptor.digest) (its descriptor's size)", expected: descriptor.size, actual: Int64(st.st_size))
        }
    }

    /// Resolve a path named inside an archive's manifest.json, refusing anything outside it.
    static func member(_ name: String, in directory: String) throws(LighterError) -> String {
        let components = name.split(separator: "/", omittingEmptySubsequences: true)
        guard !name.hasPrefix("/"), !components.contains(".."), !components.isEmpty else {
            throw .unsafeArchive(entry: name, reason: "manifest.json points outside the archive")
        }
        let path = "\(directory)/\(components.joined(separator: "/"))"
        guard FileSystem.exists(path) else { throw .malformed(what: "image archive", reason: "\(name) is named in manifest.json but missing") }
        return path
    }

    /// The media type a stored layer blob gets, from its first bytes.
    func mediaType(ofLayer digest: Digest) throws(LighterError) -> String {
        let fd = try content.open(digest)
        switch Compression.detect(try fd.read(upTo: 8)) {
        case .gzip: return MediaType.ociLayerGzip
        case .zstd: return MediaType.ociLayerZstd
        case .none: return MediaType.ociLayer
        case let other: throw .malformed(what: "layer \(digest)", reason: "\(other.rawValue) compression is not supported for layers")
        }
    }
}
