#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterEngine
import LighterRuntime
import LighterSystem

/// `GET /containers/{id}/stats`: Docker's StatsJSON from the container's cgroups, each document with the
/// previous sample as `precpu_stats` (the CLI's CPU % is the ratio of the two deltas, cpu over system,
/// times the online CPUs). One document (`stream=0`, two samples half a second apart) or one a second.
extension DaemonRoutes {
    static func addStats(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("GET", "/containers/{id}/stats") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let stream = request.query("stream").map { _ in request.flag("stream") } ?? true
            let oneShot = request.flag("one-shot")
            var previous = try StatsSample.take(engine, id)
            responder.startStream(contentType: "application/json")
            if !stream && !oneShot { usleep(500_000) }
            while true {
                let now = try StatsSample.take(engine, id)
                if !responder.send(now.document(previous: oneShot ? nil : previous).serialized() + [0x0a]) { return }
                previous = now
                if !stream || !now.running { break }
                for _ in 0..<10 {
                    usleep(100_000)
                    if responder.connection.peerClosed { return }
                }
            }
            responder.finish()
        }
    }
}

/// One sample of a container's usage and the host's CPU time.
struct StatsSample {
    var record: ContainerRecord
    var cgroup: CgroupStats?
    var systemNanoseconds: UInt64
    var network: (UInt64, UInt64)
    var time: String

    var running: Bool { cgroup != nil }

    static func take(_ engine: Engine, _ id: String) throws(LighterError) -> StatsSample {
        let record = try engine.inspect(id)
        let active = record.state.status == .running || record.state.status == .paused
        let cgroup = active ? try? engine.runtime.stats(id: id) : nil
        let network = active && record.spec.network != "host" ? Engine.networkBytes(pid: record.state.pid) : (0, 0)
        let now = Time.now()
        return StatsSample(record: record, cgroup: cgroup, systemNanoseconds: systemCPU(), network: network,
                           time: Time.rfc3339(seconds: now.seconds, nanoseconds: now.nanoseconds))
    }

    /// The host's CPU time in nanoseconds: the `cpu` line of /proc/stat in clock ticks (Docker's system_cpu_usage).
    static func systemCPU() -> UInt64 {
        guard let text = try? FileSystem.readString("/proc/stat"), let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }.reduce(0, +)
        return ticks * (1_000_000_000 / UInt64(max(1, sysconf(Int32(_SC_CLK_TCK)))))
    }

    func cpuStats() -> JSONNode {
        guard cgroup != nil else { return .object(["cpu_usage": .object(["total_usage": .number("0")]), "throttling_data": .object([:])]) }
        return .object([
            "cpu_usage": .object(["total_usage": .number(String(cgroup?.cpuNanoseconds ?? 0)), "usage_in_kernelmode": .number("0"),
                                  "usage_in_usermode": .number("0")]),
            "system_cpu_usage": .number(String(systemNanoseconds)),
            "online_cpus": .number(String(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))),
            "throttling_data": .object(["periods": .number("0"), "throttled_periods": .number("0"), "throttled_time": .number("0")]),
        ])
    }

    func document(previous: StatsSample?) -> JSONNode {
        var doc: [String: JSONNode] = [
            "id": .string(record.id), "name": .string("/" + record.name),
            "read": .string(running ? time : "0001-01-01T00:00:00Z"),
            "preread": .string(previous?.running == true ? previous!.time : "0001-01-01T00:00:00Z"),
            "cpu_stats": cpuStats(),
            "precpu_stats": previous.map { $0.cpuStats() } ?? .object(["cpu_usage": .object(["total_usage": .number("0")]), "throttling_data": .object([:])]),
            "pids_stats": cgroup.map { .object(["current": .number(String($0.pids ?? 0))]) } ?? .object([:]),
        ]
        if let cgroup {
            let hostMemory = UInt64(sysconf(Int32(_SC_PHYS_PAGES))) &* UInt64(sysconf(Int32(_SC_PAGESIZE)))
            doc["memory_stats"] = .object(["usage": .number(String(cgroup.memoryUsage ?? 0)),
                                           "limit": .number(String(min(cgroup.memoryLimit ?? hostMemory, hostMemory))),
                                           "stats": .object([:])])
            doc["blkio_stats"] = .object(["io_service_bytes_recursive": .array([
                .object(["major": .number("0"), "minor": .number("0"), "op": .string("read"), "value": .number(String(cgroup.blockRead ?? 0))]),
                .object(["major": .number("0"), "minor": .number("0"), "op": .string("write"), "value": .number(String(cgroup.blockWrite ?? 0))]),
            ])])
            if record.spec.network != "host" {
                doc["networks"] = .object(["eth0": .object(["rx_bytes": .number(String(network.0)), "tx_bytes": .number(String(network.1)),
                                                            "rx_packets": .number("0"), "tx_packets": .number("0"), "rx_errors": .number("0"),
                                                            "tx_errors": .number("0"), "rx_dropped": .number("0"), "tx_dropped": .number("0")])])
            }
        } else {
            doc["memory_stats"] = .object([:])
            doc["blkio_stats"] = .object(["io_service_bytes_recursive": .null])
        }
        return .object(doc)
    }
}
