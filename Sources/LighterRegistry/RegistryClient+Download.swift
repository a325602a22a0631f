#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Dispatch
import LighterOCI
import LighterSystem
import NIOCore

extension RegistryClient {
    /// Download a blob into `partialPath`, resuming what is already there (its bytes are hashed
    /// again, so nothing is trusted), asking for the rest with HTTP Range after a dropped connection,
    /// and retrying with backoff. Returns once the file holds exactly the blob, verified and fsynced;
    /// a file that does not verify is truncated and the error thrown.
    public func downloadBlob(repository: String, descriptor: Descriptor, to partialPath: String,
                             progress: @Sendable (Int64) -> Void = { _ in }) async throws(LighterError) {
        let fd = try LighterSystem.FileDescriptor(path: partialPath, flags: O_RDWR | O_CREAT, mode: 0o600)
        var hasher = SHA256Hasher()
        var offset = try Self.rehash(fd, into: &hasher, limit: descriptor.size)
        progress(offset)
        var attempt = 0
        var restartedOnce = false
        while true {
            if offset == descriptor.size {
                let digest = hasher.finalize()
                if digest == descriptor.digest {
                    try await Self.offloaded { () throws(LighterError) in try fd.sync() }
                    return
                }
                try fd.truncate(to: 0)
                try fd.seek(to: 0)
                // A resumed file may have held bytes that were never the blob (power loss): start over once.
                if !restartedOnce && attempt < options.attempts {
                    restartedOnce = true
                    hasher = SHA256Hasher()
                    offset = 0
                    progress(0)
                    continue
                }
                throw .digestMismatch(what: "blob from \(registry)/\(repository)", expected: descriptor.digest.description, actual: digest.description)
            }
            attempt += 1
            do throws(LighterError) {
                try await fetchRange(repository: repository, descriptor: descriptor, fd: fd, hasher: &hasher, offset: &offset, progress: progress)
            } catch {
                guard Self.isRetryable(error), attempt < options.attempts else { throw error }
                let delay = min(8000, options.retryDelayMilliseconds << min(attempt - 1, 10))
                try? await Task.sleep(for: .milliseconds(delay))
            }
        }
    }

    /// One GET of the blob from `offset` on, appending to `fd` through the hasher.
    private func fetchRange(repository: String, descriptor: Descriptor, fd: LighterSystem.FileDescriptor, hasher: inout SHA256Hasher,
                            offset: inout Int64, progress: @Sendable (Int64) -> Void) async throws(LighterError) {
        let headers = offset > 0 ? [("Range", "bytes=\(offset)-")] : []
        let response = try await send(.GET, "/v2/\(repository)/blobs/\(descriptor.digest)", scope: Self.scope(repository),
                                      headers: headers, timeout: .hours(24))
        switch response.status {
        case .partialContent where offset > 0 && response.headers.first(name: "Content-Range").flatMap(Self.rangeStart) == offset:
            break   // the rest of the blob, appended to what we have
        case .ok:
            // The whole blob (the server ignored Range, or we asked from zero).
            try Self.reset(fd, &hasher, &offset)
            progress(0)
        case .partialContent:
            _ = try? await response.body.collect(upTo: 0)
            try Self.reset(fd, &hasher, &offset)
            throw .registry(host: registry, message: "blob \(descriptor.digest): range answer did not start at the requested offset; starting over")
        case .rangeNotSatisfiable:
            try Self.reset(fd, &hasher, &offset)
            throw .registry(host: registry, message: "blob \(descriptor.digest): range not satisfiable; starting over")
        case .notFound:
            throw .notFound(kind: "blob", name: "\(registry)/\(repository)@\(descriptor.digest)")
        default:
            throw await failure(response, "blob \(descriptor.digest)")
        }
        do {
            for try await buffer in response.body {
                let count = Int64(buffer.readableBytes)
                guard offset + count <= descriptor.size else {
                    throw LighterError.sizeMismatch(what: "blob \(descriptor.digest) from \(registry)/\(repository)", expected: descriptor.size, actual: offset + count)
                }
                try buffer.withUnsafeReadableBytes { (raw) throws(LighterError) in
                    hasher.update(raw)
                    try fd.write(raw)
                }
                offset += count
                progress(offset)
            }
        } catch let error as LighterError {
            if case .sizeMismatch = error { try fd.truncate(to: 0) }
            throw error
        } catch {
            throw mapTransport(error, url: "blob \(descriptor.digest)")
        }
        if offset < descriptor.size {
            throw .registry(host: registry, message: "blob \(descriptor.digest): connection ended after \(offset) of \(descriptor.size) bytes")
        }
    }

    /// Run blocking work (fsync) on a Dispatch thread, not on the cooperative pool the downloads share.
    static func offloaded(_ work: @escaping @Sendable () throws(LighterError) -> Void) async throws(LighterError) {
        let result: Result<Void, LighterError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(LighterError) {
                    try work()
                    continuation.resume(returning: .success(()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        try result.get()
    }

    static func reset(_ fd: LighterSystem.FileDescriptor, _ hasher: inout SHA256Hasher, _ offset: inout Int64) throws(LighterError) {
        try fd.truncate(to: 0)
        try fd.seek(to: 0)
        hasher = SHA256Hasher()
        offset = 0
    }

    /// Hash what a partial file already holds (at most `limit` bytes; more means it is not this blob).
    static func rehash(_ fd: LighterSystem.FileDescriptor, into hasher: inout SHA256Hasher, limit: Int64) throws(LighterError) -> Int64 {
        let size = Int64(try fd.stat().st_size)
        if size > limit {
            try fd.truncate(to: 0)
            return 0
        }
        var total: Int64 = 0
        while true {
            let chunk = try fd.read(upTo: 1 << 20)
            if chunk.isEmpty { break }
            hasher.update(chunk)
            total += Int64(chunk.count)
        }
        return total
    }

    /// `bytes START-END/TOTAL` → START.
    static func rangeStart(_ header: String) -> Int64? {
        guard header.hasPrefix("bytes ") else { return nil }
        let spec = header.dropFirst("bytes ".count)
        return spec.split(separator: "-").first.flatMap { Int64($0) }
    }

    /// Run a small request again after network trouble, with the same backoff as blob downloads.
    public func retrying<T: Sendable>(_ body: () async throws(LighterError) -> T) async throws(LighterError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do throws(LighterError) {
                return try await body()
            } catch {
                guard hasAnswered, Self.isRetryable(error), attempt < options.attempts else { throw error }
                try? await Task.sleep(for: .milliseconds(min(8000, options.retryDelayMilliseconds << min(attempt - 1, 10))))
            }
        }
    }

    /// Network trouble and server hiccups are retried; verification failures and refusals are not.
    static func isRetryable(_ error: LighterError) -> Bool {
        switch error {
        case let .registry(_, message): return !message.contains("denied") && !message.contains("authentication required")
        default: return false
        }
    }
}
