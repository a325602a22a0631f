#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterOCI
import LighterSystem

/// O_PATH (Glibc's module does not export it): a descriptor that only names a file.
let openPathOnly: Int32 = 0o10000000

/// Where COPY and ADD read from: the build context (a directory; paths may not leave it, by `..` or
/// by a symlink: openat2 RESOLVE_BENEATH; `.dockerignore` applies) or another stage's or image's root
/// (`--from`: paths resolved as that root sees them, RESOLVE_IN_ROOT).
public struct SourceTree {
    public let root: FileDescriptor
    let resolve: UInt64
    let ignore: DockerIgnore
    let label: String

    /// The build context at `path`, with its `.dockerignore` (or `ignoreFile`'s text) applied.
    public init(context path: String, ignore: DockerIgnore) throws(LighterError) {
        root = FileDescriptor(adopting: try syscall("open", path) { lighter_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) })
        resolve = UInt64(LIGHTER_RESOLVE_BENEATH | LIGHTER_RESOLVE_NO_MAGICLINKS)
        self.ignore = ignore
        label = "build context"
    }

    /// A container root (`COPY --from`).
    public init(root: FileDescriptor, label: String) {
        self.root = root
        resolve = UInt64(LIGHTER_RESOLVE_IN_ROOT | LIGHTER_RESOLVE_NO_MAGICLINKS)
        ignore = DockerIgnore("")
        self.label = label
    }

    /// A source path, cleaned: relative to the tree's root, without ".", "" or "..". A path that would
    /// leave the context through ".." is refused.
    func clean(_ path: String) throws(LighterError) -> String {
        var out: [Substring] = []
        for element in path.split(separator: "/") {
            if element == "." { continue }
            if element == ".." {
                guard !out.isEmpty else {
                    if resolve & UInt64(LIGHTER_RESOLVE_BENEATH) != 0 {
                        throw .invalidArgument("\(path): forbidden path outside the build context")
                    }
                    continue
                }
                out.removeLast()
                continue
            }
            out.append(element)
        }
        return out.joined(separator: "/")
    }

    /// Open `path` (relative, cleaned) in the tree, following symlinks only within it.
    func open(_ path: String, flags: Int32) throws(LighterError) -> FileDescriptor {
        let name = path.isEmpty ? "." : path
        let fd = lighter_openat2(root.rawValue, name, UInt64(flags | O_CLOEXEC), 0, resolve)
        guard fd >= 0 else {
            let code = lighter_errno()
            if code == EXDEV || code == ELOOP {
                throw .invalidArgument("\(path): forbidden path outside the \(label) (a symlink or \"..\" leads out of it)")
            }
            if code == ENOENT || code == ENOTDIR {
                throw .notFound(kind: "file in the \(label)", name: "\(path) (or it is excluded by .dockerignore)")
            }
            throw .system(call: "openat2", path: path, errno: code)
        }
        return FileDescriptor(adopting: fd)
    }

    static func hasGlob(_ text: String) -> Bool { text.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    /// The paths `pattern` names (globs expanded, element by element, sorted), without those
    /// `.dockerignore` excludes. None is an error naming the pattern.
    public func expand(_ pattern: String) throws(LighterError) -> [String] {
        let cleaned = try clean(pattern)
        var found: [String] = []
        if !Self.hasGlob(cleaned) {
            if !cleaned.isEmpty && ignore.excludes(cleaned) {
                throw .notFound(kind: "file in the \(label)", name: "\(pattern) (it is excluded by .dockerignore)")
            }
            _ = try open(cleaned, flags: openPathOnly)
            return [cleaned]
        }
        var candidates = [""]
        for element in cleaned.split(separator: "/").map(String.init) {
            var next: [String] = []
            for base in candidates {
                if !Self.hasGlob(element) {
                    let path = base.isEmpty ? element : base + "/" + element
                    if (try? open(path, flags: openPathOnly)) != nil { next.append(path) }
                    continue
                }
                guard let directory = try? open(base, flags: O_RDONLY | O_DIRECTORY) else { continue }
                for name in try FileSystem.list("/proc/self/fd/\(directory.rawValue)").sorted() where fnmatch(element, name, 0) == 0 {
                    next.append(base.isEmpty ? name : base + "/" + name)
                }
            }
            candidates = next
        }
        found = candidates.filter { !ignore.excludes($0) }
        guard !found.isEmpty else {
            throw .notFound(kind: "file in the \(label)", name: "\(pattern): no source files match (or they are excluded by .dockerignore)")
        }
        return found
    }

    /// A digest of what copying `paths` reads: each file's path, type, mode, owner (outside the
    /// context), size and contents, each link's target, recursively, `.dockerignore` applied.
    public func contentHash(_ paths: [String]) throws(LighterError) -> Digest {
        var hasher = SHA256Hasher()
        for path in paths {
            let fd = try open(path, flags: O_RDONLY | O_NONBLOCK)
            try hash(fd, path: path, into: &hasher)
        }
        return hasher.finalize()
    }

    private func hash(_ fd: FileDescriptor, path: String, into hasher: inout SHA256Hasher) throws(LighterError) {
        let st = try fd.stat()
        hasher.update(Array("\(path)\0\(st.st_mode)\0\(st.st_size)\0".utf8))
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 * 1024, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = try fd.read(into: buffer)
                if n == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
        case S_IFDIR:
            for name in try FileSystem.list("/proc/self/fd/\(fd.rawValue)").sorted() {
                let child = path.isEmpty ? name : path + "/" + name
                var lst = stat()
                try syscall("fstatat", child) { fstatat(fd.rawValue, name, &lst, AT_SYMLINK_NOFOLLOW) }
                if resolve & UInt64(LIGHTER_RESOLVE_BENEATH) != 0 {
                    let isDirectory = lst.st_mode & S_IFMT == S_IFDIR
                    if isDirectory ? ignore.skipsDirectory(child) : ignore.excludes(child) { continue }
                }
                if lst.st_mode & S_IFMT == S_IFLNK {
                    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                    let n = try syscall("readlinkat", child) { readlinkat(fd.rawValue, name, &buffer, buffer.count - 1) }
                    hasher.update(Array("\(child)\0link\0".utf8) + buffer[0..<n].map { UInt8(bitPattern: $0) })
                    continue
                }
                let sub = FileDescriptor(adopting: try syscall("openat", child) {
                    lighter_openat(fd.rawValue, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0)
                })
                try hash(sub, path: child, into: &hasher)
            }
        default:
            break
        }
    }
}
