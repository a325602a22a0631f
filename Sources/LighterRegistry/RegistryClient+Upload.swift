#if canImport(Glibc)
import Glibc
#endif
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
        var url = try await absolute(location)
        var body = Body.file(path: path, size: size)
        if let chunkSize = options.uploadChunkSize, size > chunkSize {
            url = try await uploadChunks(repository: repository, digest: digest, size: size, from: path, to: url, chunkSize: chunkSize)
            body = .none
        }
        let put = url + (url.contains("?") ? "&" : "?") + "digest=\(Self.percentEncode(digest.description))"
        let response = try await send(.PUT, put, scope: Self.scope(repository, push: true), body: body, timeout: .hours(24))
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

    /// Chunked upload: PATCH `chunkSize` bytes at a time with Content-Range; after a failed chunk
    /// ask the session how much it holds (GET → `Range: 0-N`) and go on from there. Returns the
    /// session URL to finish with PUT.
    func uploadChunks(repository: String, digest: Digest, size: Int64, from path: String, to start: String, chunkSize: Int64) async throws(LighterError) -> String {
        let scope = Self.scope(repository, push: true)
        let file = try LighterSystem.FileDescriptor(path: path, flags: O_RDONLY)
        var url = start
        var offset: Int64 = 0
        var failures = 0
        while offset < size {
            let length = min(chunkSize, size - offset)
            try file.seek(to: offset)
            let bytes = try file.read(upTo: Int(length))
            guard Int64(bytes.count) == length else {
                throw .sizeMismatch(what: "blob \(digest) being pushed", expected: size, actual: offset + Int64(bytes.count))
            }
            do throws(LighterError) {
                let response = try await send(.PATCH, url, scope: scope, headers: [("Content-Range", "\(offset)-\(offset + length - 1)")],
                                              body: .bytes(bytes, contentType: "application/octet-stream"))
                guard response.status == .accepted else { throw await failure(response, "chunk of blob \(digest)") }
                _ = try? await response.body.collect(upTo: 1 << 16)
                if let next = response.headers.first(name: "Location") { url = try await absolute(next) }
                offset = response.headers.first(name: "Range").flatMap(Self.rangeEnd).map { $0 + 1 } ?? offset + length
            } catch {
                failures += 1
                guard Self.isRetryable(error), failures < options.attempts else { throw error }
                try? await Task.sleep(for: .milliseconds(min(8000, options.retryDelayMilliseconds << min(failures - 1, 10))))
                let status = try await send(.GET, url, scope: scope)
                _ = try? await status.body.collect(upTo: 1 << 16)
                guard status.status == .noContent else { throw await failure(status, "upload status of blob \(digest)") }
                if let next = status.headers.first(name: "Location") { url = try await absolute(next) }
                offset = status.headers.first(name: "Range").flatMap(Self.rangeEnd).map { $0 + 1 } ?? 0
            }
        }
        return url
    }

    /// `0-N` (or `bytes=0-N`) → N.
    static func rangeEnd(_ header: String) -> Int64? {
        header.split(separator: "-").last.flatMap { Int64($0) }
    }
}
