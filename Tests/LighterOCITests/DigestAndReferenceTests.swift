import LighterTestSupport
import Testing
@testable import LighterOCI
import LighterSystem

@Suite struct DigestTests {
    @Test func hashesKnownVector() {
        #expect(Digest.of(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func rejectsOtherAlgorithmsAndBadHex() {
        expectError(.invalidDigest) { try Digest(parsing: "sha512:" + String(repeating: "a", count: 128)) }
        expectError(.invalidDigest) { try Digest(parsing: "sha256:ABC") }
        expectError(.invalidDigest) { try Digest(parsing: "sha256:" + String(repeating: "A", count: 64)) }
        expectError(.invalidDigest) { try Digest(parsing: String(repeating: "a", count: 64)) }
    }

    @Test func chainIDsFollowTheSpec() throws {
        let a = Digest.of(Array("a".utf8)), b = Digest.of(Array("b".utf8))
        let chain = Digest.chainIDs(of: [a, b])
        #expect(chain[0] == a)
        #expect(chain[1] == Digest.of(Array("\(a) \(b)".utf8)))
    }
}

@Suite struct ReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
        ("busybox:1.35", "docker.io/library/busybox:1.35", "busybox:1.35"),
        ("user/app", "docker.io/user/app:latest", "user/app:latest"),
        ("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app:v1"),
        ("127.0.0.1:5000/a/b/c", "127.0.0.1:5000/a/b/c:latest", "127.0.0.1:5000/a/b/c:latest"),
        ("docker.io/library/alpine:3", "docker.io/library/alpine:3", "alpine:3"),
    ])
    func parses(input: String, full: String, familiar: String) throws {
        let ref = try Reference(parsing: input)
        #expect(ref.description == full)
        #expect(ref.familiar == familiar)
    }

    @Test func parsesDigestReferences() throws {
        let hex = String(repeating: "a", count: 64)
        let ref = try Reference(parsing: "busybox@sha256:\(hex)")
        #expect(ref.tag == nil)
        #expect(ref.digest?.hex == hex)
    }

    @Test(arguments: ["", "UPPER", "a:b:c", "bad name", "-lead", "trail-", "x:tag!", "busybox@sha256:zz"])
    func rejects(input: String) {
        // A well-formed name with a malformed digest is a bad digest.
        expectError(input.contains("@sha256:") ? .invalidDigest : .invalidReference) { try Reference(parsing: input) }
    }
}

@Suite struct JSONQuoteTests {
    @Test func quotesLikeGo() {
        #expect(JSON.quote("a\"b\\c\nd\te\u{1}") == #""a\"b\\c\nd\te\u0001""#)
        #expect(JSON.quote("<a&b>") == #""<a&b>""#)
        #expect(JSON.quote("<a&b>", escapeHTML: true) == #""\u003ca\u0026b\u003e""#)
        #expect(JSON.quote("héllo") == "\"héllo\"")
    }
}
