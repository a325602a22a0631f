#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Docker's exit codes for a container's process, in one place: the runtime's init, `exec`, the
/// `--init` reaper and the monitor all report through these.
public enum ContainerExitCode {
    /// Lighter itself failed before the process ran (`docker run`'s 125).
    public static let engineFailure: Int32 = 125
    /// The program was found but cannot be executed (a directory, not executable, a bad format).
    public static let cannotExecute: Int32 = 126
    /// The program was not found.
    public static let notFound: Int32 = 127

    /// The code for an exec(2) or posix_spawn(3) that failed with `error`: 127 when there is no such
    /// program (ENOENT, or a path component that is no directory), else 126.
    public static func execFailure(errno error: Int32) -> Int32 {
        error == ENOENT || error == ENOTDIR ? notFound : cannotExecute
    }

    /// A process killed by `signal` exits with 128 + the signal's number, as a shell reports it.
    public static func killed(by signal: Int32) -> Int32 { 128 + signal }

    /// The code of a waitpid(2) status: the exit status, or 128 + N when signal N killed it.
    public static func of(waitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : killed(by: signal)
    }
}
