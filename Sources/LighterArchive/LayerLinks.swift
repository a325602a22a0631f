#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// An unpacked layer whose files a layer being unpacked may link instead of writing: the blob being
/// unpacked holds byte ranges copied from this layer's blob (`copies`, whole gzip members), and
/// `index` says which files those members hold.
public struct LayerLinkSource: Sendable {
    /// `size` bytes at `offset` of the blob being unpacked are the bytes at `baseOffset` of `index.blob`.
    public struct Copy: Sendable, Equatable {
        public var offset: Int64
        public var baseOffset: Int64
        public var size: Int64

        public init(offset: Int64, baseOffset: Int64, size: Int64) {
            self.offset = offset
            self.baseOffset = baseOffset
            self.size = size
        }
    }

    /// The unpacked layer's snapshot directory.
    public var directory: String
    public var index: LayerIndex
    public var copies: [Copy]

    public init(directory: String, index: LayerIndex, copies: [Copy]) {
        self.directory = directory
        self.index = index
        self.copies = copies
    }
}

/// Finds, for a tar entry of the stream being unpacked, the same file in a source layer.
///
/// An entry qualifies when the gzip member it starts in lies in a copied range, the source's index
/// has a file starting at the same place of the same member, and every member holding that file lies
/// in the same copied range: the entry's bytes (pax headers, header, data) are then the source entry's
/// bytes, which the source snapshot holds as that file. The file found must still be a regular file of
/// the entry's size and time; anything else is written as usual.
final class LayerLinker {
    private struct Source {
        let snapshot: SnapshotDirectory
        let files: [LayerIndex.Key: LayerIndex.File]
        /// Sorted by offset.
        let copies: [LayerLinkSource.Copy]

        /// The copy that holds byte `offset` of the blob being unpacked.
        func copy(holding offset: Int64) -> LayerLinkSource.Copy? {
            var low = 0, high = copies.count
            while low < high {
                let middle = (low + high) / 2
                if copies[middle].offset <= offset { low = middle + 1 } else { high = middle }
            }
            guard low > 0, offset < copies[low - 1].offset + copies[low - 1].size else { return nil }
            return copies[low - 1]
        }
    }

    private let sources: [Source]
    private(set) var linked = 0

    init(_ sources: [LayerLinkSource]) throws(LighterError) {
        var opened: [Source] = []
        for source in sources where !source.copies.isEmpty {
            opened.append(Source(snapshot: try SnapshotDirectory(path: source.directory), files: source.index.byStart,
                                 copies: source.copies.sorted { $0.offset < $1.offset }))
        }
        self.sources = opened
    }

    /// Link `path` (a regular file entry of `size` bytes modified at `modified`, starting at tar position
    /// `position`) from a source into `parent`; false when no source holds it.
    func link(_ path: LayerPath, size: Int64, modified: timespec, at position: Int64, members: [GzipMemberStart],
              into parent: FileDescriptor, entry: String) throws(LighterError) -> Bool {
        guard let holding = members.member(holding: position) else { return false }
        let member = members[holding]
        for source in sources {
            guard let copy = source.copy(holding: member.offset) else { continue }
            let baseMember = copy.baseOffset + (member.offset - copy.offset)
            guard let file = source.files[LayerIndex.Key(member: baseMember, offset: position - member.uncompressedOffset)],
                  file.size == size, file.through <= copy.baseOffset + copy.size,
                  let from = try? source.snapshot.directory(path.parent, create: false, entry: entry) else { continue }
            let name = path.base.cString
            var st = stat()
            guard fstatat(from.rawValue, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  Int64(st.st_size) == size, st.st_mtim.tv_sec == modified.tv_sec, st.st_mtim.tv_nsec == modified.tv_nsec else { continue }
            // flags 0: the name is linked as it is, never followed. A file system that refuses (another
            // device, too many links) gets the file written instead.
            if try syscallTolerating("linkat", entry, [EXDEV, EMLINK, EPERM], { linkat(from.rawValue, name, parent.rawValue, name, 0) }) != nil {
                continue
            }
            linked += 1
            return true
        }
        return false
    }
}
