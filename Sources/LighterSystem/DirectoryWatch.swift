#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter

/// Wakes a follower as soon as a file changes in one of a few directories (inotify), instead of at
/// the end of its poll pause: `wait` and `attach` learn of a container's exit, and `logs -f` and
/// `/events` of a new line, within a system call rather than up to `Backoff.maximum` later — the
/// daemon's followers and the CLI's (`Engine.wait`, `Engine.followLog`, `logs -f`, `attach`) alike. The
/// directories are watched, not the files, so a rotated log or a record replaced by rename is seen
/// too. Where inotify cannot be set up (no instances left), `pause` sleeps as `Backoff` does: the
/// pause stays the upper bound of the delay, so a change the watch misses is still found.
public final class DirectoryWatch: @unchecked Sendable {
    // @unchecked: used by one thread (the daemon's for one request, a CLI's follower).
    private var fd: Int32 = -1
    /// When changes last woke the caller (CLOCK_MONOTONIC, ns), for `spacing`.
    private var lastWake: Int64 = 0

    /// What wakes the watch: `contents`, any write to a file (a log's new line) as well as a file
    /// replaced; `names`, only files made, renamed or removed (a record replaced by rename, a container's
    /// directory removed) — a waiter that reads records only is not woken by each log line.
    public enum Changes: Sendable {
        case contents, names

        var mask: UInt32 {
            switch self {
            case .contents: UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB)
            case .names: UInt32(IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_MOVE_SELF | IN_DELETE_SELF)
            }
        }
    }

    public init(_ directories: [String], changes: Changes = .contents) {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { return }
        let mask = changes.mask
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

    /// Wait until something changes in the directories, `other` (a descriptor such as a signalfd, -1 for
    /// none) is readable, or `backoff`'s pause has passed; the pause grows only when nothing happened.
    /// `spacing`: changes wake the caller at most once per that many microseconds (a caller that
    /// rereads whole files is not woken by each line of a chatty container; a change after a quiet
    /// spell still wakes it at once); `other` is not held back. True when `other` is readable.
    @discardableResult
    public func pause(_ backoff: inout Backoff, orUntilReadable other: Int32 = -1, spacing: useconds_t = 0) -> Bool {
        guard fd >= 0 || other >= 0 else {
            backoff.sleep()
            return false
        }
        var entries = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: other, events: Int16(POLLIN), revents: 0)]
        // poll(2) skips negative descriptors; EINTR counts as a wake-up (the caller looks again).
        guard poll(&entries, 2, Int32(max(1, backoff.delay / 1000))) > 0 else {
            backoff.grow()
            return false
        }
        if entries[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
        }
        if entries[1].revents != 0 { return true }
        let early = lastWake + Int64(spacing) * 1000 - Self.monotonicNanoseconds()
        if early > 0, other >= 0 {
            var entry = pollfd(fd: other, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, Int32((early + 999_999) / 1_000_000)) > 0 { return true }
        } else if early > 0 {
            usleep(useconds_t(early / 1000))
        }
        lastWake = Self.monotonicNanoseconds()
        return false
    }

    private static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
