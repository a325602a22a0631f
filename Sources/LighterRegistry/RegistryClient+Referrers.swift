import LighterOCI
import LighterSystem

/// Where a registry keeps the artifacts that refer to a manifest (distribution-spec 1.1).
public enum ReferrersSource: Sendable, Equatable {
    /// `GET /v2/<name>/referrers/<digest>` answered.
    case api
    /// The registry lacks the API; the index under the tag `sha256-<hex>` (the referrers tag schema).
    case tagSchema
    /// Neither: no API and no such tag.
    case none
}

extension RegistryClient {
    /// The artifacts referring to `digest` in `repository` (of `artifactType`, when given), from the
    /// referrers API or, when the registry lacks it, the referrers tag schema.
    public func referrers(repository: String, digest: Digest, artifactType: String?) throws(LighterError)
        -> (manifests: [ReferrerDescriptor], source: ReferrersSource) {
        let query = artifactType.map { "?artifactType=\(Self.percentEncode($0))" } ?? ""
        let response = try send("GET", "/v2/\(repository)/referrers/\(digest)\(query)", scope: Self.scope(repository),
                                headers: [("Accept", MediaType.ociIndex)])
        let contentType = response.headers["Content-Type"] ?? ""
        if response.status == 200, contentType.hasPrefix(MediaType.ociIndex) {
            let bytes: [UInt8]
            do throws(LighterError) {
                bytes = try response.collect(upTo: Self.manifestLimit)
            } catch {
                throw mapTransport(error)
            }
            let index = try JSON.decode(ReferrersIndex.self, from: bytes, what: "referrers of \(repository)@\(digest)")
            return (index.manifests.filter { artifactType == nil || $0.artifactType == artifactType }, .api)
        }
        if response.status != 404 && response.status != 200 && response.status != 405 && response.status != 400 {
            throw failure(response, "referrers of \(repository)@\(digest)")
        }
        response.discard()
        guard let index = try referrersTagIndex(repository: repository, digest: digest) else { return ([], .none) }
        return (index.manifests.filter { artifactType == nil || $0.artifactType == artifactType }, .tagSchema)
    }

    /// The index under the referrers tag of `digest`, or nil when there is no such tag.
    func referrersTagIndex(repository: String, digest: Digest) throws(LighterError) -> ReferrersIndex? {
        let fetched: FetchedManifest
        do throws(LighterError) {
            fetched = try manifestSync(repository: repository, reference: ReferrersIndex.tag(for: digest), expected: nil)
        } catch {
            if case .notFound = error { return nil }
            throw error
        }
        guard fetched.isIndex else {
            throw .malformed(what: "referrers tag \(ReferrersIndex.tag(for: digest)) of \(repository)", reason: "it is not an index")
        }
        return try JSON.decode(ReferrersIndex.self, from: fetched.bytes, what: "referrers tag of \(repository)@\(digest)")
    }

    /// PUT an artifact manifest that has a `subject`, by digest. When the registry does not say it
    /// indexed the subject (no `OCI-Subject` header), add the artifact to the referrers tag's index.
    /// Returns where the referrer is listed now.
    @discardableResult
    public func putReferrer(repository: String, bytes: [UInt8], subject: Digest, entry: ReferrerDescriptor) throws(LighterError) -> ReferrersSource {
        let digest = Digest.of(bytes)
        let response = try send("PUT", "/v2/\(repository)/manifests/\(digest)", scope: Self.scope(repository, push: true),
                                body: .bytes(bytes), contentType: MediaType.ociManifest)
        guard response.status == 201 || response.status == 200 else {
            throw failure(response, "upload of artifact manifest \(repository)@\(digest)")
        }
        let indexed = response.headers["OCI-Subject"] != nil
        response.discard()
        if indexed { return .api }
        var index = try referrersTagIndex(repository: repository, digest: subject) ?? ReferrersIndex(manifests: [])
        index.manifests.removeAll { $0.digest == entry.digest }
        index.manifests.append(entry)
        try putManifestSync(repository: repository, reference: ReferrersIndex.tag(for: subject), bytes: try JSON.encode(index),
                            mediaType: MediaType.ociIndex)
        return .tagSchema
    }
}
