#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import CLighter
import LighterSystem

/// The tar half of `LayerApplier`: a libarchive tar reader over the decompressed stream, and the entries it
/// yields turned into files beneath the snapshot root.
final class LayerUnpacker {
    let snapshot: SnapshotDirectory
    let stream: UncompressedStream
    private let tar: ArchiveReadHandle
    /// Directory times are set after everything inside them exists.
    private(set) var directoryTimes: [LayerPath: (timespec, timespec)] = [:]
    /// Where each entry started, for the snapshot's `LayerIndex`.
    private(set) var recorder = LayerIndexRecorder()
    /// The end-of-archive position of the tar stream, once read.
    private(set) var end: Int64 = 0
    /// Files to link from other snapshots rather than write.
    let linker: LayerLinker?
    private var position: Int64 = 0
    /// The gzip members of the blob the tar came from, when the stream is that tar (a delta's).
    private let members: [GzipMemberStart]?

    init(snapshot: SnapshotDirectory, stream: UncompressedStream, linker: LayerLinker? = nil,
         members: [GzipMemberStart]? = nil) throws(LighterError) {
        self.snapshot = snapshot
        self.stream = stream
        self.linker = linker
        self.members = members
        tar = try ArchiveReadHandle(format: .tar, compression: .none, what: "layer")
        if !stream.isEmpty { try stream.open(tar.archive) }
    }

    /// The error behind a failed libarchive call: ours (limit, read error) first, else libarchive's message.
    func failure() -> LighterError {
        stream.failure ?? ArchiveError.from(tar.archive, what: "layer")
    }

    func unpackAll() throws(LighterError) {
        if stream.isEmpty { return }
        while true {
            var header: OpaquePointer?
            let status = archive_read_next_header(tar.archive, &header)
            position = archive_read_header_position(tar.archive)
            if status == ARCHIVE_EOF {
                end = position
                return
            }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let header else { throw failure() }
            let entry = try LayerEntry(header)
            recorder.entry(at: position, path: entry.path, fileSize: entry.kind == .file ? entry.size : nil)
            try unpack(entry)
        }
    }

    private func unpack(_ entry: LayerEntry) throws(LighterError) {
        for (name, _) in entry.xattrs where name.hasPrefix("trusted.overlay.") {
            throw .unsafeArchive(entry: entry.name, reason: "xattr \(name) is reserved for the overlay filesystem")
        }
        let path = entry.path
        if path.isRoot {
            guard entry.kind == .directory else {
                throw .unsafeArchive(entry: entry.name, reason: "would replace the layer root with a non-directory")
            }
            try setMetadata(of: snapshot.root, entry)
            directoryTimes[path] = (entry.accessTime, entry.modificationTime)
            return
        }
        // AUFS metadata (.wh..wh.plnk, .wh..wh.aufs) means nothing to overlayfs; Docker skips it too.
        if path.components.contains(where: { $0.hasPrefix(".wh..wh.") && !$0.isEqual(to: ".wh..wh..opq") }) { return }
        if path.base.isEqual(to: ".wh..wh..opq") {
            let directory = try snapshot.directory(path.parent, create: true, entry: entry.name)
            try setXattr("trusted.overlay.opaque", Array("y".utf8), fd: directory, entry: entry.name, tolerant: false)
            return
        }
        if path.base.hasPrefix(".wh.") { return try whiteout(entry) }

        let parent = try snapshot.directory(path.parent, create: true, entry: entry.name)
        let base = path.base
        let cBase = base.cString
        if let existing = try snapshot.existing(base, in: parent) {
            let isDirectory = (existing.st_mode & S_IFMT) == S_IFDIR
            if isDirectory && entry.kind == .directory {
                // A directory over a directory only updates its metadata.
                let fd = try snapshot.open(LayerPath(components: [base]), in: parent,
                                           flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, entry: entry.name)
                try setMetadata(of: fd, entry)
                directoryTimes[path] = (entry.accessTime, entry.modificationTime)
                return
            }
            if case .hardlink(let target) = entry.kind, (try? LayerPath(member: target, entry: entry.name)) == path {
                throw .unsafeArchive(entry: entry.name, reason: "hardlink to itself")
            }
            try replace(base, in: parent, at: path, isDirectory: isDirectory, entry: entry)
        }
        switch entry.kind {
        case .file:
            if try linker?.link(path, size: entry.size, modified: entry.modificationTime, at: position, members: members ?? stream.members, into: parent, entry: entry.name) == true {
                // The data is read past (and hashed) all the same.
                guard archive_read_data_skip(tar.archive) == ARCHIVE_OK else { throw failure() }
                return
            }
            try createFile(entry, base: base, in: parent)
        case .directory:
            try syscall("mkdirat", entry.name) { mkdirat(parent.rawValue, cBase, 0o700) }
            let fd = try snapshot.open(LayerPath(components: [base]), in: parent,
                                       flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, entry: entry.name)
            try setMetadata(of: fd, entry)
            directoryTimes[path] = (entry.accessTime, entry.modificationTime)
        case .symlink(let target):
            try path.checkSymlinkTarget(target, entry: entry.name)
            let cTarget = RawName(target).cString
            try syscall("symlinkat", entry.name) { symlinkat(cTarget, parent.rawValue, cBase) }
            try setMetadata(of: base, in: parent, entry, isSymlink: true)
        case .hardlink(let target):
            try createHardlink(entry, target: target, base: base, in: parent)
        case .characterDevice, .blockDevice, .fifo:
            let type: mode_t = entry.kind == .fifo ? S_IFIFO : entry.kind == .blockDevice ? S_IFBLK : S_IFCHR
            let device: dev_t = entry.kind == .fifo ? 0 : entry.device
            try syscall("mknodat", entry.name) { mknodat(parent.rawValue, cBase, type | 0o600, device) }
            try setMetadata(of: base, in: parent, entry, isSymlink: false)
        }
    }

    /// Remove what an entry replaces; a directory goes with its contents and its pending times.
    private func replace(_ base: RawName, in parent: FileDescriptor, at path: LayerPath, isDirectory: Bool,
                         entry: LayerEntry) throws(LighterError) {
        try snapshot.remove(base, in: parent, isDirectory: isDirectory, entry: entry.name)
        if isDirectory {
            directoryTimes = directoryTimes.filter { !$0.key.isSame(orBeneath: path) }
        }
    }

    /// `.wh.NAME` becomes the overlayfs whiteout for NAME: a 0/0 character device.
    private func whiteout(_ entry: LayerEntry) throws(LighterError) {
        let name = entry.path.base.dropFirst(4)
        guard !name.isEmpty, !name.isEqual(to: "."), !name.isEqual(to: "..") else {
            throw .unsafeArchive(entry: entry.name, reason: "whiteout of \"\(name.text)\" names no file in the directory")
        }
        let target = entry.path.parent.appending(name)
        let cName = name.cString
        let parent = try snapshot.directory(entry.path.parent, create: true, entry: entry.name)
        if let existing = try snapshot.existing(name, in: parent) {
            try replace(name, in: parent, at: target, isDirectory: (existing.st_mode & S_IFMT) == S_IFDIR, entry: entry)
        }
        try syscall("mknodat", entry.name) { mknodat(parent.rawValue, cName, S_IFCHR, 0) }
    }

    private func createFile(_ entry: LayerEntry, base: RawName, in parent: FileDescriptor) throws(LighterError) {
        let fd = try snapshot.open(LayerPath(components: [base]), in: parent, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600,
                                   entry: entry.name)
        var end: Int64 = 0
        while true {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            let status = archive_read_data_block(tar.archive, &block, &size, &offset)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw failure() }
            if size > 0, let block {
                try writeAll(fd, UnsafeRawBufferPointer(start: block, count: size), at: offset, entry: entry.name)
            }
            end = max(end, offset + Int64(size))
        }
        // A sparse file may end in a hole.
        if entry.size > end { try fd.truncate(to: entry.size) }
        try setMetadata(of: fd, entry)
        try fd.close()
    }

    private func writeAll(_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer, at offset: Int64,
                          entry: String) throws(LighterError) {
        var done = 0
        while done < bytes.count {
            let n = try syscall("pwrite", entry) {
                pwrite(fd.rawValue, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            }
            done += n
        }
    }

    private func createHardlink(_ entry: LayerEntry, target raw: [UInt8], base: RawName,
                                in parent: FileDescriptor) throws(LighterError) {
        let name = String(decoding: raw, as: UTF8.self)
        let target = try LayerPath(member: raw, entry: entry.name, what: "hardlink target \"\(name)\"")
        guard !target.isRoot else {
            throw .unsafeArchive(entry: entry.name, reason: "hardlink to the layer root")
        }
        let missing = LighterError.unsafeArchive(entry: entry.name,
                                                 reason: "hardlink target \"\(name)\" does not exist in the layer")
        let targetParent: FileDescriptor
        do {
            targetParent = try snapshot.directory(target.parent, create: false, entry: entry.name)
        } catch .system(call: _, path: _, errno: ENOENT) {
            throw missing
        }
        guard let existing = try snapshot.existing(target.base, in: targetParent) else { throw missing }
        guard (existing.st_mode & S_IFMT) != S_IFDIR else {
            throw .unsafeArchive(entry: entry.name, reason: "hardlink target \"\(name)\" is a directory")
        }
        // flags 0: a symlink target is linked itself, never followed.
        let from = target.base.cString, to = base.cString
        try syscall("linkat", entry.name) { linkat(targetParent.rawValue, from, parent.rawValue, to, 0) }
    }
}
