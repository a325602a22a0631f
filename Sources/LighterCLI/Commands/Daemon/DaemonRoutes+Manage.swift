#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterEngine
import LighterSystem

/// Rename, pause/unpause, top, changes, export and the container and volume prunes: one engine call each, as the CLI.
extension DaemonRoutes {
    static func addManagement(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/containers/{id}/rename") { (request, responder) throws(LighterError) in
            guard let name = request.query("name"), !name.isEmpty else { throw .invalidArgument("name is required (name=)") }
            let engine = try context.engine()
            try engine.renameContainer(try engine.resolve(request.parameter("id")), to: name)
            responder.respond(status: 204)
        }
        router.add("POST", "/containers/{id}/pause") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            try engine.pause(try engine.resolve(request.parameter("id")))
            responder.respond(status: 204)
        }
        router.add("POST", "/containers/{id}/unpause") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            try engine.unpause(try engine.resolve(request.parameter("id")))
            responder.respond(status: 204)
        }
        router.add("GET", "/containers/{id}/top") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let processes = try engine.top(try engine.resolve(request.parameter("id")))
            if let options = request.query("ps_args"), !options.isEmpty {
                // The host's ps with those options, cut to the container's processes (Docker's way).
                let lines = try TopCommand.hostPs(options.split(separator: " ").map(String.init), pids: Set(processes.map(\.pid)))
                let titles = lines.first.map { $0.split(separator: " ").map(String.init) } ?? []
                let rows = lines.dropFirst().map { line -> JSONNode in
                    let fields = line.split(separator: " ", maxSplits: max(titles.count - 1, 0)).map { JSONNode.string(String($0)) }
                    return .array(fields)
                }
                responder.json(.object(["Titles": .array(titles.map(JSONNode.string)), "Processes": .array(rows)]))
                return
            }
            let users = TopCommand.hostUsers()
            let ticks = max(1, Int(sysconf(Int32(_SC_CLK_TCK))))
            let rows: [JSONNode] = processes.map { process in
                let seconds = Int(process.cpuTicks) / ticks
                let time = "\(seconds / 60):" + (seconds % 60 < 10 ? "0" : "") + String(seconds % 60)
                return .array([.string(String(process.pid)), .string(users[process.uid] ?? String(process.uid)), .string(time), .string(process.command)])
            }
            responder.json(.object(["Titles": .array(["PID", "USER", "TIME", "COMMAND"].map(JSONNode.string)), "Processes": .array(rows)]))
        }
        router.add("GET", "/containers/{id}/changes") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let changes = try engine.changes(try engine.resolve(request.parameter("id")))
            // Docker's kinds: 0 modified, 1 added, 2 deleted.
            responder.json(changes.isEmpty ? .null : .array(changes.map { change -> JSONNode in
                let kind = switch change.kind { case .changed: "0"; case .added: "1"; case .deleted: "2" }
                return .object(["Path": .string(change.path), "Kind": .number(kind)])
            }))
        }
        router.add("GET", "/containers/{id}/export") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            _ = try engine.inspect(id)
            // The tar goes straight onto the socket; its end is the connection's end (no length known ahead).
            let connection = responder.streamUntilClose(contentType: "application/x-tar")
            try? connection.withOutputDescriptor { (output) throws(LighterError) in
                try withBrokenPipeAsError { () throws(LighterError) in try engine.export(id, to: output) }
            }
        }
        router.add("POST", "/containers/prune") { (request, responder) throws(LighterError) in
            if !(try filters(request)).isEmpty { throw .invalidArgument("container prune filters are not supported by Lighter's daemon") }
            let (removed, reclaimed) = try context.engine().pruneContainers()
            responder.json(.object(["ContainersDeleted": removed.isEmpty ? .null : .array(removed.map(JSONNode.string)), "SpaceReclaimed": number(reclaimed)]))
        }
        router.add("POST", "/volumes/prune") { (request, responder) throws(LighterError) in
            if !(try filters(request)).isEmpty { throw .invalidArgument("volume prune filters are not supported by Lighter's daemon") }
            let removed = try context.engine().pruneVolumes()
            responder.json(.object(["VolumesDeleted": removed.isEmpty ? .null : .array(removed.map(JSONNode.string)), "SpaceReclaimed": number(0)]))
        }
    }
}
