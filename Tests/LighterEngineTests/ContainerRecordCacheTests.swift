import Testing
@testable import LighterEngine
import LighterSystem
import LighterTestSupport

/// The daemon's record cache: a record is parsed once while its file keeps its bytes, and a record
/// another process rewrites (the CLI, a monitor) is read again, never served stale.
@Suite struct ContainerRecordCacheTests {
    @Test func aRewrittenRecordIsReadAgainAndARemovedOneForgotten() throws {
        let dir = TestDirectory("lighter-record-cache")
        let cache = ContainerRecordCache()
        let engine = try Engine(root: dir.path, recordCache: cache)
        let other = try Engine(root: dir.path)
        var record = try ContainerRecordJSONTests.full()
        try FileSystem.makeDirectories(engine.directory(record.id))
        record.state.status = .running
        try other.save(record)
        #expect(try engine.record(record.id).state.status == .running)
        #expect(cache.count == 1)
        #expect(try engine.record(record.id).state.status == .running)

        record.state.status = .exited
        record.state.exitCode = 7
        try other.save(record)
        let again = try engine.record(record.id)
        #expect(again.state.status == .exited && again.state.exitCode == 7)

        try FileSystem.removeTree(engine.directory(record.id))
        #expect(throws: LighterError.self) { try engine.record(record.id) }
        #expect(cache.count == 0)
    }
}
