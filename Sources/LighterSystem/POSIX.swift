#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C library's functions and types whose names Swift code also uses for its own (`close`, `read`,
/// `kill`, `stat`…), named through one place that compiles against glibc and against musl (Swift's
/// static Linux SDK, for boards): a `Glibc.close` at the call site would not build with musl.
public enum POSIX {
    public typealias Stat = stat
    public typealias Time = tm
    public static var regularFileType: mode_t { S_IFREG }

    /// Socket types and flags as the `Int32` that `socket(2)` takes: glibc's Swift import makes them
    /// enum cases (`SOCK_STREAM.rawValue`), musl's plain integers.
    #if canImport(Glibc)
    public static let streamSocket = Int32(SOCK_STREAM.rawValue), datagramSocket = Int32(SOCK_DGRAM.rawValue)
    public static let rawSocket = Int32(SOCK_RAW.rawValue), closeOnExecSocket = Int32(SOCK_CLOEXEC.rawValue)
    public static let nonBlockingSocket = Int32(SOCK_NONBLOCK.rawValue)
    #else
    public static let streamSocket = Int32(SOCK_STREAM), datagramSocket = Int32(SOCK_DGRAM)
    public static let rawSocket = Int32(SOCK_RAW), closeOnExecSocket = Int32(SOCK_CLOEXEC)
    public static let nonBlockingSocket = Int32(SOCK_NONBLOCK)
    #endif

    public static func close(_ fd: Int32) -> Int32 { libcClose(fd) }
    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { libcRead(fd, buffer, count) }
    public static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { libcWrite(fd, buffer, count) }
    public static func send(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int { libcSend(fd, buffer, count, flags) }
    public static func recv(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) -> Int { libcRecv(fd, buffer, count, flags) }
    public static func kill(_ pid: pid_t, _ signal: Int32) -> Int32 { libcKill(pid, signal) }
    public static func rename(_ from: String, _ to: String) -> Int32 { libcRename(from, to) }
    public static func link(_ target: String, _ path: String) -> Int32 { libcLink(target, path) }
    public static func listen(_ fd: Int32, _ backlog: Int32) -> Int32 { libcListen(fd, backlog) }
    public static func connect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 { libcConnect(fd, address, length) }
    public static func socket(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 { libcSocket(domain, type, proto) }
    public static func mount(_ source: UnsafePointer<CChar>?, _ target: UnsafePointer<CChar>?, _ type: UnsafePointer<CChar>?,
                             _ flags: UInt, _ data: UnsafeRawPointer?) -> Int32 { libcMount(source, target, type, flags, data) }
    /// Ignore `signal` (SIG_IGN) — the one use of signal(2) here.
    public static func ignore(_ signal: Int32) { libcIgnore(signal) }
    public static func exit(_ status: Int32) -> Never { libcExit(status) }
}

// File-scope forwarders: inside `POSIX` the unqualified names would be its own methods.
private func libcClose(_ fd: Int32) -> Int32 { close(fd) }
private func libcRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func libcWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
private func libcSend(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ flags: Int32) -> Int { send(fd, buffer, count, flags) }
private func libcRecv(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ flags: Int32) -> Int { recv(fd, buffer, count, flags) }
private func libcKill(_ pid: pid_t, _ signal: Int32) -> Int32 { kill(pid, signal) }
private func libcRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
private func libcLink(_ target: String, _ path: String) -> Int32 { link(target, path) }
private func libcListen(_ fd: Int32, _ backlog: Int32) -> Int32 { listen(fd, backlog) }
private func libcConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 { connect(fd, address, length) }
private func libcSocket(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 { socket(domain, type, proto) }
private func libcMount(_ source: UnsafePointer<CChar>?, _ target: UnsafePointer<CChar>?, _ type: UnsafePointer<CChar>?,
                       _ flags: UInt, _ data: UnsafeRawPointer?) -> Int32 { mount(source, target, type, flags, data) }
private func libcIgnore(_ number: Int32) { _ = signal(number, SIG_IGN) }
private func libcExit(_ status: Int32) -> Never { exit(status) }
