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
