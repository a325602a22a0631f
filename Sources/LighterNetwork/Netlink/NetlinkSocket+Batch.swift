#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension NetlinkSocket {
    /// What the kernel answered to one message: 0 or an errno, and its extended-ack text if any.
    struct Acknowledgement: Equatable {
        var errno: Int32
        var message: String?
    }

    /// Send `messages` in one datagram (numbered in order) and collect the acknowledgements, one
    /// slot per message (nil: none came). Made for nfnetlink batches, which the kernel handles
    /// while `send` runs: every answer is queued when it returns, so reading stops at EAGAIN.
    func exchange(batch messages: [NetlinkMessage], what: String) throws(LighterError) -> [Acknowledgement?] {
        let first = nextSequence(count: messages.count)
        var datagram: [UInt8] = []
        for (index, message) in messages.enumerated() { datagram += message.finished(sequence: first &+ UInt32(index)) }
        try prepareForBatch(size: datagram.count, answers: messages.count)
        try syscall("send", what) { datagram.withUnsafeBytes { send(fd.rawValue, $0.baseAddress, $0.count, 0) } }

        var answers = [Acknowledgement?](repeating: nil, count: messages.count)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var received = 0
            let blocked = try syscallTolerating("recv", what, [EAGAIN]) { () -> Int in
                received = buffer.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                return received
            }
            if blocked != nil { return answers }
            let data = buffer[0..<received]
            var offset = 0
            while offset + 16 <= received {
                let length = Int(NetlinkMessage.read(UInt32.self, data, at: offset))
                guard length >= 16, offset + length <= received else { break }
                defer { offset += (length + 3) & ~3 }
                let type = NetlinkMessage.read(UInt16.self, data, at: offset + 4)
                let index = Int(NetlinkMessage.read(UInt32.self, data, at: offset + 8) &- first)
                guard type == Netlink.error, length >= 20, index < messages.count else { continue }
                answers[index] = Self.acknowledgement(data[offset..<(offset + length)])
            }
        }
    }

    /// Room for a large batch and for one answer per message (each answer is its own skb, and
    /// answers that do not fit are dropped by the kernel); short error answers with their text.
    private func prepareForBatch(size: Int, answers: Int) throws(LighterError) {
        var on: Int32 = 1
        let length = socklen_t(MemoryLayout<Int32>.size)
        // Best effort (kernels since 4.3 / 4.12): SOL_NETLINK NETLINK_CAP_ACK (no echo of the
        // request in an error) and NETLINK_EXT_ACK (the kernel's error text).
        _ = try? syscall("setsockopt", "NETLINK_CAP_ACK") { setsockopt(fd.rawValue, 270, 10, &on, length) }
        _ = try? syscall("setsockopt", "NETLINK_EXT_ACK") { setsockopt(fd.rawValue, 270, 11, &on, length) }
        let usual = 200 * 1024
        if size > usual - 1024 {
            var bytes = Int32(clamping: size + 4096)
            try syscall("setsockopt", "netlink send buffer") { setsockopt(fd.rawValue, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, length) }
        }
        if answers * 1024 > usual {
            var bytes = Int32(clamping: answers * 1024)
            try syscall("setsockopt", "netlink receive buffer") { setsockopt(fd.rawValue, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, length) }
        }
    }

    /// An NLMSG_ERROR message: the errno, and NLMSGERR_ATTR_MSG when the kernel attached one.
    private static func acknowledgement(_ reply: ArraySlice<UInt8>) -> Acknowledgement {
        let code = -NetlinkMessage.read(Int32.self, reply, at: 16)
        let flags = NetlinkMessage.read(UInt16.self, reply, at: 6)
        guard flags & 0x200 != 0, reply.count >= 36 else { return Acknowledgement(errno: code) }   // NLM_F_ACK_TLVS
        // The original request follows the errno: its header alone when capped (NLM_F_CAPPED).
        let echoed = flags & 0x100 != 0 ? 16 : Int(NetlinkMessage.read(UInt32.self, reply, at: 20))
        let start = 20 + ((echoed + 3) & ~3)
        guard start <= reply.count else { return Acknowledgement(errno: code) }
        let text = NetlinkAttributes(reply.dropFirst(start)).string(1)   // NLMSGERR_ATTR_MSG
        return Acknowledgement(errno: code, message: text?.isEmpty == false ? text : nil)
    }
}
