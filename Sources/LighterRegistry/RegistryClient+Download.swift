#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterHTTP
import LighterOCI
import LighterSystem

extension RegistryClient {
    /// Download a blob into `partialPath`, resuming what is already there (its bytes are hashed
    /// again, so nothing is trusted), asking for the rest with HTTP Range after a dropped connection,
    /// and retrying with backoff. Returns once the file holds exactly the blob, verified and fsynced;
    /// a file that does not verify is truncated and the error thrown. Runs on a thread of its own.
    public func downloadBlob(repository: String, descriptor: Descriptor, to partialPath: String,
                             progress: @escaping @Sendable (Int64) -> Void = { _ in }) async throws(LighterError) {
        try await onThread { () throws(LighterError) in
            try self.downloadBlobSync(repository: repository, descriptor: descriptor, to: partialPath, progress: progress)
        }
    }

    public func downloadBlobSync(repository: String, descriptor: Descriptor, to partialPath: String,
                                 progress: (Int64) -> Void = { _ in }) throws(LighterError) {
        let fd = try FileDescriptor(path: partialPath, flags: O_RDWR | O_CREAT, mode: 0o600)
        var hasher = SHA256Hasher()
        var offset = try Self.rehash(fd, into: &hasher, limit: descriptor.size)
        progress(offset)
        var attempt = 0
        var restartedOnce = false
        while true {
            if offset == descriptor.size {
                let digest = hasher.finalize()
                if digest == descriptor.digest {
                    try fd.sync()
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
                try fetchRange(repository: repository, descriptor: descriptor, fd: fd, hasher: &hasher, offset: &offset, progress: progress)
            } catch {
                guard Self.isRetryable(error), attempt < options.attempts else { throw error }
                sleepMilliseconds(min(8000, options.retryDelayMilliseconds << min(attempt - 1, 10)))
            }
        }
    }

    /// One GET of the blob from `offset` on, appending to `fd` through the hasher as the bytes arrive.
    private func fetchRange(repository: String, descriptor: Descriptor, fd: FileDescriptor, hasher: inout SHA256Hasher,
                            offset: inout Int64, progress: (Int64) -> Void) throws(LighterError) {
        let headers = offset > 0 ? [("Range", "bytes=\(offset)-")] : []
        let response = try send("GET", "/v2/\(repository)/blobs/\(descriptor.digest)", scope: Self.scope(repository), headers: headers)
        switch response.status {
        case 206 where offset > 0 && response.headers["Content-Range"].flatMap(Self.rangeStart) == offset:
            break   // the rest of the blob, appended to what we have
        case 200:
            // The whole blob (the server ignored Range, or we asked from zero).
            try Self.reset(fd, &hasher, &offset)
            progress(0)
        case 206:
            response.discard()
            try Self.reset(fd, &hasher, &offset)
            throw .registry(host: registry, message: "blob \(descriptor.digest): range answer did not start at the requested offset; starting over")
        case 416:
            response.discard()
            try Self.reset(fd, &hasher, &offset)
            throw .registry(host: registry, message: "blob \(descriptor.digest): range not satisfiable; starting over")
        case 404:
            response.discard()
            throw .notFound(kind: "blob", name: "\(registry)/\(repository)@\(descriptor.digest)")
        default:
            throw failure(response, "blob \(descriptor.digest)")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do throws(LighterError) {
                count = try response.read(into: buffer)
            } catch {
                throw mapTransport(error)
            }
            if count == 0 { break }
            guard offset + Int64(count) <= descriptor.size else {
                try fd.truncate(to: 0)
                throw .sizeMismatch(what: "blob \(descriptor.digest) from \(registry)/\(repository)", expected: descriptor.size, actual: offset + Int64(count))
            }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            hasher.update(bytes)
            try fd.write(bytes)
            offset += Int64(count)
            progress(offset)
        }
        if offset < descriptor.size {
            throw .registry(host: registry, message: "blob \(descriptor.digest): connection ended after \(offset) of \(descriptor.size) bytes")
        }
    }

    static func reset(_ fd: FileDescriptor, _ hasher: inout SHA256Hasher, _ offset: inout Int64) throws(LighterError) {
        try fd.truncate(to: 0)
        try fd.seek(to: 0)
        hasher = SHA256Hasher()
        offset = 0
    }

    /// Hash what a partial file already holds (at most `limit` bytes; more means it is not this blob).
    static func rehash(_ fd: FileDescriptor, into hasher: inout SHA256Hasher, limit: Int64) throws(LighterError) -> Int64 {
        let size = Int64(try fd.stat().st_size)
        if size > limit {
            try fd.truncate(to: 0)
            return 0
        }
        return try fd.readChunks { hasher.update($0) }
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
