#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `--init`: a tiny PID 1 inside the container (the lighter binary itself, bind-mounted at
/// /sbin/lighter-init — it is static, so it runs in any image of this machine's architecture). It
/// starts the command, forwards signals to it, reaps every orphan, and exits with the command's
/// status, as Docker's docker-init (tini) does. It runs as a freshly exec'd, single-threaded process.
public enum ContainerReaper {
    /// The path the engine mounts the binary at, and the argv[0] that selects this mode.
    public static let path = "/sbin/lighter-init"

    public static func main(arguments: [String]) -> Never {
        var command = Array(arguments.dropFirst())
        if command.first == "--" { command.removeFirst() }
        guard let program = command.first else { fail("lighter-init: no command given", code: ContainerExitCode.engineFailure) }
        let forwarded: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU]
        var waited = sigset_t()
        sigemptyset(&waited)
        for signal in forwarded + [SIGCHLD] { sigaddset(&waited, signal) }
        sigprocmask(SIG_BLOCK, &waited, nil)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &waited)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = command.map { strdup($0) } + [nil]
        var child: pid_t = 0
        let rc = posix_spawnp(&child, program, nil, &attributes, argv, environ)
        if rc != 0 {
            fail("lighter-init: exec \(program): \(String(cString: strerror(rc)))", code: ContainerExitCode.execFailure(errno: rc))
        }
        while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&waited, &info)
            if signal < 0 { continue }
            if signal != SIGCHLD {
                _ = kill(child, signal)
                continue
            }
            // Reap everything that exited: the command, and orphans reparented to PID 1.
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, WNOHANG)
                if pid <= 0 { break }
                if pid == child {
                    exit(ContainerExitCode.of(waitStatus: status))
                }
            }
        }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        let bytes = Array((message + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(code)
    }
}
