import LighterAPI
import LighterBuild
import LighterOCI
import LighterSystem

extension DaemonRoutes {
    /// `POST /commit` (the CLI's `commit`: the container's upper directory as a new layer, `changes`
    /// as Dockerfile instructions; a running container is paused meanwhile unless `pause=0`).
    static func addCommit(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/commit") { (request, responder) throws(LighterError) in
            guard let container = request.query("container"), !container.isEmpty else {
                throw .invalidArgument("the container to commit is required (container=)")
            }
            // The body is a container config to merge; Docker's CLI sends none (`null`). Lighter
            // applies `changes=` only, and refuses a config it would otherwise drop.
            if !request.body.isEmpty {
                let node = try JSONNode.parse(request.body, what: "commit config")
                if case let .object(fields) = node, let set = fields.first(where: { !isEmptyJSON($0.value) }) {
                    throw .invalidArgument("the commit config's \(set.key) is not applied by Lighter's daemon; give it as changes= (a Dockerfile instruction)")
                }
            }
            var reference: Reference?
            if let repo = request.query("repo"), !repo.isEmpty {
                let tag = request.query("tag").flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
                reference = try Reference(parsing: "\(repo):\(tag)")
            }
            let engine = try context.engine()
            let id = try engine.resolve(container)
            let running = try engine.inspect(id).state.status == .running
            let pause = running && (request.query("pause") == nil || request.flag("pause"))
            if pause { try engine.pause(id) }
            let image: Digest
            do throws(LighterError) {
                image = try ContainerCommit.commit(engine: engine, container: id, reference: reference, changes: request.query["changes"] ?? [],
                                                   message: request.query("comment").flatMap { $0.isEmpty ? nil : $0 },
                                                   author: request.query("author").flatMap { $0.isEmpty ? nil : $0 })
            } catch {
                if pause { try? engine.unpause(id) }
                throw error
            }
            if pause { try engine.unpause(id) }
            responder.json(.object(["Id": .string(image.description)]), status: 201)
        }
    }

    static func isEmptyJSON(_ node: JSONNode) -> Bool {
        switch node {
        case .null, .bool(false): return true
        case let .string(text): return text.isEmpty
        case let .number(text): return text == "0"
        case let .array(items): return items.isEmpty
        case let .object(fields): return fields.values.allSatisfy(isEmptyJSON)
        default: return false
        }
    }

    /// `GET /images/{name}/history`: moby's HistoryResponseItem list, newest first; the top entry
    /// carries the image ID and tags, each one below its parent's (a build's step images) while the
    /// chain lasts, the rest `<missing>`.
    static func history(_ name: String, _ context: DaemonContext, _ responder: HTTPResponder) throws(LighterError) {
        let store = try context.engine().images
        let (id, _) = try store.resolve(name)
        let record = try store.image(id: id)
        let config = try store.config(of: id)
        let history = config.history ?? record.layers.map { _ in ImageConfig.History(created: config.created, createdBy: nil) }
        let ids = try store.historyImageIDs(of: id, entries: history.count)
        let images = try store.images()
        var layerIndex = record.layers.count
        var rows: [JSONNode] = []
        for (row, (_, entry)) in history.enumerated().reversed().enumerated() {
            var size: Int64 = 0
            if !(entry.empty_layer ?? false), layerIndex > 0 {
                layerIndex -= 1
                size = record.layers[layerIndex].size
            }
            let shown = ids[row]
            let tags = shown.flatMap { shown in images.first { $0.id == shown } }?.tags.compactMap { try? Reference(parsing: $0).familiar } ?? []
            rows.append(.object([
                "Id": .string(shown?.description ?? "<missing>"),
                "Created": number(entry.created.flatMap(Time.parseRFC3339) ?? 0),
                "CreatedBy": .string(entry.created_by ?? ""),
                "Tags": !tags.isEmpty ? .array(tags.map(JSONNode.string)) : .null,
                "Size": number(size),
                "Comment": .string(entry.comment ?? ""),
            ]))
        }
        responder.json(.array(rows))
    }
}
