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
        try withExtendedLifetime(tarMap) { () throws(LighterError) in try writer.write(tarMap.bytes) }
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
    /// checked against the manifest's digest and `diffID`: returns its size, and how many of its files
    /// were hard-linked from BASE's snapshots (see `LayerLinker`) rather than written.
    func applyMemberDelta(_ entry: DeltaConfig.Layer, pieces: [DeltaConfig.Piece], layer: Descriptor, diffID: Digest, chainID: Digest?,
                          base: ImageRecord, config: DeltaConfig.Base, delta: MappedFile) throws(LighterError) -> (size: Int64, linkedFiles: Int)? {
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
        let (pieceList, encoded) = try encodeChanged(resolved, level: level)
        // The pieces point into these mappings: they must live until the blob is written.
        defer { withExtendedLifetime((maps, reference, made, encoded)) {} }
        guard let chainID else {
            try assembleBlob(pieceList, layer: layer)
            return nil
        }
        let sources = linkSources(pieceList, pieces: pieces, base: base)
        if let layout = tarLayout(pieceList, pieces: pieces, indexes: sources.indexes, blob: layer.digest) {
            // BASE's members and the rebuilt tar are known: a third thread writes the blob, while
            // this one inflates the copied members and hands the tar to the unpacking thread.
            return try unpackFromPipe(chainID: chainID, expectedDigest: diffID, diffID: diffID, links: sources.links, layout: layout) { (write) throws(LighterError) in
                let blob = Mutex<LighterError?>(nil)
                let layer = layer
                try Threads.run({
                    do throws(LighterError) { try self.assembleBlob(pieceList, layer: layer) } catch { blob.withLock { $0 = error } }
                }, alongside: {
                    do throws(LighterError) { try Self.writeTar(pieceList, limit: limits.maxUncompressedBytes, to: write) } catch { blob.withLock { $0 = $0 ?? error } }
                })
                if let error = blob.withLock({ $0 }) { throw error }
            }
        }
        // Else the blob's bytes also go through a pipe to a second thread that unpacks them (inflate,
        // then files, as a pull unpacks a downloaded blob) while this one writes them.
        return try unpackFromPipe(chainID: chainID, expectedDigest: layer.digest, diffID: diffID, links: sources.links, layout: nil) { (write) throws(LighterError) in
            try assembleBlob(pieceList, layer: layer, tee: write)
        }
    }

    /// The pieces with each `encode` piece made a gzip member (all of them into one temporary file,
    /// first): every piece is then bytes, and where each lies in the blob is known before it is written.
    private func encodeChanged(_ pieces: [ResolvedPiece], level: Int) throws(LighterError) -> (pieces: [ResolvedPiece], map: MappedFile?) {
        guard pieces.contains(where: { if case .encode = $0 { true } else { false } }) else { return (pieces, nil) }
        let encoder = try GzipMemberEncoder(level: level)
        let file = try deltaTemporaryFile()
        var spans: [Range<Int>] = []
        var size = 0
        for case let .encode(bytes) in pieces {
            let start = size
            try encoder.encode(bytes) { (chunk) throws(LighterError) in
                try file.write(chunk)
                size += chunk.count
            }
            spans.append(start..<size)
        }
        let map = try MappedFile(fd: file, count: size, writable: false, what: "re-made members")
        var encoded = spans.makeIterator()
        return (pieces.map { piece in
            guard case .encode = piece, let span = encoded.next() else { return piece }
            return .encoded(member: UnsafeRawBufferPointer(rebasing: map.bytes[span]), tar: piece.bytes)
        }, map)
    }

    /// The BASE snapshots whose files the target layer may link: one per BASE layer blob the pieces
    /// copy from whose snapshot has an index of that blob, with where those copies lie in the target blob.
    private func linkSources(_ resolved: [ResolvedPiece], pieces: [DeltaConfig.Piece], base: ImageRecord)
        -> (links: [LayerLinkSource], indexes: [Digest: LayerIndex]) {
        let chainIDs = Digest.chainIDs(of: base.layers.map(\.diffID))
        var copies: [Digest: [LayerLinkSource.Copy]] = [:]
        var offset: Int64 = 0
        for (piece, made) in zip(pieces, resolved) {
            if let range = piece.copy {
                copies[range.blob, default: []].append(LayerLinkSource.Copy(offset: offset, baseOffset: range.offset, size: range.size))
            }
            offset += Int64(made.bytes.count)
        }
        var links: [LayerLinkSource] = []
        var indexes: [Digest: LayerIndex] = [:]
        for (blob, copies) in copies {
            guard let layer = base.layers.firstIndex(where: { $0.blob == blob }),
                  let index = snapshots.index(of: chainIDs[layer]), index.blob == blob else { continue }
            links.append(LayerLinkSource(directory: snapshots.path(of: chainIDs[layer]), index: index, copies: copies))
            indexes[blob] = index
        }
        return (links, indexes)
    }

    /// Write the pieces one after the other into the content store, as the blob of `layer`; `tee` sees
    /// every byte written.
    private func assembleBlob(_ pieces: [ResolvedPiece], layer: Descriptor,
                              tee: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(LighterError) {
        let what = "layer \(layer.digest.short) rebuilt from a delta"
        let ingest = try content.beginIngest()
        var hasher = SHA256Hasher()
        var size: Int64 = 0
        for piece in pieces {
            let bytes = piece.bytes
            guard size + Int64(bytes.count) <= layer.size else {
                throw .sizeMismatch(what: what, expected: layer.size, actual: size + Int64(bytes.count))
            }
            hasher.update(bytes)
            size += Int64(bytes.count)
            try ingest.fd.write(bytes)
            tee(bytes)
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
    /// An `encode` piece once encoded: the member, and the tar bytes it holds.
    case encoded(member: UnsafeRawBufferPointer, tar: UnsafeRawBufferPointer)

    /// The bytes (for `encode`, the bytes still to encode).
    var bytes: UnsafeRawBufferPointer {
        switch self {
        case let .copy(bytes), let .encode(bytes), let .literal(bytes), let .encoded(bytes, _): bytes
        }
    }
}
