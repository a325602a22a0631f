import LighterOCI
import LighterStore
import LighterSystem

extension ImagePusher {
    /// `delta create … --push`: put a delta artifact beside its target in `target`'s repository (its
    /// config and delta blobs, then its manifest by digest), listed among the target's referrers by the
    /// registry (referrers API) or by us (the `sha256-<hex>` tag). The target must be there already.
    public func pushDelta(_ bundle: DeltaBundle, to target: Reference,
                          progress: @escaping @Sendable (PushEvent) -> Void = { _ in }) async throws(LighterError) -> ReferrersSource {
        let credentials = try CredentialStore(options: options).credentials(for: target.registry)
        let client = try RegistryClient(registry: target.registry, options: options, credentials: credentials)
        do throws(LighterError) {
            let source = try await pushDelta(bundle, to: target, client: client, progress: progress)
            await client.shutdown()
            return source
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func pushDelta(_ bundle: DeltaBundle, to target: Reference, client: RegistryClient,
                           progress: @escaping @Sendable (PushEvent) -> Void) async throws(LighterError) -> ReferrersSource {
        let repository = target.repository
        let subject = bundle.target.manifestDigest
        do throws(LighterError) {
            _ = try await client.manifest(repository: repository, reference: subject.description, expected: subject)
        } catch {
            if case .notFound = error {
                throw .notFound(kind: "target manifest", name: "\(subject) in \(target.registry)/\(repository): push the target image there first")
            }
            throw error
        }
        let configDigest = Digest.of(bundle.configBytes)
        let uploads = [(Descriptor(mediaType: DeltaArtifact.configMediaType, digest: configDigest, size: Int64(bundle.configBytes.count)), bundle.configPath)]
            + bundle.blobs.map { ($0.descriptor, $0.path) }
        for (descriptor, path) in uploads {
            let present = try await client.retrying { () async throws(LighterError) -> Bool in
                try await client.hasBlob(repository: repository, digest: descriptor.digest)
            }
            if present {
                progress(.blobExists(descriptor.digest))
                continue
            }
            _ = try await client.retrying { () async throws(LighterError) -> Bool in
                try await client.uploadBlob(repository: repository, digest: descriptor.digest, size: descriptor.size, from: path, mountFrom: nil)
            }
            progress(.blobPushed(descriptor.digest, size: descriptor.size))
        }
        let entry = ReferrerDescriptor(mediaType: MediaType.ociManifest, digest: bundle.manifestDigest, size: Int64(bundle.manifestBytes.count),
                                       artifactType: DeltaArtifact.artifactType,
                                       annotations: [DeltaArtifact.baseAnnotation: bundle.config.base.image.description])
        let manifestBytes = bundle.manifestBytes
        let source = try await onThread { () throws(LighterError) -> ReferrersSource in
            try client.putReferrer(repository: repository, bytes: manifestBytes, subject: subject, entry: entry)
        }
        progress(.manifestPushed(reference: bundle.manifestDigest.description, digest: bundle.manifestDigest))
        return source
    }
}
