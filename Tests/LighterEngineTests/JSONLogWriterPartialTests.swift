import Testing
@testable import LighterEngine
import LighterSystem
import LighterTestSupport

/// Output without its newline (a prompt) is written as a record of its own when the monitor flushes
/// partial lines, cut on a UTF-8 character boundary; the rest of the line follows in the next record.
@Suite struct JSONLogWriterPartialTests {
    @Test func partialLinesAreWrittenUpToTheirLastWholeCharacter() throws {
        let dir = TestDirectory("lighter-log-partial")
        let path = dir.sub("c-json.log")
        let writer = try JSONLogWriter(path: path, options: LogOptions(maxSize: 1 << 20, maxFiles: 1))
        let prompt: [UInt8] = Array("/ # é".utf8)   // é is two bytes: C3 A9
        // The prompt and the first byte of a two-byte character: only the prompt goes out.
        try (prompt.dropLast()).withUnsafeBytes { try writer.write($0, stream: "stdout") }
        #expect(writer.hasPartialLine)
        try writer.flushPartialLines()
        #expect(!writer.hasPartialLine)   // only the first byte of é is left
        try [prompt.last!, 0x0a].withUnsafeBytes { try writer.write($0, stream: "stdout") }
        #expect(!writer.hasPartialLine)
        let records = try FileSystem.readFile(path).split(separator: 0x0a).map { try JSONNode.parse(Array($0), what: "record") }
        let logs = records.map { record -> String in
            guard case let .object(fields) = record, case let .string(text)? = fields["log"] else { return "?" }
            return text
        }
        #expect(logs == ["/ # ", "é\n"])
    }

    @Test(arguments: [([0x41], 1), ([0x41, 0xC3], 1), ([0xC3, 0xA9], 2), ([0xE2, 0x82], 0), ([0xE2, 0x82, 0xAC], 3),
                      ([0x41, 0xF0, 0x9F, 0x98], 1), ([0xF0, 0x9F, 0x98, 0x80], 4), ([0x80], 1)] as [([UInt8], Int)])
    func wholeCharacterBoundaries(bytes: [UInt8], whole: Int) {
        #expect(JSONLogWriter.wholeCharacters(bytes) == whole)
    }
}
