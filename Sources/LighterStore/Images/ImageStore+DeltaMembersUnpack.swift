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

/// Unpacking the layer a member-by-member delta rebuilds (see `ImageStore+DeltaMembersApply`): on a
/// thread of its own, from a pipe that carries either the rebuilt blob or, when BASE's snapshots say
/// where their gzip members lie, the blob's tar made straight from the pieces.
extension ImageStore {
    /// Where the members of the blob that `pieces` make lie, in the blob and in its tar, when every
    /// piece is a copy of whole members of a BASE blob whose index lists them, or a re-made member:
    /// then the tar is the copied members inflated and the re-made members' bytes, with no need to
    /// inflate the blob itself. nil otherwise (a literal piece, a base without an index).
    func tarLayout(_ pieces: [ResolvedPiece], pieces described: [DeltaConfig.Piece], indexes: [Digest: LayerIndex],
                   blob: Digest) -> GzipLayout? {
        var members: [GzipMemberStart] = []
        var offset: Int64 = 0
        var tarOffset: Int64 = 0
        for (piece, description) in zip(pieces, described) {
            switch piece {
            case .copy(let bytes):
                guard let range = description.copy, let index = indexes[range.blob],
                      let tar = index.tarRange(ofMembers: range.offset..<range.offset + range.size) else { return nil }
                for member in index.members where member.offset >= range.offset && member.offset < range.offset + range.size {
                    members.append(GzipMemberStart(offset: offset + member.offset - range.offset,
                                                   uncompressedOffset: tarOffset + member.uncompressedOffset - tar.lowerBound))
                }
                offset += Int64(bytes.count)
                tarOffset += Int64(tar.count)
            case let .encoded(member, tar):
                members.append(GzipMemberStart(offset: offset, uncompressedOffset: tarOffset))
                offset += Int64(member.count)
                tarOffset += Int64(tar.count)
            case .encode, .literal:
                return nil
            }
        }
        guard tarOffset <= limits.maxUncompressedBytes else { return nil }
        return GzipLayout(blob: blob, members: members, gzipEnd: offset)
    }

    /// The tar of the blob `pieces` make, in order, to `write`: copied members inflated, re-made members' bytes as they are.
    static func writeTar(_ pieces: [ResolvedPiece], limit: Int64, to write: (UnsafeRawBufferPointer) -> Void) throws(LighterError) {
        var total: Int64 = 0
        for piece in pieces {
            switch piece {
            case .copy(let bytes):
                total += try GzipMembers.inflate(bytes, range: 0..<bytes.count, limit: limit - total, what: "copied members") { write($0) }
            case .encoded(_, let tar):
                write(tar)
                total += Int64(tar.count)
            case .encode, .literal:
                throw .malformed(what: "layer delta", reason: "a piece to encode or a literal member has no tar bytes yet")
            }
        }
    }

    /// Unpack `chainID` on a new thread from a pipe into which `feed`, on this one, writes the blob
    /// (`expectedDigest` its digest) or the tar (`expectedDigest` the diff ID, with its blob's `layout`).
    /// Returns the snapshot's size and how many files were linked from `links`.
    func unpackFromPipe(chainID: Digest, expectedDigest: Digest, diffID: Digest, links: [LayerLinkSource], layout: GzipLayout?,
                        feed: (_ write: (UnsafeRawBufferPointer) -> Void) throws(LighterError) -> Void) throws(LighterError) -> (size: Int64, linkedFiles: Int) {
        var ends: [Int32] = [0, 0]
        try syscall("pipe2") { lighter_pipe(&ends) }
        let reader = FileDescriptor(adopting: ends[0])
        let writer = FileDescriptor(adopting: ends[1])
        _ = fcntl(ends[1], 1031 /* F_SETPIPE_SZ */, 1 << 20)   // fewer wake-ups; the default 64 KiB if refused
        let unpacked = Mutex<Result<(size: Int64, linkedFiles: Int), LighterError>?>(nil)
        var fed: LighterError?
        let snapshots = self.snapshots
        let limits = self.limits
        try Threads.run({
            let result: Result<(size: Int64, linkedFiles: Int), LighterError>
            do throws(LighterError) {
                let made = try snapshots.create(chainID: chainID, from: reader, expectedDigest: expectedDigest, expectedDiffID: diffID,
                                                limits: limits, links: links, layout: layout)
                result = .success((made.size, made.layer.linkedFiles))
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
                try feed { bytes in
                    guard feeding else { return }
                    do throws(LighterError) { try writer.write(bytes) } catch { feeding = false }   // the unpacker stopped: its error is reported
                }
            } catch {
                fed = error
            }
            try? writer.close()
        })
        if let fed { throw fed }
        guard let result = unpacked.withLock({ $0 }) else {
            throw .malformed(what: "layer \(chainID.short)", reason: "its unpacking thread reported nothing")
        }
        return try result.get()
    }
}
