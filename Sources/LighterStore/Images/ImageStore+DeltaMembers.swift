#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem

/// A gzip layer blob split into its members, with its tar (checked against the diff ID) in an unlinked
/// file and the names of the tar entries whose headers each member holds.
struct SplitLayer {
    let blob: Digest
    let blobBytes: MappedFile
    let tar: MappedFile
    let members: [GzipMember]
    let names: [Set<String>]

    func memberBytes(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: blobBytes.bytes[members[index].offset..<members[index].offset + members[index].size])
    }

    func memberTar(_ index: Int) -> UnsafeRawBufferPointer {
        let start = Int(members[index].uncompressedOffset)
        return UnsafeRawBufferPointer(rebasing: tar.bytes[start..<start + Int(members[index].uncompressedSize)])
    }
}

/// Delta updates of gzip layers member by member (`DeltaConfig.Layer.pieces`): the members of the
/// target's blob that BASE's blobs hold byte for byte are copied from them; the others are rebuilt by
/// the delta — against only the BASE members that hold the same paths — and gzip-encoded again. A
/// layer Lighter wrote (`GzipLayerWriter`) changes only the members its changed files are in, so a
/// board re-makes a few MiB instead of re-encoding the whole layer.
extension ImageStore {
    /// True when a stored blob starts as gzip does.
    func isGzipBlob(_ digest: Digest) throws(LighterError) -> Bool {
        Compression.detect(try content.open(digest).read(upTo: 4)) == .gzip
    }

    /// Split a layer blob held by the store (`nil` when it is not gzip).
    func splitLayer(_ blob: Digest, diffID: Digest) throws(LighterError) -> SplitLayer? {
        let blobBytes = try MappedFile(path: content.path(of: blob), what: "layer \(blob.short)")
        guard Compression.detect(Array(blobBytes.bytes.prefix(4))) == .gzip else { return nil }
        let file = try deltaTemporaryFile()
        let split = try GzipMembers.split(blobBytes.bytes, to: file, limits: limits, what: "layer \(blob.short)")
        guard split.digest == diffID else {
            throw .digestMismatch(what: "layer \(blob.short) (diff ID)", expected: diffID.description, actual: split.digest.description)
        }
        let tar = try MappedFile(fd: file, count: Int(split.size), writable: false, what: "layer \(blob.short)")
        var names = [Set<String>](repeating: [], count: split.members.count)
        var member = 0
        for entry in TarHeaders.entries(of: tar.bytes) {
            while member + 1 < split.members.count && split.members[member + 1].uncompressedOffset <= entry.offset { member += 1 }
            names[member].insert(entry.name)
        }
        return SplitLayer(blob: blob, blobBytes: blobBytes, tar: tar, members: split.members, names: names)
    }

    /// The delta of one gzip target layer against BASE's split layers, written to `path`: the layer's
    /// entry of the delta config, or nil when nothing can be copied or re-made (fetched whole).
    func memberDelta(target: LayerRecord, base: [SplitLayer], to path: String,
                     level: Int32) throws(LighterError) -> (layer: DeltaConfig.Layer, descriptor: Descriptor)? {
        guard let split = try splitLayer(target.blob, diffID: target.diffID) else { return nil }
        var held: [Digest: (layer: Int, member: Int)] = [:]
        var holders: [String: [(layer: Int, member: Int)]] = [:]
        for (l, layer) in base.enumerated() {
            for m in layer.members.indices {
                let digest = Digest.of(buffer: layer.memberBytes(m))
                if held[digest] == nil { held[digest] = (l, m) }
                for name in layer.names[m] { holders[name, default: []].append((l, m)) }
            }
        }
        var pieces: [DeltaConfig.Piece] = []
        var rebuilt: [UnsafeRawBufferPointer] = []
        var referenced = Set<Int64>()   // layer << 32 | member
        var encodeLevel: Int?
        for m in split.members.indices {
            let bytes = split.memberBytes(m)
            if let (l, b) = held[Digest.of(buffer: bytes)] {
                let member = base[l].members[b]
                let range = DeltaConfig.BlobRange(blob: base[l].blob, offset: Int64(member.offset), size: Int64(member.size))
                if let last = pieces.last?.copy, last.blob == range.blob, last.offset + last.size == range.offset {
                    pieces[pieces.count - 1].copy!.size += range.size
                } else {
                    pieces.append(DeltaConfig.Piece(copy: range))
                }
                continue
            }
            let tar = split.memberTar(m)
            // The level is found on the first member that needs one; the others are checked at it.
            let reproduced: Bool
            if let level = encodeLevel {
                reproduced = GzipMembers.reproduces(bytes, from: tar, level: level)
            } else {
                encodeLevel = [1, 6, 9, 2, 3, 4, 5, 7, 8].first { GzipMembers.reproduces(bytes, from: tar, level: $0) }
                reproduced = encodeLevel != nil
            }
            if reproduced {
                pieces.append(DeltaConfig.Piece(encode: Int64(tar.count)))
                rebuilt.append(tar)
            } else {
                pieces.append(DeltaConfig.Piece(literal: Int64(bytes.count)))
                rebuilt.append(bytes)
            }
            for name in split.names[m] {
                for (l, b) in holders[name] ?? [] { referenced.insert(Int64(l) << 32 | Int64(b)) }
            }
        }
        guard pieces.contains(where: { $0.literal == nil }) else { return nil }

        // The reference: the BASE members holding the changed members' paths, in BASE's order.
        var reference: [DeltaConfig.BlobRange] = []
        let referenceFile = try deltaTemporaryFile()
        for key in referenced.sorted() {
            let layer = base[Int(key >> 32)]
            let member = layer.members[Int(key & 0xffff_ffff)]
            try referenceFile.write(layer.memberTar(Int(key & 0xffff_ffff)))
            if let last = reference.last, last.blob == layer.blob, last.offset + last.size == Int64(member.offset) {
                reference[reference.count - 1].size += Int64(member.size)
            } else {
                reference.append(DeltaConfig.BlobRange(blob: layer.blob, offset: Int64(member.offset), size: Int64(member.size)))
            }
        }
        let targetFile = try deltaTemporaryFile()
        for bytes in rebuilt { try targetFile.write(bytes) }
        let referenceMap = try MappedFile(fd: referenceFile, count: Int(try referenceFile.stat().st_size), writable: false, what: "delta reference")
        let targetMap = try MappedFile(fd: targetFile, count: Int(try targetFile.stat().st_size), writable: false, what: "rebuilt members")
        let output = try FileDescriptor(path: path, flags: O_RDWR | O_CREAT | O_TRUNC, mode: 0o644)
        let size = try LayerDelta.create(target: targetMap, reference: referenceMap, to: output, level: level)
        try output.seek(to: 0)
        var hasher = SHA256Hasher()
        _ = try output.readChunks { hasher.update($0) }
        let digest = hasher.finalize()
        let layer = DeltaConfig.Layer(digest: target.blob, size: target.blobSize, mediaType: target.mediaType, diffID: target.diffID,
                                      delta: digest, encoding: LayerEncoding.gzip(level: encodeLevel ?? 1).description,
                                      reference: reference, pieces: pieces)
        return (layer, Descriptor(mediaType: DeltaArtifact.layerMediaType, digest: digest, size: size))
    }
}
