#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// A netlink socket (NETLINK_ROUTE unless told), in this thread's network namespace or in another one.
final class NetlinkSocket {
    let fd: FileDescriptor
    private var sequence: UInt32 = 0

    /// A socket in the current network namespace (NETLINK_ROUTE unless told).
    init(protocol family: Int32 = Netlink.route) throws(LighterError) {
        fd = FileDescriptor(adopting: try syscall("socket", "netlink") { socket(AF_NETLINK, 3 | 0o2000000, family) })  // SOCK_RAW|SOCK_CLOEXEC
    }

    /// A socket bound to the network namespace `namespace` (an nsfs file such as /proc/PID/ns/net):
    /// this thread enters it just long enough to create the socket, then comes back.
    init(namespace: FileDescriptor, protocol family: Int32 = Netlink.route) throws(LighterError) {
        let home = try FileDescriptor(path: "/proc/thread-self/ns/net", flags: O_RDONLY)
        try syscall("setns", "network namespace") { lighter_setns(namespace.rawValue, 0x40000000) }   // CLONE_NEWNET
        let raw = socket(AF_NETLINK, 3 | 0o2000000, family)
        let code = lighter_errno()
        if lighter_setns(home.rawValue, 0x40000000) != 0 {
            // Never stay in the container's namespace: that thread would act on the wrong links.
            fatalError("cannot return to this process's network namespace (errno \(lighter_errno()))")
        }
        guard raw >= 0 else { throw .system(call: "socket", path: "netlink", errno: code) }
        fd = FileDescriptor(adopting: raw)
    }

    /// Send one request and wait for its acknowledgement; a kernel error becomes `LighterError.system`.
    func request(_ message: NetlinkMessage, what: String) throws(LighterError) {
        _ = try exchange(message, what: what, dump: false)
    }

    /// Send a request that answers with messages and an acknowledgement (a GET of one object).
    func get(_ message: NetlinkMessage, what: String) throws(LighterError) -> [(type: UInt16, payload: ArraySlice<UInt8>)] {
        try exchange(message, what: what, dump: false)
    }

    /// Send a dump request; the replies' payloads (after the netlink header) with their types.
    func dump(_ message: NetlinkMessage, what: String) throws(LighterError) -> [(type: UInt16, payload: ArraySlice<UInt8>)] {
        try exchange(message, what: what, dump: true)
    }

    /// Reserve `count` consecutive sequence numbers; returns the first.
    func nextSequence(count: Int) -> UInt32 {
        let first = sequence &+ 1
        sequence &+= UInt32(count)
        return first
    }

    /// Walk the messages of one datagram the kernel sent, appending the replies to request `sequence`
    /// to `replies`; true when the exchange is over (NLMSG_DONE, or the acknowledgement of a request
    /// that is not a dump). A message whose length runs past the datagram ends the walk.
    static func parseReplies(_ data: ArraySlice<UInt8>, sequence: UInt32, dump: Bool, what: String,
                             into replies: inout [(type: UInt16, payload: ArraySlice<UInt8>)]) throws(LighterError) -> Bool {
        let base = data.startIndex
        let n = data.count
        var offset = 0
        while offset + 16 <= n {
            let length = Int(NetlinkMessage.read(UInt32.self, data, at: offset))
            let type = NetlinkMessage.read(UInt16.self, data, at: offset + 4)
            let seq = NetlinkMessage.read(UInt32.self, data, at: offset + 8)
            guard length >= 16, offset + length <= n else { break }
            defer { offset += (length + 3) & ~3 }
            guard seq == sequence else { continue }
            if type == Netlink.done { return true }
            if type == Netlink.error {
                guard length >= 20 else { throw .malformed(what: "netlink reply to \(what)", reason: "an error message of \(length) bytes") }
                // A negative errno, or 0 for an acknowledgement (Int32.min cannot be negated).
                let raw = NetlinkMessage.read(Int32.self, data, at: offset + 16)
                guard raw <= 0, raw != .min else {
                    throw .malformed(what: "netlink reply to \(what)", reason: "error code \(raw) is not a negative errno")
                }
                if raw != 0 { throw .system(call: "netlink", path: what, errno: -raw) }
                if !dump { return true }
                continue
            }
            replies.append((type, Array(data[(base + offset + 16)..<(base + offset + length)])[...]))
        }
        return false
    }

    private func exchange(_ message: NetlinkMessage, what: String, dump: Bool) throws(LighterError) -> [(type: UInt16, payload: ArraySlice<UInt8>)] {
        sequence &+= 1
        let bytes = message.finished(sequence: sequence)
        try syscall("send", what) { bytes.withUnsafeBytes { send(fd.rawValue, $0.baseAddress, $0.count, 0) } }
        var replies: [(type: UInt16, payload: ArraySlice<UInt8>)] = []
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            let n = try syscall("recv", what) { buffer.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) } }
            if try Self.parseReplies(buffer[0..<n], sequence: sequence, dump: dump, what: what, into: &replies) { return replies }
        }
    }
}
