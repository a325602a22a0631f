#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterEngine
import LighterOCI
import LighterRuntime
import LighterStore
import LighterSystem

extension DaemonRoutes {
    static func addContainers(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("GET", "/containers/json") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let filter = try ContainerFilter(try filters(request).map { "\($0.0)=\($0.1)" })
            var keyed: [(created: Int64, record: ContainerRecord)] = []
            for id in try engine.allIDs().reversed() {
                guard let record = try? engine.inspect(id) else { continue }
                keyed.append((PsOptions.createdNanoseconds(record.created), record))
            }
            // Each creation time parsed once, not once per comparison (a fifth of the list's time at 50).
            let records = keyed.sorted { $0.created > $1.created }.map(\.record)
            let limit = Int(request.query("limit") ?? "") ?? -1
            let everyState = request.flag("all") || limit > 0 || !filter.isEmpty
            var rows: [JSONNode] = []
            for record in records {
                let running = [.running, .restarting, .paused].contains(record.state.status)
                if !everyState && !running { continue }
                guard try filter.matches(record, among: records, engine: engine) else { continue }
                if limit > 0 && rows.count >= limit { break }
                rows.append(containerSummary(record, engine: engine))
            }
            responder.json(.array(rows))
        }
        router.add("POST", "/containers/create") { (request, responder) throws(LighterError) in
            var create = try DockerCreateRequest(body(request))
            // `?platform=` (API 1.41): the image must be that platform's, as `run --platform` checks.
            if let platform = request.query("platform"), !platform.isEmpty { create.flags.platform = platform }
            let engine = try context.engine()
            var spec = try create.flags.spec(image: create.image, command: create.command, autoRemove: create.autoRemove)
            if let entrypoint = create.entrypoint { spec.entrypoint = entrypoint }
            if let healthcheck = create.healthcheck { spec.healthcheck = healthcheck }
            try ContainerFlags.applyVolumesFrom(create.flags.volumesFrom, engine: engine, to: &spec)
            let name = request.query("name").flatMap { $0.isEmpty ? nil : $0 }
            let record = try engine.create(spec, name: name)
            responder.json(.object(["Id": .string(record.id), "Warnings": .array([])]), status: 201)
        }
        router.add("GET", "/containers/{id}/json") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let record = try engine.inspect(try engine.resolve(request.parameter("id")))
            responder.json(ContainerInspectDocument.build(record, engine: engine))
        }
        router.add("POST", "/containers/{id}/start") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let record = try engine.inspect(id)
            if record.state.status == .running || record.state.status == .restarting {
                responder.respond(status: 304)
                return
            }
            try context.start(engine, id)
            responder.respond(status: 204)
        }
        router.add("POST", "/containers/{id}/stop") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let record = try engine.inspect(id)
            guard record.state.status == .running || record.state.status == .restarting || record.state.status == .paused else {
                responder.respond(status: 304)
                return
            }
            try engine.stop(id, timeout: try timeout(request), signal: try request.query("signal").map { (s) throws(LighterError) in try Signals.parse(s) })
            responder.respond(status: 204)
        }
        router.add("POST", "/containers/{id}/restart") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            try engine.stop(id, timeout: try timeout(request))
            try context.start(engine, id)
            responder.respond(status: 204)
        }
        router.add("POST", "/containers/{id}/kill") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let signal = try Signals.parse(request.query("signal").flatMap { $0.isEmpty ? nil : $0 } ?? "SIGKILL")
            let pid = (try? engine.inspect(id))?.state.pid
            try engine.kill(id, signal: signal)
            // dockerd answers a SIGKILL once the container is no longer running (docker-py's `kill()` then
            // `commit()` or `reload()` relies on it); a restart policy may start it again meanwhile.
            if signal == SIGKILL {
                for _ in 0..<1000 {
                    guard let now = try? engine.inspect(id), now.state.status == .running, now.state.pid == pid else { break }
                    usleep(10_000)
                }
            }
            responder.respond(status: 204)
        }
        router.add("DELETE", "/containers/{id}") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            if request.flag("link") { throw .invalidArgument("legacy links are not supported by Lighter") }
            let record = try engine.inspect(id)
            if !request.flag("force") && (record.state.status == .running || record.state.status == .restarting || record.state.status == .paused) {
                throw .conflict("You cannot remove a \(record.state.status.rawValue) container \(record.id). Stop the container before attempting removal or force remove")
            }
            try engine.remove(id, force: request.flag("force"), volumes: request.flag("v"))
            responder.respond(status: 204)
        }
    }

    /// `t` (or `timeout`, API 1.42): seconds before SIGKILL; -1 waits forever (Lighter: a day).
    static func timeout(_ request: APIRequest) throws(LighterError) -> Int? {
        guard let text = request.query("t") ?? request.query("timeout"), !text.isEmpty else { return nil }
        guard let seconds = Int(text) else { throw .invalidArgument("invalid value for t: \(text)") }
        return seconds < 0 ? 86_400 : seconds
    }

    /// One row of `GET /containers/json` (moby's ContainerSummary).
    static func containerSummary(_ record: ContainerRecord, engine: Engine) -> JSONNode {
        let ports = ((try? engine.networks.store.ports(container: record.id)) ?? []).map { port -> JSONNode in
            .object(["IP": .string(port.hostIP.isEmpty ? "0.0.0.0" : port.hostIP), "PrivatePort": number(port.containerPort),
                     "PublicPort": number(port.hostPort), "Type": .string(port.proto)])
        }
        // The two parts of inspect's document a row carries, made alone: the whole document reads and
        // parses the image's config, which made `docker ps` with 50 containers 4× slower than `lighter ps`.
        var networks: JSONNode = .object([:])
        let running = [.running, .paused, .restarting].contains(record.state.status)
        if case let .object(settings) = ContainerInspectDocument.networkSettings(record, running: running, exposed: [], engine: engine),
           let value = settings["Networks"] { networks = value }
        let mounts: JSONNode = .array(record.spec.binds.map(ContainerInspectDocument.mountEntry))
        return .object([
            "Id": .string(record.id),
            "Names": .array([.string("/" + record.name)]),
            "Image": .string(record.spec.image),
            "ImageID": .string(record.spec.imageID.description),
            "Command": .string(([record.path] + record.args).joined(separator: " ")),
            "Created": number(Time.parseRFC3339(record.created) ?? 0),
            "Ports": .array(ports),
            "Labels": .object(record.spec.labels.mapValues(JSONNode.string)),
            "State": .string(record.state.status.rawValue),
            "Status": .string(PsOptions.status(record)),
            "HostConfig": .object(["NetworkMode": .string(record.spec.network == "bridge" ? "default" : record.spec.network)]),
            "NetworkSettings": .object(["Networks": networks]),
            "Mounts": mounts,
        ])
    }
}
