#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter

/// The one way Lighter makes a system call: retries on EINTR, turns -1/errno into `LighterError.system`.
///
/// `body` must return -1 and set errno on failure, as libc wrappers do.
@discardableResult
@inline(__always)
public func syscall<T: FixedWidthInteger>(_ call: String, _ path: String? = nil, _ body: () -> T) throws(LighterError) -> T {
    while true {
        let result = body()
        if result == -1 {
            let code = lighter_errno()
            if code == EINTR { continue }
            throw LighterError.system(call: call, path: path, errno: code)
        }
        return result
    }
}

/// Like `syscall`, but returns the errno instead of throwing when it is one of `tolerated`.
@inline(__always)
public func syscallTolerating<T: FixedWidthInteger>(_ call: String, _ path: String? = nil, _ tolerated: Set<Int32>, _ body: () -> T) throws(LighterError) -> Int32? {
    while true {
        let result = body()
        if result == -1 {
            let code = lighter_errno()
            if code == EINTR { continue }
            if tolerated.contains(code) { return code }
            throw LighterError.system(call: call, path: path, errno: code)
        }
        return nil
    }
}
