import LighterEngine
import LighterSystem
import Testing
@testable import LighterCLI

/// Bodies of `POST /containers/{id}/update` and create's `ConsoleSize`, read as the daemon does.
@Suite struct DaemonUpdateRequestTests {
    static func fields(_ json: String) throws -> [String: JSONNode] {
        guard case let .object(fields) = try JSONNode.parse(Array(json.utf8), what: "test") else { throw CancellationError() }
        return fields
    }

    @Test func updateReadsWhatTheDockerCLISendsZeroMeaningUnchanged() throws {
        let change = try DaemonRoutes.containerUpdate(try Self.fields("""
            {"Memory":67108864,"MemorySwap":0,"NanoCpus":500000000,"CpuShares":0,"CpuPeriod":0,"CpuQuota":0,"CpusetCpus":"",
             "CpusetMems":"","BlkioWeight":0,"BlkioWeightDevice":null,"Devices":null,"KernelMemory":0,"MemoryReservation":0,
             "MemorySwappiness":null,"OomKillDisable":null,"PidsLimit":0,"Ulimits":null,"CpuCount":0,
             "RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}}
            """))
        var expected = ContainerUpdate()
        expected.memory = 67_108_864
        expected.cpuPeriod = 100_000
        expected.cpuQuota = 50_000
        expected.nanoCpus = 500_000_000
        expected.pidsLimit = -1
        expected.restart = .onFailure(maxRetries: 3)
        #expect(change == expected)
        #expect(try DaemonRoutes.containerUpdate(try Self.fields(#"{"Memory":0,"RestartPolicy":{"Name":"","MaximumRetryCount":0}}"#)).isEmpty)
    }

    @Test func updateRefusesWhatItCannotSetByName() throws {
        #expect(throws: LighterError.invalidArgument("BlkioWeight is not supported by Lighter (it was set to 300)")) {
            try DaemonRoutes.containerUpdate(try Self.fields(#"{"BlkioWeight":300}"#))
        }
        #expect(throws: LighterError.self) { try DaemonRoutes.containerUpdate(try Self.fields(#"{"RestartPolicy":{"Name":"always","MaximumRetryCount":2}}"#)) }
        #expect(throws: LighterError.self) { try DaemonRoutes.containerUpdate(try Self.fields(#"{"Memory":1024}"#)) }
        #expect(throws: LighterError.self) { try DaemonRoutes.containerUpdate(try Self.fields(#"{"NanoCpus":1}"#)) }
    }

    @Test func consoleSizeIsKeptForATerminal() throws {
        let sized = try DockerCreateRequest(try Self.fields(#"{"Image":"b","Tty":true,"HostConfig":{"ConsoleSize":[24,80]}}"#))
        #expect(sized.flags.consoleSize == [24, 80])
        let none = try DockerCreateRequest(try Self.fields(#"{"Image":"b","HostConfig":{"ConsoleSize":[0,0]}}"#))
        #expect(none.flags.consoleSize == nil)
        #expect(throws: LighterError.self) { try DockerCreateRequest(try Self.fields(#"{"Image":"b","HostConfig":{"ConsoleSize":[24]}}"#)) }
    }
}
