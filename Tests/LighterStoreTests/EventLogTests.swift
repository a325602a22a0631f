import Testing
import LighterStore
import LighterSystem
import LighterTestSupport

@Suite struct EventLogTests {
    @Test func appendsReadsBackAndRotatesPastItsLimit() throws {
        let dir = TestDirectory("event-log")
        let log = EventLog(root: dir.path, limit: 1000)
        for i in 0..<40 { log.append(Event(type: "volume", action: "create", actorID: "v\(i)", attributes: ["driver": "local"])) }
        let events = log.read()
        #expect(FileSystem.exists(log.rotatedPath))
        let size = FileSystem.lstatOrNil(log.path).map { Int64($0.st_size) } ?? 0
        #expect(size <= 1000 + 200, "the current file stays near the limit: \(size)")
        // Oldest first, the newest kept, none twice; older generations are dropped.
        #expect(events.last?.actorID == "v39")
        #expect(events.count < 40 && events.count > 5, "\(events.count)")
        let ids = events.map(\.actorID)
        #expect(ids == ids.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
        #expect(Set(ids).count == ids.count)
        #expect(events.allSatisfy { $0.type == "volume" && $0.attributes == ["driver": "local"] && $0.timeNano > 1_600_000_000_000_000_000 })
    }

    @Test func aTornLastLineIsSkipped() throws {
        let dir = TestDirectory("event-log-torn")
        let log = EventLog(root: dir.path)
        log.append(Event(type: "container", action: "create", actorID: "abc", attributes: ["name": "x", "image": "busybox"]))
        var bytes = try FileSystem.readFile(log.path)
        bytes += Array("{\"Type\":\"container\",\"Act".utf8)
        try FileSystem.writeDurably(bytes, to: log.path)
        let events = log.read()
        #expect(events.count == 1 && events[0].actorID == "abc" && events[0].attributes["name"] == "x")
    }
}
