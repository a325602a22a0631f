#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Threads for work that must run at the same time as the caller's: the two ends of a pipe, which a
/// pool (Dispatch's `concurrentPerform` on a one-core board) could run one after the other and deadlock.
public enum Threads {
    /// Run `side` on a new thread while the calling thread runs `main`; return once both are done.
    public static func run(_ side: @escaping @Sendable () -> Void, alongside main: () -> Void) throws(LighterError) {
        let context = Unmanaged.passRetained(SideJob(side)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            Unmanaged<SideJob>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<SideJob>.fromOpaque(context).release()
            throw .system(call: "pthread_create", path: nil, errno: rc)
        }
        main()
        pthread_join(thread, nil)
    }
}

private final class SideJob: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
