#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// What the lighter processes that enter a container (`__init`, `__exec` and the processes they fork)
/// do to protect the host from the container's processes until they exec.
enum ContainerProcess {
    /// Not dumpable: /proc/PID/exe, /proc/PID/fd, /proc/PID/mem … of this process are owned by root
    /// and need CAP_SYS_PTRACE to open, and ptrace needs it too — a container process cannot reach the
    /// host's lighter binary or descriptors through it (CVE-2019-5736, CVE-2024-21626). Inherited by
    /// fork; execve of the container process makes the process dumpable again.
    static func makeUndumpable() throws(LighterError) {
        try syscall("prctl(PR_SET_DUMPABLE)") { lighter_prctl(Prctl.setDumpable, 0, 0, 0, 0) }
    }

    /// The parent-death signal set on this process (0: none).
    static func parentDeathSignal() -> Int32 {
        var signal: Int32 = 0
        _ = withUnsafeMutablePointer(to: &signal) { pointer in
            lighter_prctl(Prctl.getParentDeathSignal, UInt(bitPattern: pointer), 0, 0, 0)
        }
        return signal
    }

    /// Set `signal` again as the parent-death signal (a uid change cleared it). The parent holds the other
    /// end of `channel` while it waits for this process: if it hung up, the parent died before the signal
    /// was set again, and this process must not run on without it.
    static func restoreParentDeathSignal(_ signal: Int32, channel: InitChannel) throws(LighterError) {
        guard signal > 0, parentDeathSignal() != signal else { return }
        try syscall("prctl(PR_SET_PDEATHSIG)") { lighter_prctl(Prctl.setParentDeathSignal, UInt(signal), 0, 0, 0) }
        var entry = pollfd(fd: channel.fd, events: Int16(POLLIN), revents: 0)
        if poll(&entry, 1, 0) == 1, entry.revents & Int16(POLLHUP) != 0 {
            _exit(Int32(128 + signal))
        }
    }
}
