#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem

extension ImageStore {
    /// `save --delta-from BASE TARGET -o FILE` and `delta create … -o FILE`: an OCI layout tar holding
    /// TARGET's manifest (named `name` when given) and config, the target layers no delta rebuilds,
    /// and the delta artifact (its manifest listed in index.json too, with its `artifactType`).
    /// `load` on a store that holds BASE rebuilds the rest.
    public func saveDelta(_ bundle: DeltaBundle, name: Reference?, to output: String) throws(LighterError) {
        let temp = "\(output).tmp-\(getpid())"
        do throws(LighterError) {
            let fd = try FileDescriptor(path: temp, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
            let writer = try TarWriter(writingTo: fd)
            try writer.addFile("oci-layout", bytes: try JSON.encode(OCILayoutFile()))
            try writer.addDirectory("blobs")
            try writer.addDirectory("blobs/sha256")
            let target = bundle.target
            try writer.addFile("blobs/sha256/\(target.manifestDigest.hex)", bytes: target.manifestBytes)
            try writer.addFile("blobs/sha256/\(target.manifest.config.digest.hex)", contentsOf: content.path(of: target.manifest.config.digest))
            var written = Set([target.manifestDigest, target.manifest.config.digest])
            for layer in bundle.config.layers where layer.delta == nil && written.insert(layer.digest).inserted {
                try writer.addFile("blobs/sha256/\(layer.digest.hex)", contentsOf: content.path(of: layer.digest))
            }
            try writer.addFile("blobs/sha256/\(bundle.manifestDigest.hex)", bytes: bundle.manifestBytes)
            try writer.addFile("blobs/sha256/\(Digest.of(bundle.configBytes).hex)", bytes: bundle.configBytes)
            for blob in bundle.blobs where written.insert(blob.descriptor.digest).inserted {
                try writer.addFile("blobs/sha256/\(blob.descriptor.digest.hex)", contentsOf: blob.path)
            }
            var annotations: [String: String]?
            if let name {
                annotations = ["io.containerd.image.name": name.description]
                if let tag = name.tag { annotations?["org.opencontainers.image.ref.name"] = tag }
            }
            let index = ReferrersIndex(manifests: [
                ReferrerDescriptor(mediaType: target.manifestMediaType, digest: target.manifestDigest, size: Int64(target.manifestBytes.count),
                                   artifactType: nil, annotations: annotations),
                ReferrerDescriptor(mediaType: MediaType.ociManifest, digest: bundle.manifestDigest, size: Int64(bundle.manifestBytes.count),
                                   artifactType: DeltaArtifact.artifactType, annotations: [DeltaArtifact.baseAnnotation: bundle.config.base.image.description]),
            ])
            try writer.addFile("index.json", bytes: try JSON.encode(index))
            try writer.finish()
            try fd.sync()
            try fd.close()
            try FileSystem.rename(temp, to: output)
        } catch {
            _ = unlink(temp)
            throw error
        }
    }

    /// `load` of an OCI layout: apply the delta artifacts index.json lists (rebuilding their target's
    /// layers into the content store, each verified against the target manifest's digest) and return
    /// their digests, which are then not loaded as images. A delta this store cannot apply is refused.
    func applyLayoutDeltas(at directory: String) throws(LighterError) -> Set<Digest> {
        let index = try JSON.decode(ReferrersIndex.self, from: try FileSystem.readFile("\(directory)/index.json"), what: "index.json")
        var applied = Set<Digest>()
        for entry in index.manifests where entry.artifactType == DeltaArtifact.artifactType {
            let artifact = try JSON.decode(DeltaManifest.self, from: try layoutBlob(entry.digest, size: entry.size, in: directory), what: "delta artifact \(entry.digest.short)")
            let config = try JSON.decode(DeltaConfig.self, from: try layoutBlob(artifact.config.digest, size: artifact.config.size, in: directory),
                                         what: "delta config \(artifact.config.digest.short)")
            guard config.target.manifest == artifact.subject.digest else {
                throw .malformed(what: "delta artifact \(entry.digest.short)", reason: "its config rebuilds \(config.target.manifest.short), its subject is \(artifact.subject.digest.short)")
            }
            guard deltaBase(for: config) != nil else {
                throw .notFound(kind: "delta base", name: "\(config.base.image.short): this update is a delta against that image, which this store lacks (load the full image, or `save` without --delta-from)")
            }
            let manifest = try JSON.decode(Manifest.self, from: try layoutBlob(artifact.subject.digest, size: artifact.subject.size, in: directory),
                                           what: "manifest \(artifact.subject.digest.short)")
            let targetConfig = try ImageConfig(jsonBytes: try layoutBlob(manifest.config.digest, size: manifest.config.size, in: directory),
                                               what: "image config \(manifest.config.digest.short)")
            let deltas = Dictionary(artifact.layers.map { ($0.digest, $0) }) { first, _ in first }
            _ = try applyDelta(config, target: manifest.layers, diffIDs: targetConfig.rootfs.diff_ids) { (digest) throws(LighterError) -> String in
                guard let descriptor = deltas[digest] else {
                    throw .malformed(what: "delta artifact \(entry.digest.short)", reason: "its config names delta \(digest.short), which its manifest does not list")
                }
                let path = "\(directory)/blobs/sha256/\(digest.hex)"
                try Self.checkSize(of: path, descriptor: descriptor)
                var hasher = SHA256Hasher()
                _ = try FileDescriptor(path: path, flags: O_RDONLY).readChunks { hasher.update($0) }
                let actual = hasher.finalize()
                guard actual == digest else {
                    throw .digestMismatch(what: "layer delta in the archive", expected: digest.description, actual: actual.description)
                }
                return path
            }
            applied.insert(entry.digest)
        }
        return applied
    }

    /// A small blob of an OCI layout, checked against its digest and size.
    private func layoutBlob(_ digest: Digest, size: Int64, in directory: String) throws(LighterError) -> [UInt8] {
        guard size <= 16 << 20 else { throw .limitExceeded("blob \(digest) is \(size) bytes, more than 16 MiB for a manifest or config") }
        let bytes = try FileSystem.readFile("\(directory)/blobs/sha256/\(digest.hex)")
        guard Int64(bytes.count) == size else { throw .sizeMismatch(what: "blob \(digest.short) in the archive", expected: size, actual: Int64(bytes.count)) }
        let actual = Digest.of(bytes)
        guard actual == digest else { throw .digestMismatch(what: "blob in the archive", expected: digest.description, actual: actual.description) }
        return bytes
    }
}
