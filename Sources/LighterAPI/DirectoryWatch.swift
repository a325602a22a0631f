#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter

/// Wakes a follower as soon as a file changes in one of a few directories (inotify), instead of at
/// the end of its poll pause: `wait` and `attach` learn of a container's exit, and `logs -f` and
/// `/events` of a new line, within a system call rather than up to `Backoff.maximum` later. The
/// directories are watched, not the files, so a rotated log or a record replaced by rename is seen
/// too. Where inotify cannot be set up (no instances left), `pause` sleeps as `Backoff` does: the
/// pause stays the upper bound of the delay, so a change the watch misses is still found.
public final class DirectoryWatch: @unchecked Sendable {
    // @unchecked: used by the one thread that serves its request.
    private var fd: Int32 = -1

    public init(_ directories: [String]) {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { return }
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
        var watching = false
        for directory in directories where inotify_add_watch(descriptor, directory, mask) >= 0 { watching = true }
        if watching { fd = descriptor } else { close(descriptor) }
    }

    /// The directory of `path` (a log or record file).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Wait until something changes in the directories or `backoff`'s pause has passed; the pause
    /// grows only when nothing changed.
    public func pause(_ backoff: inout Backoff) {
        guard fd >= 0 else { return backoff.sleep() }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&entry, 1, Int32(max(1, backoff.delay / 1000))) > 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
        } else {
            backoff.grow()
        }
    }
}
