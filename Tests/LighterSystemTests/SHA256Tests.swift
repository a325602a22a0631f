#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterSystem

/// SHA-256 through libcrypto: the FIPS 180-4 vectors, streaming in odd pieces, and the same digest as
/// the system's `sha256sum` over a file of every byte value.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(input: String, expected: String) {
        #expect(SHA256.hex(SHA256.hash(Array(input.utf8))) == expected)
    }

    /// A million "a" in pieces of 997 bytes (not a multiple of the 64-byte block).
    @Test func millionAInPieces() {
        var hasher = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 997)
        var left = 1_000_000
        while left > 0 {
            let count = min(left, piece.count)
            piece.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            left -= count
        }
        #expect(SHA256.hex(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// `finalize()` leaves the hasher as it was: updating after it continues the same stream.
    @Test func finalizeThenContinue() {
        var hasher = SHA256()
        hasher.update(Array("ab".utf8))
        #expect(SHA256.hex(hasher.finalize()) == "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603")
        hasher.update(Array("c".utf8))
        #expect(SHA256.hex(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// 3 MiB of every byte value, against coreutils' sha256sum of the same file.
    @Test func matchesSha256sum() throws {
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let path = "/tmp/lighter-sha256-test-\(getpid())"
        try FileSystem.writeAtomically(bytes, to: path, mode: 0o600)
        defer { unlink(path) }
        guard let pipe = popen("sha256sum \(path)", "r") else { Issue.record("popen sha256sum"); return }
        var line = [CChar](repeating: 0, count: 200)
        let read = fgets(&line, Int32(line.count), pipe) != nil
        pclose(pipe)
        #expect(read)
        let expected = String(decoding: line.prefix(64).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        #expect(SHA256.hex(SHA256.hash(bytes)) == expected)
    }
}
