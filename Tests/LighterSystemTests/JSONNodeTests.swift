#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LighterTestSupport
import Testing
import LighterSystem

@Suite struct JSONNodeTests {
    struct Sample: Codable {
        var text: String
        var big: UInt64
        var small: Int64
        var list: [String]
        var map: [String: String]
        var flag: Bool
        var missing: String?
    }

    static let sample = Sample(text: "a/b \"q\" \\ tab\t nl\n bell\u{07} é 😀 <&>", big: UInt64.max, small: Int64.min,
                               list: ["x", "", "/"], map: ["z": "1", "a": "2", "é": "3"], flag: true, missing: nil)

    static func node(_ s: Sample) -> JSONNode {
        .object(["text": s.text, "big": s.big, "small": s.small, "list": s.list, "map": s.map, "flag": s.flag, "missing": s.missing])
    }

    @Test func writesWhatFoundationWritesWithSortedKeys() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let foundation = Array(try encoder.encode(Self.sample))
        #expect(String(decoding: Self.node(Self.sample).serialized(), as: UTF8.self) == String(decoding: foundation, as: UTF8.self))
        // And Foundation reads the pretty form back to the same values.
        let back = try JSONDecoder().decode(Sample.self, from: Data(Self.node(Self.sample).serialized(pretty: true)))
        #expect(back.text == Self.sample.text && back.big == UInt64.max && back.small == Int64.min && back.map == Self.sample.map)
    }

    @Test func readsWhatFoundationWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let node = try JSONNode.parse(Array(try encoder.encode(Self.sample)), what: "sample")
        #expect(node == Self.node(Self.sample))
        let fields = try JSONFields(node, JSONPath(what: "sample"))
        #expect(try fields.required("big", as: UInt64.self) == UInt64.max)
        #expect(try fields.required("small", as: Int64.self) == Int64.min)
        #expect(try fields.optional("missing", as: String.self) == nil)
        #expect(try fields.value("absent", default: 7) == 7)
    }

    @Test func escapesRoundTrip() throws {
        let text = #"{"a":"\u00e9\ud83d\ude00\n\/\"\\\u0001","b":[1,-0.5,2e10,{},[]],"c":null,"d":false}"#
        let node = try JSONNode.parse(Array(text.utf8), what: "doc")
        #expect(try JSONFields(node, JSONPath(what: "doc")).required("a", as: String.self) == "é😀\n/\"\\\u{01}")
        #expect(try JSONNode.parse(node.serialized(), what: "again") == node)
        #expect(try JSONNode.parse(node.serialized(pretty: true), what: "again") == node)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "01", "1.", "-", "1e", "\"abc", "\"a\u{01}\"",
                      "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "tru", "nul", "[1] 2", "{\"a\":1,}", "\u{feff}{}"])
    func refusesMalformedDocuments(text: String) {
        #expect {
            _ = try JSONNode.parse(Array(text.utf8), what: "doc")
        } throws: { error in
            guard case let .malformed(what, reason) = error as? LighterError else { return false }
            return what == "doc" && reason.hasPrefix("not valid JSON")
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let bomb = Array(repeating: UInt8(ascii: "["), count: 100_000)
        expectError(.malformed) { try JSONNode.parse(bomb, what: "bomb") }
    }

    @Test func errorsNameTheField() throws {
        let node = try JSONNode.parse(Array(#"{"a":{"b":[1,"x"]},"n":70000}"#.utf8), what: "doc")
        let top = try JSONFields(node, JSONPath(what: "doc"))
        #expect(throws: LighterError.malformed(what: "doc", reason: "missing field \"c\"")) { try top.required("c", as: String.self) }
        let inner = try JSONFields(try top.required("a", as: JSONNode.self), top.path.appending("a"))
        #expect(throws: LighterError.malformed(what: "doc", reason: "wrong type at \"a.b.1\": expected a whole number, found a string")) {
            try inner.required("b", as: [Int].self)
        }
        #expect(throws: LighterError.malformed(what: "doc", reason: "bad value at \"n\": 70000 is not a whole number between 0 and 65535")) {
            _ = try UInt16(json: top.fields["n"]!, path: top.path.appending("n"))
        }
    }
}
