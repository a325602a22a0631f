#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

extension DaemonRoutes {
    /// Run `body`, which writes with plain write(2) onto a client's socket (a tar streamed by the engine), with
    /// SIGPIPE blocked in this thread: a client that goes away mid-stream makes the write fail with EPIPE
    /// instead of killing the daemon (which keeps SIGPIPE's default so that its children inherit it). A SIGPIPE
    /// left pending is taken before the mask is restored.
    static func withBrokenPipeAsError<T>(_ body: () throws(LighterError) -> T) throws(LighterError) -> T {
        var pipeOnly = sigset_t(), previous = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        defer {
            var pending = sigset_t()
            if sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 {
                var none = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeOnly, nil, &none)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }
}
