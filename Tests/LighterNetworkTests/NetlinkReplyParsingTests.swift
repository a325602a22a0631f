import Testing
@testable import LighterNetwork
import LighterSystem

/// The walk over a datagram of netlink replies (NetlinkSocket.parseReplies), on inputs the fuzzer
/// (scripts/fuzz, target `netlink`) makes: truncated and lying lengths must be refused, never read past.
@Suite struct NetlinkReplyParsingTests {
    static func header(length: UInt32, type: UInt16, sequence: UInt32) -> [UInt8] {
        NetlinkMessage.bytes(of: length) + NetlinkMessage.bytes(of: type) + NetlinkMessage.bytes(of: UInt16(0))
            + NetlinkMessage.bytes(of: sequence) + NetlinkMessage.bytes(of: UInt32(0))
    }

    /// Found by the fuzzer: an NLMSG_ERROR of 16 bytes (no error code) at the end of the datagram
    /// made the walk read the code past the buffer (an out-of-bounds trap).
    @Test func errorMessageWithoutCodeIsRefused() throws {
        let datagram = Self.header(length: 16, type: 2, sequence: 1)
        var replies: [(type: UInt16, payload: ArraySlice<UInt8>)] = []
        #expect(throws: LighterError.self) {
            _ = try NetlinkSocket.parseReplies(datagram[...], sequence: 1, dump: false, what: "test", into: &replies)
        }
    }

    @Test func repliesErrorsAndDone() throws {
        let link = Self.header(length: 20, type: 16, sequence: 7) + [1, 2, 3, 4]
        let other = Self.header(length: 16, type: 16, sequence: 6)
        let done = Self.header(length: 20, type: 3, sequence: 7) + [0, 0, 0, 0]
        var replies: [(type: UInt16, payload: ArraySlice<UInt8>)] = []
        // A slice not starting at 0, as a datagram inside a larger buffer.
        let buffer = [9, 9, 9, 9] + link + other + done
        let finished = try NetlinkSocket.parseReplies(buffer[4...], sequence: 7, dump: true, what: "test", into: &replies)
        #expect(finished)
        #expect(replies.count == 1)
        #expect(replies.first.map { Array($0.payload) } == [1, 2, 3, 4])

        let eexist = Self.header(length: 20, type: 2, sequence: 7) + NetlinkMessage.bytes(of: Int32(-17))
        replies = []
        #expect(throws: LighterError.system(call: "netlink", path: "test", errno: 17)) {
            _ = try NetlinkSocket.parseReplies(eexist[...], sequence: 7, dump: false, what: "test", into: &replies)
        }
        // A length running past the datagram ends the walk without a reply.
        let lying = Self.header(length: 4096, type: 16, sequence: 7) + [0, 0, 0, 0]
        #expect(try NetlinkSocket.parseReplies(lying[...], sequence: 7, dump: true, what: "test", into: &replies) == false)
        #expect(replies.isEmpty)
    }

    /// Found by the fuzzer: an error code of Int32.min overflowed when negated (a trap).
    @Test func errorCodeThatIsNotANegativeErrnoIsRefused() {
        for raw in [Int32.min, 5] {
            let datagram = Self.header(length: 20, type: 2, sequence: 1) + NetlinkMessage.bytes(of: raw)
            var replies: [(type: UInt16, payload: ArraySlice<UInt8>)] = []
            #expect(throws: LighterError.malformed(what: "netlink reply to test", reason: "error code \(raw) is not a negative errno")) {
                _ = try NetlinkSocket.parseReplies(datagram[...], sequence: 1, dump: false, what: "test", into: &replies)
            }
        }
    }
}
