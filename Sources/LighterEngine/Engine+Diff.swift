#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// One line of `diff`: a path of the container's root that was added, changed or deleted.
public struct FilesystemChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case added = "A", changed = "C", deleted = "D" }
    public var kind: Kind
    public var path: String
}

extension Engine {
    /// `diff`: what the container's writable layer (its overlay upper directory) holds, against the image's
    /// layers — A for entries no layer has, C for entries a layer has (directories holding changes
    /// included), D for whiteouts — sorted by path as Docker prints them. Everything is opened by
    /// descriptor, one component at a time and never through a symlink.
    public func changes(_ id: String) throws(LighterError) -> [FilesystemChange] {
        let record = try inspect(id)
        let image = try images.image(id: record.spec.imageID)
        let upperPath = "\(directory(id))/upper"
        let upper = FileDescriptor(adopting: try syscall("open", upperPath) {
            lighter_open(upperPath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        })
        // Top layer first, as overlay stacks them.
        var lowers: [FileDescriptor] = []
        for layer in image.layers.reversed() {
            let path = images.snapshots.path(of: layer.chainID)
            let fd = lighter_open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
            guard fd >= 0 else { throw .notFound(kind: "image layer", name: "\(path) (run `lighter system check`)") }
            lowers.append(FileDescriptor(adopting: fd))
        }
        var result: [FilesystemChange] = []
        try Engine.walkChanges(upper.rawValue, prefix: "", lowers: lowers.map(\.rawValue), into: &result)
        return result.sorted { $0.path < $1.path }
    }

    /// The changes under one upper directory; `lowers` are the same directory in each layer that has it.
    private static func walkChanges(_ directory: Int32, prefix: String, lowers: [Int32], into result: inout [FilesystemChange]) throws(LighterError) {
        for name in try FileSystem.list("/proc/self/fd/\(directory)") {
            var st = stat()
            try syscall("fstatat", name) { fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) }
            let path = prefix + "/" + name
            let kind = st.st_mode & S_IFMT
            if kind == S_IFCHR && st.st_rdev == 0 {
                result.append(FilesystemChange(kind: .deleted, path: path))
                continue
            }
            let inLower = lowers.contains { lower in
                var lst = stat()
                return fstatat(lower, name, &lst, AT_SYMLINK_NOFOLLOW) == 0
            }
            result.append(FilesystemChange(kind: inLower ? .changed : .added, path: path))
            guard kind == S_IFDIR else { continue }
            let child = try Engine.openDirectoryNoFollow(directory, name)
            // The same directory in the layers, where it is a directory (overlay merges only those).
            // An opaque directory (rm -rf then mkdir) hides what the layers had there.
            var opaque: [UInt8] = [0, 0]
            let isOpaque = fgetxattr(child.rawValue, "trusted.overlay.opaque", &opaque, 2) == 1 && opaque[0] == UInt8(ascii: "y")
            var lowerChildren: [FileDescriptor] = []
            for lower in lowers where !isOpaque {
                let fd = lighter_openat(lower, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                if fd >= 0 { lowerChildren.append(FileDescriptor(adopting: fd)) }
            }
            try walkChanges(child.rawValue, prefix: path, lowers: lowerChildren.map(\.rawValue), into: &result)
        }
    }

    private static func openDirectoryNoFollow(_ parent: Int32, _ name: String) throws(LighterError) -> FileDescriptor {
        FileDescriptor(adopting: try syscall("openat", name) {
            lighter_openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
        })
    }

    /// `export`: a tar of the container's whole root filesystem (the image's layers under its own),
    /// running or not. Files, directories and symlinks, as `cp CONTAINER:/ -` writes them.
    public func export(_ id: String, to output: FileDescriptor) throws(LighterError) {
        try copyOutArchive(id, from: "/", to: output, sameFilesystem: true)
    }
}
