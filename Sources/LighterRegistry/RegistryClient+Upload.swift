#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterHTTP
import LighterOCI
import LighterSystem

extension RegistryClient {
    /// HEAD: does the repository already have this blob?
    public func hasBlob(repository: String, digest: Digest) async throws(LighterError) -> Bool {
        try await onThread { () throws(LighterError) in try self.hasBlobSync(repository: repository, digest: digest) }
    }

    public func hasBlobSync(repository: String, digest: Digest) throws(LighterError) -> Bool {
        let response = try send("HEAD", "/v2/\(repository)/blobs/\(digest)", scope: Self.scope(repository, push: true))
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw failure(response, "blob \(digest)")
        }
    }

    /// Upload a blob from a file: a cross-repository mount first when a source repository on the
    /// same registry is known, otherwise one POST for a session and one monolithic PUT (or PATCH
    /// chunks, see `RegistryOptions.uploadChunkSize`). Returns true when the registry mounted it.
    @discardableResult
    public func uploadBlob(repository: String, digest: Digest, size: Int64, from path: String, mountFrom: String?) async throws(LighterError) -> Bool {
        try await onThread { () throws(LighterError) in
            try self.uploadBlobSync(repository: repository, digest: digest, size: size, from: path, mountFrom: mountFrom)
        }
    }

    @discardableResult
    public func uploadBlobSync(repository: String, digest: Digest, size: Int64, from path: String, mountFrom: String?) throws(LighterError) -> Bool {
        var location: String?
        if let source = mountFrom, source != repository {
            let response = try send("POST", "/v2/\(repository)/blobs/uploads/?mount=\(digest)&from=\(Self.percentEncode(source))",
                                    scope: Self.scope(repository, push: true) + " " + Self.scope(source))
            if response.status == 201 {
                response.discard()
                return true
            }
            guard response.status == 202 else { throw failure(response, "mount of blob \(digest)") }
            location = response.headers["Location"]
            response.discard()
        }
        if location == nil {
            let response = try send("POST", "/v2/\(repository)/blobs/uploads/", scope: Self.scope(repository, push: true))
            guard response.status == 202 else { throw failure(response, "upload of blob \(digest)") }
            location = response.headers["Location"]
            response.discard()
        }
        guard let location, !location.isEmpty else {
            throw .registry(host: registry, message: "upload of blob \(digest): no Location in the registry's answer")
        }
        var url = try absolute(location)
        var body = HTTPRequest.Body.file(path: path, size: size)
        if let chunkSize = options.uploadChunkSize, size > chunkSize {
            url = try uploadChunks(repository: repository, digest: digest, size: size, from: path, to: url, chunkSize: chunkSize)
            body = .none
        }
        let put = url + (url.contains("?") ? "&" : "?") + "digest=\(Self.percentEncode(digest.description))"
        let response = try send("PUT", put, scope: Self.scope(repository, push: true), body: body, contentType: "application/octet-stream")
        guard response.status == 201 else { throw failure(response, "upload of blob \(digest)") }
        response.discard()
        return false
    }

    /// A Location header made absolute against the registry's base URL.
    func absolute(_ location: String) throws(LighterError) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        let base = try baseURL()
        return location.hasPrefix("/") ? base + location : base + "/" + location
    }

    /// Chunked upload: PATCH `chunkSize` bytes at a time with Content-Range; after a failed chunk
    /// ask the session how much it holds (GET → `Range: 0-N`) and go on from there. Returns the
    /// session URL to finish with PUT.
    func uploadChunks(repository: String, digest: Digest, size: Int64, from path: String, to start: String, chunkSize: Int64) throws(LighterError) -> String {
        let scope = Self.scope(repository, push: true)
        let file = try FileDescriptor(path: path, flags: O_RDONLY)
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
                let response = try send("PATCH", url, scope: scope, headers: [("Content-Range", "\(offset)-\(offset + length - 1)")],
                                        body: .bytes(bytes), contentType: "application/octet-stream")
                guard response.status == 202 else { throw failure(response, "chunk of blob \(digest)") }
                response.discard()
                if let next = response.headers["Location"] { url = try absolute(next) }
                offset = response.headers["Range"].flatMap(Self.rangeEnd).map { $0 + 1 } ?? offset + length
            } catch {
                failures += 1
                guard Self.isRetryable(error), failures < options.attempts else { throw error }
                sleepMilliseconds(min(8000, options.retryDelayMilliseconds << min(failures - 1, 10)))
                let status = try send("GET", url, scope: scope)
                status.discard()
                guard status.status == 204 else { throw failure(status, "upload status of blob \(digest)") }
                if let next = status.headers["Location"] { url = try absolute(next) }
                offset = status.headers["Range"].flatMap(Self.rangeEnd).map { $0 + 1 } ?? 0
            }
        }
        return url
    }

    /// `0-N` (or `bytes=0-N`) → N.
    static func rangeEnd(_ header: String) -> Int64? {
        header.split(separator: "-").last.flatMap { Int64($0) }
    }
}
