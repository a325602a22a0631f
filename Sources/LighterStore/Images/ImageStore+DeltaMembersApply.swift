#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterOCI
import LighterSystem
import Synchronization

/// Applying a member-by-member delta (see `ImageStore+DeltaMembers`): BASE's blobs as the delta names
/// them, the target blob written piece by piece, its snapshot unpacked from a pipe meanwhile.
extension ImageStore {
    /// One of BASE's layer blobs as the delta names it: the store's own, or, when this store holds that
    /// layer under another blob (a plain tar from a docker archive), the same blob made again from the
    /// layer's tar by Lighter's layer writer and checked against the digest (in an unlinked file).
    func baseBlob(_ blob: Digest, base: ImageRecord, config: DeltaConfig.Base) throws(LighterError) -> MappedFile {
        if base.layers.contains(where: { $0.blob == blob }) {
            let map = try MappedFile(path: content.path(of: blob), what: "layer \(blob.short)")
            map.willReadSequentially()
            return map
        }
        guard let index = config.blobs?.firstIndex(of: blob), index < config.diffIDs.count,
              let held = base.layers.first(where: { $0.diffID == config.diffIDs[index] }) else {
            throw .malformed(what: "layer delta", reason: "it reads blob \(blob.short), which is not a layer of its base")
        }
        let tar = try deltaTemporaryFile()
        let stream = try LayerStream.decompress(from: try content.open(held.blob), to: tar, limits: limits)
        guard stream.output == held.diffID else {
            throw .digestMismatch(what: "base layer \(held.blob.short) (diff ID)", expected: held.diffID.description, actual: stream.output.description)
        }
        let tarMap = try MappedFile(fd: tar, count: Int(stream.outputSize), writable: false, what: "base layer \(held.blob.short)")
        let file = try deltaTemporaryFile()
        var hasher = SHA256Hasher()
        var size = 0
        let writer = try GzipLayerWriter(level: 1) { (bytes) throws(LighterError) in
            hasher.update(bytes)
            size += bytes.count
            try file.write(bytes)
        }
        try writer.write(tarMap.bytes)
        try writer.finish()
        let made = hasher.finalize()
        guard made == blob else {
            throw .digestMismatch(what: "base layer \(blob.short), made again from this store's tar (not written by Lighter's layer writer?)",
                                  expected: blob.description, actual: made.description)
        }
        return try MappedFile(fd: file, count: size, writable: false, what: "base layer \(blob.short)")
    }

    /// Rebuild the blob of `layer` (a target manifest's layer) from a member-by-member delta against
    /// `base`, and store it only if it has the manifest's digest and size. Meanwhile, when `chainID` is
    /// given, another thread unpacks the blob's bytes as they are written into the layer's snapshot,
    /// checked against the manifest's digest and `diffID`: returns its size.
    func applyMemberDelta(_ entry: DeltaConfig.Layer, pieces: [DeltaConfig.Piece], layer: Descriptor, diffID: Digest, chainID: Digest?,
                          base: ImageRecord, config: DeltaConfig.Base, delta: MappedFile) throws(LighterError) -> Int64? {
        var maps: [Digest: MappedFile] = [:]
        func baseBytes(_ range: DeltaConfig.BlobRange) throws(LighterError) -> UnsafeRawBufferPointer {
            if maps[range.blob] == nil { maps[range.blob] = try baseBlob(range.blob, base: base, config: config) }
            let map = maps[range.blob]!
            guard range.offset >= 0, range.size >= 0, range.offset <= Int64(map.count), range.size <= Int64(map.count) - range.offset else {
                throw .malformed(what: "layer delta", reason: "bytes \(range.offset)+\(range.size) lie outside blob \(range.blob.short)")
            }
            return UnsafeRawBufferPointer(rebasing: map.bytes[Int(range.offset)..<Int(range.offset + range.size)])
        }
        let referenceFile = try deltaTemporaryFile()
        var referenceSize: Int64 = 0
        for range in entry.reference ?? [] {
            let bytes = try baseBytes(range)
            referenceSize += try GzipMembers.inflate(bytes, range: 0..<bytes.count, to: referenceFile,
                                                     limit: limits.maxUncompressedBytes - referenceSize, what: "delta reference")
        }
        let reference = try MappedFile(fd: referenceFile, count: Int(referenceSize), writable: false, what: "delta reference")
        let rebuiltFile = try deltaTemporaryFile()
        let rebuilt = try LayerDelta.apply(delta: delta, reference: reference, to: rebuiltFile, limits: limits)
        let made = try MappedFile(fd: rebuiltFile, count: Int(rebuilt.size), writable: false, what: "rebuilt members")
        let level: Int
        switch try LayerEncoding(parsing: entry.encoding ?? "gzip-1") {
        case let .gzip(chosen): level = chosen
        case .identity: throw .malformed(what: "layer delta", reason: "a member-by-member delta needs a gzip encoding")
        }
        // Each piece as bytes: where a copy's are, and which of the rebuilt bytes the others take.
        var resolved: [ResolvedPiece] = []
        var cursor = 0
        for piece in pieces {
            func next(_ count: Int64) throws(LighterError) -> UnsafeRawBufferPointer {
                guard count >= 0, count <= Int64(made.count - cursor) else {
                    throw .malformed(what: "layer delta", reason: "its pieces take more than the \(made.count) bytes it rebuilds")
                }
                defer { cursor += Int(count) }
                return UnsafeRawBufferPointer(rebasing: made.bytes[cursor..<cursor + Int(count)])
            }
            switch (piece.copy, piece.encode, piece.literal) {
            case let (range?, nil, nil): resolved.append(.copy(try baseBytes(range)))
            case let (nil, count?, nil): resolved.append(.encode(try next(count)))
            case let (nil, nil, count?): resolved.append(.literal(try next(count)))
            default: throw .malformed(what: "layer delta", reason: "a piece must be one of copy, encode or literal")
            }
        }
        guard cursor == made.count else {
            throw .malformed(what: "layer delta", reason: "its pieces leave \(made.count - cursor) of the bytes it rebuilds unused")
        }
        let pieceList = resolved
        guard let chainID else {
            try assembleBlob(pieceList, level: level, layer: layer)
            return nil
        }
        // The blob's bytes also go through a pipe to a second thread that unpacks them (inflate, then
        // files, as a pull unpacks a downloaded blob) while this one writes them.
        var ends: [Int32] = [0, 0]
        try syscall("pipe2") { lighter_pipe(&ends) }
        let reader = FileDescriptor(adopting: ends[0])
        let writer = FileDescriptor(adopting: ends[1])
        _ = fcntl(ends[1], 1031 /* F_SETPIPE_SZ */, 1 << 20)   // fewer wake-ups; the default 64 KiB if refused
        let unpacked = Mutex<Result<Int64, LighterError>?>(nil)
        var assembled: LighterError?
        let snapshots = self.snapshots
        let limits = self.limits
        try Threads.run({
            let result: Result<Int64, LighterError>
            do throws(LighterError) {
                result = .success(try snapshots.create(chainID: chainID, from: reader, expectedDigest: layer.digest, expectedDiffID: diffID,
                                                       limits: limits).size)
            } catch {
                result = .failure(error)
            }
            // Read to the end whatever is left, so the writer never writes into a closed pipe.
            _ = try? reader.readChunks { _ in }
            try? reader.close()
            unpacked.withLock { $0 = result }
        }, alongside: {
            var feeding = true
            do throws(LighterError) {
                try assembleBlob(pieceList, level: level, layer: layer) { bytes in
                    guard feeding else { return }
                    do throws(LighterError) { try writer.write(bytes) } catch { feeding = false }   // the unpacker stopped: its error is reported
                }
            } catch {
                assembled = error
            }
            try? writer.close()
        })
        if let assembled { throw assembled }
        return try unpacked.withLock { $0 }?.get()
    }

    /// Write the pieces one after the other into the content store, as the blob of `layer`; `tee` sees
    /// every byte written.
    private func assembleBlob(_ pieces: [ResolvedPiece], level: Int, layer: Descriptor,
                              tee: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(LighterError) {
        let what = "layer \(layer.digest.short) rebuilt from a delta"
        let encoder = try GzipMemberEncoder(level: level)
        let ingest = try content.beginIngest()
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        func write(_ bytes: UnsafeRawBufferPointer) throws(LighterError) {
            guard size + Int64(bytes.count) <= layer.size else {
                throw .sizeMismatch(what: what, expected: layer.size, actual: size + Int64(bytes.count))
            }
            hasher.update(bytes)
            size += Int64(bytes.count)
            try ingest.fd.write(bytes)
            tee(bytes)
        }
        for piece in pieces {
            switch piece {
            case let .copy(bytes), let .literal(bytes): try write(bytes)
            case let .encode(bytes): try encoder.encode(bytes, to: write)
            }
        }
        try content.commit(ingest, digest: hasher.finalize(), size: size, expected: layer.digest, expectedSize: layer.size, what: what)
    }
}

/// A piece of a blob to rebuild, with its bytes: gzip members copied from a BASE blob, rebuilt bytes to
/// encode as one member, or rebuilt bytes that are a member as they are.
enum ResolvedPiece: @unchecked Sendable {
    case copy(UnsafeRawBufferPointer)
    case encode(UnsafeRawBufferPointer)
    case literal(UnsafeRawBufferPointer)
}
