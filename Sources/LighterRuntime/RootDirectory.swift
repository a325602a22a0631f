#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// The container's root filesystem held open by a descriptor. Every path inside it is resolved by
/// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to that descriptor, so ".." and symlinks
/// (absolute ones too) stay inside the root, whatever the image or another container put there; what is
/// found is acted on through its descriptor (`/proc/self/fd/N`, `*at` calls), never by a host path string
/// that could be swapped between a check and the act (CVE-2021-30465's class).
struct RootDirectory {
    let fd: FileDescriptor
    /// For messages: "rootfs" or the container's root after pivot_root.
    let label: String

    init(path: String, label: String) throws(LighterError) {
        fd = try FileDescriptor(path: path, flags: O_DIRECTORY | O_RDONLY)
        self.label = label
    }

    static let resolveInRoot = UInt64(LIGHTER_RESOLVE_IN_ROOT) | UInt64(LIGHTER_RESOLVE_NO_MAGICLINKS)

    /// `path` (absolute or not, taken inside the root) opened with `flags`; nil when it does not exist.
    /// `noSymlinks`: refuse any symlink on the way (for /proc and /sys, which must be where they are).
    func open(_ path: String, flags: Int32 = OpenFlags.path, noSymlinks: Bool = false) throws(LighterError) -> FileDescriptor? {
        let relative = Self.relative(path)
        let resolve = Self.resolveInRoot | (noSymlinks ? UInt64(LIGHTER_RESOLVE_NO_SYMLINKS) : 0)
        // EAGAIN: a rename or mount raced a ".." lookup; the kernel asks to try again.
        for _ in 0..<1000 {
            let raw = lighter_openat2(fd.rawValue, relative, UInt64(flags | O_CLOEXEC), 0, resolve)
            if raw >= 0 { return FileDescriptor(adopting: raw) }
            let code = lighter_errno()
            switch code {
            case EINTR, EAGAIN: continue
            case ENOENT: return nil
            case ELOOP:
                throw .invalidArgument(noSymlinks
                    ? "\(path) in the \(label) is (or passes through) a symlink; it must be a real directory there"
                    : "\(path) in the \(label) passes through a magic link or too many symlinks")
            case ENOSYS: throw .unsupported(feature: "openat2(2)", fix: "run on Linux 5.6 or newer")
            default: throw .system(call: "openat2", path: "\(label):\(path)", errno: code)
            }
        }
        throw .system(call: "openat2", path: "\(label):\(path)", errno: EAGAIN)
    }

    /// The mount target `path` as an O_PATH descriptor, creating what is missing as `mkdir -p` (and, with
    /// `file`, the last component as an empty file) relative to the parent's descriptor, never following a
    /// link out of the root. A symlink to something missing (an image's `/etc/resolv.conf` →
    /// `../run/systemd/resolve/stub-resolv.conf`) has its target made inside the root, as runc does.
    func target(_ path: String, file: Bool = false, noSymlinks: Bool = false, depth: Int = 0) throws(LighterError) -> FileDescriptor {
        if let found = try open(path, noSymlinks: noSymlinks) { return found }
        let parts = Self.relative(path).split(separator: "/").filter { $0 != "." }
        guard var parent = try open(".") else { throw .notFound(kind: "root directory", name: label) }
        for index in parts.indices {
            let prefix = parts[...index].joined(separator: "/")
            if let found = try open(prefix, noSymlinks: noSymlinks) { parent = found; continue }
            let name = String(parts[index])
            if file && index == parts.count - 1 {
                let created = lighter_openat(parent.rawValue, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
                if created >= 0 { _ = POSIX.close(created) } else if lighter_errno() != EEXIST {
                    throw .system(call: "create", path: "\(label):/\(prefix)", errno: lighter_errno())
                }
            } else {
                _ = try syscallTolerating("mkdirat", "\(label):/\(prefix)", [EEXIST]) { mkdirat(parent.rawValue, name, 0o755) }
            }
            guard let created = try open(prefix, noSymlinks: noSymlinks) else {
                // A dangling link: make what it names, inside the root (the kernel resolves it there too).
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlinkat(parent.rawValue, name, &buffer, Int(PATH_MAX))
                guard count > 0, depth < 40 else {
                    throw .invalidArgument("cannot create \(path) in the \(label): /\(prefix) is a symlink to nothing (or too many links)")
                }
                let link = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let base = link.hasPrefix("/") ? link : "/" + parts[..<index].joined(separator: "/") + "/" + link
                let rest = parts[(index + 1)...].joined(separator: "/")
                return try target(rest.isEmpty ? base : base + "/" + rest, file: file, noSymlinks: noSymlinks, depth: depth + 1)
            }
            parent = created
        }
        return parent
    }

    /// The directory holding `path` (created if missing) and the last component, which must be a plain name.
    func parent(of path: String) throws(LighterError) -> (FileDescriptor, String) {
        let parts = Self.relative(path).split(separator: "/").filter { $0 != "." }
        guard let last = parts.last, last != ".." else { throw .invalidArgument("\(path) does not name a file") }
        let dir = try target(parts.dropLast().joined(separator: "/"))
        return (dir, String(last))
    }

    static func relative(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed = trimmed.dropFirst() }
        return trimmed.isEmpty ? "." : String(trimmed)
    }
}

/// A procfs checked before anything is written or mounted through it: `/proc` opened once, verified by
/// fstatfs to be procfs (an image's `/proc` that is a symlink, a plain directory or another file system is
/// refused), then used through that descriptor (`/proc/self/fd/N` for mount targets).
struct ProcFS {
    static let superMagic: Int = 0x9fa0        // PROC_SUPER_MAGIC
    static let sysfsMagic: Int = 0x6265_6572   // SYSFS_MAGIC

    let fd: FileDescriptor

    /// `/proc` of the calling process's root.
    init() throws(LighterError) {
        let raw = try syscall("open", "/proc") { lighter_open("/proc", OpenFlags.path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0) }
        fd = FileDescriptor(adopting: raw)
        try Self.expect(fd, magic: Self.superMagic, what: "/proc", name: "procfs")
    }

    /// Fails unless `fd` is on a file system of type `magic`.
    static func expect(_ fd: FileDescriptor, magic: Int, what: String, name: String) throws(LighterError) {
        let type = try syscall("fstatfs", what) { lighter_fs_type(fd.rawValue) }
        guard type == magic else {
            throw .invalidArgument("\(what) is not \(name) (file system type 0x\(String(type, radix: 16))); refusing to use it")
        }
    }

    /// The path that names descriptor `target` of this process (for mount(2), which takes paths).
    func path(of target: FileDescriptor) -> String { "/proc/self/fd/\(target.rawValue)" }

    /// Write `value` to `relative` (e.g. "sys/net/ipv4/ip_forward", "self/oom_score_adj") beneath this
    /// procfs: no magic link, no other mount on the way.
    func write(_ relative: String, _ value: String) throws(LighterError) {
        let resolve = UInt64(LIGHTER_RESOLVE_BENEATH) | UInt64(LIGHTER_RESOLVE_NO_MAGICLINKS) | UInt64(LIGHTER_RESOLVE_NO_XDEV)
        let raw = try syscall("openat2", "/proc/\(relative)") {
            lighter_openat2(fd.rawValue, relative, UInt64(O_WRONLY | O_TRUNC | O_CLOEXEC), 0, resolve)
        }
        let file = FileDescriptor(adopting: raw)
        try file.write(value)
        try file.close()
    }
}
