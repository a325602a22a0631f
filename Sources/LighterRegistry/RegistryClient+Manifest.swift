import LighterHTTP
import LighterOCI
import LighterSystem

/// A manifest or index as the registry sent it: exact bytes (their digest is the content address).
public struct FetchedManifest: Sendable {
    public let bytes: [UInt8]
    public let mediaType: String
    public let digest: Digest

    public var isIndex: Bool { MediaType.isIndex(mediaType) }
}

extension RegistryClient {
    static let manifestAccept = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList, MediaType.dockerManifest].joined(separator: ", ")
    static let manifestLimit = 4 << 20

    /// GET a manifest or index by tag or digest. A manifest asked for by digest must hash to it.
    public func manifest(repository: String, reference: String, expected: Digest?) async throws(LighterError) -> FetchedManifest {
        try await onThread { () throws(LighterError) in try self.manifestSync(repository: repository, reference: reference, expected: expected) }
    }

    public func manifestSync(repository: String, reference: String, expected: Digest?) throws(LighterError) -> FetchedManifest {
        let response = try send("GET", "/v2/\(repository)/manifests/\(reference)", scope: Self.scope(repository),
                                headers: [("Accept", Self.manifestAccept)])
        if response.status == 404 {
            _ = failure(response, "manifest")
            throw .notFound(kind: "manifest", name: "\(registry)/\(repository):\(reference)")
        }
        guard response.status == 200 else { throw failure(response, "manifest \(repository):\(reference)") }
        let bytes: [UInt8]
        do throws(LighterError) {
            bytes = try response.collect(upTo: Self.manifestLimit)
        } catch {
            throw mapTransport(error)
        }
        let digest = Digest.of(bytes)
        if let expected, expected != digest {
            throw .digestMismatch(what: "manifest \(registry)/\(repository)@\(expected)", expected: expected.description, actual: digest.description)
        }
        let probe = try JSON.decode(MediaTypeField.self, from: bytes, what: "manifest \(repository):\(reference)")
        let headerType = response.headers["Content-Type"]?.split(separator: ";").first.map { String($0).trimmed }
        guard let mediaType = probe.mediaType ?? headerType ?? (probe.manifests != nil ? MediaType.ociIndex : nil),
              MediaType.isManifest(mediaType) || MediaType.isIndex(mediaType) else {
            throw .malformed(what: "manifest \(repository):\(reference)", reason: "media type \(probe.mediaType ?? headerType ?? "none") is not an OCI or Docker schema2 manifest or index (schema1 is not supported)")
        }
        return FetchedManifest(bytes: bytes, mediaType: mediaType, digest: digest)
    }

    /// PUT a manifest or index under a tag or digest; returns the digest the registry reports (or ours).
    @discardableResult
    public func putManifest(repository: String, reference: String, bytes: [UInt8], mediaType: String) async throws(LighterError) -> Digest {
        try await onThread { () throws(LighterError) in
            try self.putManifestSync(repository: repository, reference: reference, bytes: bytes, mediaType: mediaType)
        }
    }

    @discardableResult
    public func putManifestSync(repository: String, reference: String, bytes: [UInt8], mediaType: String) throws(LighterError) -> Digest {
        let response = try send("PUT", "/v2/\(repository)/manifests/\(reference)", scope: Self.scope(repository, push: true),
                                body: .bytes(bytes), contentType: mediaType)
        guard response.status == 201 || response.status == 200 else {
            throw failure(response, "upload of manifest \(repository):\(reference)")
        }
        response.discard()
        return Digest.of(bytes)
    }

    /// GET a small blob (an image config) into memory, verified against its digest and size.
    public func smallBlob(repository: String, descriptor: Descriptor, limit: Int = 16 << 20) async throws(LighterError) -> [UInt8] {
        try await onThread { () throws(LighterError) in try self.smallBlobSync(repository: repository, descriptor: descriptor, limit: limit) }
    }

    public func smallBlobSync(repository: String, descriptor: Descriptor, limit: Int = 16 << 20) throws(LighterError) -> [UInt8] {
        guard descriptor.size <= Int64(limit) else {
            throw .limitExceeded("blob \(descriptor.digest) is \(descriptor.size) bytes, more than \(limit) for an image config")
        }
        let response = try send("GET", "/v2/\(repository)/blobs/\(descriptor.digest)", scope: Self.scope(repository))
        guard response.status == 200 else { throw failure(response, "blob \(descriptor.digest)") }
        let bytes: [UInt8]
        do throws(LighterError) {
            bytes = try response.collect(upTo: limit)
        } catch {
            throw mapTransport(error)
        }
        guard Int64(bytes.count) == descriptor.size else {
            throw .sizeMismatch(what: "blob \(descriptor.digest)", expected: descriptor.size, actual: Int64(bytes.count))
        }
        let digest = Digest.of(bytes)
        guard digest == descriptor.digest else {
            throw .digestMismatch(what: "blob from \(registry)/\(repository)", expected: descriptor.digest.description, actual: digest.description)
        }
        return bytes
    }
}

/// The fields that tell a manifest from an index.
struct MediaTypeField: Decodable {
    var mediaType: String?
    var manifests: [Descriptor]?
}
