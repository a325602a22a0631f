#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Poll pacing for followers: quick right after activity, backing off to `maximum` when idle.
public struct Backoff: Sendable {
    var current: useconds_t
    let minimum: useconds_t
    let maximum: useconds_t

    public init(minimum: useconds_t = 2_000, maximum: useconds_t = 50_000) {
        self.minimum = minimum
        self.maximum = maximum
        current = minimum
    }

    public mutating func reset() { current = minimum }

    /// The current pause, for callers that wait in poll(2) instead of sleeping.
    public var delay: useconds_t { current }

    /// Lengthen the next pause without sleeping (the caller waited in poll).
    public mutating func grow() { current = min(current * 2, maximum) }

    public mutating func sleep() {
        usleep(current)
        current = min(current * 2, maximum)
    }
}
