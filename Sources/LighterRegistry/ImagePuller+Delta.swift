import LighterOCI
import LighterStore
import LighterSystem

/// What a pull's delta attempt did.
struct DeltaOutcome: Sendable {
    var rebuilt: [Digest]
    /// Snapshots unpacked from the rebuilt tars (chain ID → size).
    var unpacked: [Digest: Int64]
    var deltaBytes: Int64
}

extension ImagePuller {
    /// Before downloading `missing` layers of the target: look among the target manifest's referrers
    /// for a delta made against an image this store holds, download it, rebuild the layers it covers
    /// and keep those whose blobs have the manifest's digests (`ImageStore.applyDelta`). Never fails
    /// the pull: any error is one notice, and the layers still missing are downloaded whole.
    func pullDelta(repository: String, client: RegistryClient, manifestDigest: Digest, layers: [Descriptor], diffIDs: [Digest],
                   missing: [Descriptor], progress: @escaping @Sendable (PullEvent) -> Void) async -> DeltaOutcome? {
        let held: [ImageRecord]
        do throws(LighterError) { held = try store.images() } catch { return nil }
        guard !held.isEmpty else { return nil }
        let sameRepository = held.contains { image in
            (image.tags + image.repoDigests).contains { (try? Reference(parsing: $0))?.repository == repository }
        }
        let store = self.store
        var downloaded: [String] = []
        defer { for path in downloaded { try? FileSystem.remove(path) } }
        do throws(LighterError) {
            let (entries, source) = try await onThread { () throws(LighterError) in
                try client.referrers(repository: repository, digest: manifestDigest, artifactType: DeltaArtifact.artifactType)
            }
            if source == .none {
                if sameRepository {
                    progress(.notice("No delta: \(client.registry) lists no referrers of \(manifestDigest.short) (neither the referrers API nor a \(ReferrersIndex.tag(for: manifestDigest).prefix(19))… tag); pulling the full layers"))
                }
                return nil
            }
            let ids = Set(held.map(\.id.description))
            guard let entry = entries.first(where: { ids.contains($0.annotations?[DeltaArtifact.baseAnnotation] ?? "") }) else {
                if sameRepository && !entries.isEmpty {
                    progress(.notice("No delta: the \(entries.count) delta(s) for \(manifestDigest.short) were made against images this store lacks; pulling the full layers"))
                }
                return nil
            }
            let fetched = try await client.retrying { () async throws(LighterError) -> FetchedManifest in
                try await client.manifest(repository: repository, reference: entry.digest.description, expected: entry.digest)
            }
            let artifact = try JSON.decode(DeltaManifest.self, from: fetched.bytes, what: "delta artifact \(entry.digest.short)")
            guard artifact.artifactType == DeltaArtifact.artifactType, artifact.subject.digest == manifestDigest,
                  artifact.config.mediaType == DeltaArtifact.configMediaType else {
                throw .malformed(what: "delta artifact \(entry.digest.short)", reason: "it is not a Lighter delta for \(manifestDigest.short)")
            }
            let configBytes = try await client.retrying { () async throws(LighterError) -> [UInt8] in
                try await client.smallBlob(repository: repository, descriptor: artifact.config)
            }
            let config = try JSON.decode(DeltaConfig.self, from: configBytes, what: "delta config \(artifact.config.digest.short)")
            guard config.target.manifest == manifestDigest else {
                throw .malformed(what: "delta artifact \(entry.digest.short)", reason: "its config rebuilds \(config.target.manifest.short), not \(manifestDigest.short)")
            }
            guard store.deltaBase(for: config) != nil else {
                throw .notFound(kind: "delta base", name: "\(config.base.image.short) (the store lacks it, or holds other layers under its ID)")
            }
            let missingDigests = Set(missing.map(\.digest))
            let needed = Set(config.layers.filter { missingDigests.contains($0.digest) }.compactMap(\.delta))
            var paths: [Digest: String] = [:]
            var bytes = Int64(fetched.bytes.count + configBytes.count)   // the artifact's manifest and config count too
            for blob in artifact.layers where needed.contains(blob.digest) && paths[blob.digest] == nil {
                let path = store.partialDownloadPath(for: blob.digest)
                downloaded.append(path)
                progress(.layerStarted(blob.digest, size: blob.size))
                try await client.downloadBlob(repository: repository, descriptor: blob, to: path) { done in
                    progress(.layerProgress(blob.digest, bytes: done, size: blob.size))
                }
                progress(.layerVerified(blob.digest))
                paths[blob.digest] = path
                bytes += blob.size
            }
            let known = paths
            let applied = try await onThread { () throws(LighterError) -> AppliedDelta in
                try store.applyDelta(config, target: layers, diffIDs: diffIDs) { (digest) throws(LighterError) -> String in
                    guard let path = known[digest] else {
                        throw .malformed(what: "delta artifact", reason: "its config names delta \(digest.short), which its manifest does not list")
                    }
                    return path
                }
            }
            let full = missing.filter { applied.rebuilt.contains($0.digest) }.reduce(Int64(0)) { $0 + $1.size }
            let linked = applied.linkedFiles > 0 ? ", \(applied.linkedFiles) unchanged files linked from \(config.base.image.short)" : ""
            progress(.notice("Delta from \(config.base.image.short): \(applied.rebuilt.count) layer(s) rebuilt and verified from \(bytes) bytes (instead of \(full))\(linked)"))
            return DeltaOutcome(rebuilt: applied.rebuilt, unpacked: applied.unpacked, deltaBytes: bytes)
        } catch {
            progress(.notice("Delta update failed (\(error)); pulling the full layers"))
            return nil
        }
    }
}
