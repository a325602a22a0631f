import AsyncHTTPClient
import LighterOCI
import LighterSystem
import NIOCore

extension RegistryClient {
    /// HEAD: does the repository already have this blob?
    public func hasBlob(repository: String, digest: Digest) async throws(LighterError) -> Bool {
        let response = try await send(.HEAD, "/v2/\(repository)/blobs/\(digest)", scope: Self.scope(repository, push: true))
        switch response.status {
        case .ok: return true
        case .notFound: return false
        default: throw await failure(response, "blob \(digest)")
        }
    }

    /// Upload a blob from a file: a cross-repository mount first when a source repository on the
    /// same registry is known, otherwise one POST for a session and one monolithic PUT.
    /// Returns true when the registry mounted it (no bytes sent).
    @discardableResult
    public func uploadBlob(repository: String, digest: Digest, size: Int64, from path: String, mountFrom: String?) async throws(LighterError) -> Bool {
        var location: String?
        if let source = mountFrom, source != repository {
            let response = try await send(.POST, "/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(Self.percentEncode(source))",
                                          scope: Self.scope(repository, push: true) + " " + Self.scope(source))
            if response.status == .created {
                _ = try? await response.body.collect(upTo: 1 << 16)
                return true
            }
            guard response.status == .accepted else { throw await failure(response, "mount of blob \(digest)") }
            location = response.headers.first(name: "Location")
            _ = try? await response.body.collect(upTo: 1 << 16)
        }
        if location == nil {
            let response = try await send(.POST, "/v2/\(repository)/blobs/uploads/", scope: Self.scope(repository, push: true))
            guard response.status == .accepted else { throw await failure(response, "upload of blob \(digest)") }
            location = response.headers.first(name: "Location")
            _ = try? await response.body.collect(upTo: 1 << 16)
        }
        guard let location, !location.isEmpty else {
            throw .registry(host: registry, message: "upload of blob \(digest): no Location in the registry's answer")
        }
        let url = try await absolute(location)
        let put = url + (url.contains("?") ? "&" : "?") + "digest=\(Self.percentEncode(digest.description))"
        let response = try await send(.PUT, put, scope: Self.scope(repository, push: true), body: .file(path: path, size: size), timeout: .hours(24))
        guard response.status == .created else { throw await failure(response, "upload of blob \(digest)") }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return false
    }

    /// A Location header made absolute against the registry's base URL.
    func absolute(_ location: String) async throws(LighterError) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        let base = try await baseURL()
        return location.hasPrefix("/") ? base + location : base + "/" + location
    }
}
