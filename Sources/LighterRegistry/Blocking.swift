#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import LighterSystem
import Synchronization

/// Run async registry work from a synchronous command (the CLI's entry point stays synchronous,
/// so `lighter run`'s re-exec paths never start the concurrency runtime). The calling thread
/// waits; the work runs on the global executor.
public func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws(LighterError) -> T) throws(LighterError) -> T {
    let result = Mutex<Result<T, LighterError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<T, LighterError>
        do throws(LighterError) {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

/// Run blocking network work on a thread of its own, so that a few parallel downloads never
/// starve Swift's cooperative pool (one thread per core) while they wait on sockets.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws(LighterError) -> T) async throws(LighterError) -> T {
    let result: Result<T, LighterError> = await withCheckedContinuation { continuation in
        let job = ThreadJob {
            do throws(LighterError) {
                continuation.resume(returning: .success(try work()))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        if let error = job.start() { continuation.resume(returning: .failure(error)) }
    }
    return try result.get()
}

/// A detached pthread running one closure.
private final class ThreadJob: Sendable {
    let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    /// Start the thread; the error when it could not be created.
    func start() -> LighterError? {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadJob>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<ThreadJob>.fromOpaque(context).release()
            return .system(call: "pthread_create", path: nil, errno: rc)
        }
        return nil
    }
}

/// Sleep the calling (own) thread.
func sleepMilliseconds(_ milliseconds: Int) {
    var time = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    // Interrupted, nanosleep leaves the time left in `time`, and syscall() calls it again with that.
    _ = try? withUnsafeMutablePointer(to: &time) { (pointer) throws(LighterError) in
        try syscall("nanosleep") { nanosleep(pointer, pointer) }
    }
}
