import LighterAPI
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem
import Synchronization

extension DaemonRoutes {
    static func addImages(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("GET", "/images/json") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let wanted = try filters(request)
            var rows: [JSONNode] = []
            let all = request.flag("all")
            for image in try engine.images.images() where all || !image.isHiddenIntermediate {
                var keep = true
                for (key, value) in wanted {
                    switch key {
                    case "reference":
                        keep = keep && image.tags.contains { tag in
                            let familiar = (try? Reference(parsing: tag).familiar) ?? tag
                            return familiar == value || familiar.hasPrefix(value + ":") || tag == value
                        }
                    case "dangling": keep = keep && ((image.tags.isEmpty && !image.hasChildren) == (value == "true"))
                    default: throw .invalidArgument("invalid filter '\(key)' (supported: reference, dangling)")
                    }
                }
                if keep { rows.append(imageSummary(image)) }
            }
            responder.json(.array(rows))
        }
        router.add("POST", "/images/create") { (request, responder) throws(LighterError) in
            if let source = request.query("fromSrc"), !source.isEmpty {
                try importImage(source, request, context, responder)
                return
            }
            guard let from = request.query("fromImage"), !from.isEmpty else {
                throw .invalidArgument("fromImage (pull) or fromSrc=- (import of the body's tar) is required")
            }
            var name = from
            if let tag = request.query("tag"), !tag.isEmpty { name += tag.hasPrefix("sha256:") ? "@\(tag)" : ":\(tag)" }
            let reference = try Reference(parsing: name)
            let platform = try request.query("platform").flatMap { (p) throws(LighterError) -> Platform? in p.isEmpty ? nil : try Platform(parsing: p) }
            let images = try context.engine().images
            var options = RegistryOptions(insecureRegistries: [], maxConcurrentDownloads: 3)
            options.credentials = try registryAuth(request)
            let puller = ImagePuller(store: images, options: options)
            responder.startStream(contentType: "application/json")
            let sender = Mutex(responder)
            @Sendable func status(_ fields: [String: JSONNode]) {
                let bytes = JSONNode.object(fields).serialized() + [0x0a]
                sender.withLock { _ = $0.send(bytes) }
            }
            status(["status": .string(reference.digest == nil ? "Pulling from \(reference.familiarName)" : "Pulling \(reference.familiar)"),
                    "id": .string(reference.tag ?? "latest")])
            do throws(LighterError) {
                let pulled = try runBlocking { () async throws(LighterError) -> PulledImage in
                    try await puller.pull(reference, platform: platform) { event in
                        switch event {
                        case let .layerExists(digest): status(["status": .string("Already exists"), "id": .string(String(digest.hex.prefix(12)))])
                        case let .layerStarted(digest, _): status(["status": .string("Pulling fs layer"), "id": .string(String(digest.hex.prefix(12)))])
                        case let .layerProgress(digest, bytes, size):
                            status(["status": .string("Downloading"), "id": .string(String(digest.hex.prefix(12))),
                                    "progressDetail": .object(["current": number(bytes), "total": number(size)])])
                        case let .layerVerified(digest): status(["status": .string("Download complete"), "id": .string(String(digest.hex.prefix(12)))])
                        case let .notice(text): status(["status": .string(text)])
                        case .resolved, .unpacking: break
                        }
                    }
                }
                images.emit("pull", id: reference.familiar, name: reference.familiar)
                status(["status": .string("Digest: \(pulled.resolvedDigest)")])
                status(["status": .string(pulled.downloadedLayers > 0 ? "Status: Downloaded newer image for \(reference.familiar)"
                                                                      : "Status: Image is up to date for \(reference.familiar)")])
            } catch {
                // Headers are sent: the error travels in the stream, as Docker's does.
                status(["errorDetail": .object(["message": .string(error.description)]), "error": .string(error.description)])
            }
            sender.withLock { $0.finish() }
        }
        router.add("GET", "/images/{*}") { (request, responder) throws(LighterError) in
            // `/images/{name}/json`, where the name may hold slashes (`registry:5000/team/app`).
            let path = request.parameter("*")
            if path.hasSuffix("/history") {
                try history(String(path.dropLast("/history".count)), context, responder)
                return
            }
            if path.hasSuffix("/get") {
                try save([String(path.dropLast("/get".count))], context, responder)
                return
            }
            guard path.hasSuffix("/json") else {
                unservedImagePath(path, method: "GET", responder)
                return
            }
            let images = try context.engine().images
            let (id, _) = try images.resolve(String(path.dropLast("/json".count)))
            responder.json(try ImageInspectDocument.build(store: images, id: id))
        }
        router.add("DELETE", "/images/{*}") { (request, responder) throws(LighterError) in
            let images = try context.engine().images
            let events = try images.remove(request.parameter("*"), force: request.flag("force"), prune: !request.flag("noprune"))
            responder.json(.array(events.map { event -> JSONNode in
                switch event {
                case let .untagged(name): .object(["Untagged": .string(name)])
                case let .deleted(id): .object(["Deleted": .string(id.description)])
                }
            }))
        }
        router.add("POST", "/images/{*}") { (request, responder) throws(LighterError) in
            // `/images/{name}/tag?repo=&tag=`.
            let path = request.parameter("*")
            if path.hasSuffix("/push") {
                try push(String(path.dropLast("/push".count)), request, context, responder)
                return
            }
            guard path.hasSuffix("/tag") else {
                unservedImagePath(path, method: "POST", responder)
                return
            }
            guard let repo = request.query("repo"), !repo.isEmpty else { throw .invalidArgument("repository name (repo) is required") }
            let tag = request.query("tag").flatMap { $0.isEmpty ? nil : $0 } ?? "latest"
            try context.engine().images.tag(String(path.dropLast("/tag".count)), as: "\(repo):\(tag)")
            responder.respond(status: 201)
        }
    }

    /// Any other `/images/{name}/…`: 404, as Docker.
    static func unservedImagePath(_ path: String, method: String, _ responder: HTTPResponder) {
        responder.error(404, "page not found")
    }

    /// One row of `GET /images/json` (moby's ImageSummary).
    static func imageSummary(_ image: ImageRecord) -> JSONNode {
        let tags = image.tags.compactMap { try? Reference(parsing: $0).familiar }
        let digests = image.repoDigests.compactMap { try? Reference(parsing: $0).familiar }
        return .object([
            "Id": .string(image.id.description),
            "ParentId": .string(image.parent?.description ?? ""),
            "RepoTags": .array((tags.isEmpty ? ["<none>:<none>"] : tags).map(JSONNode.string)),
            // API 1.41's dangling image: both placeholders (with only "<none>:<none>" docker CLIs list no row for it).
            "RepoDigests": .array((tags.isEmpty && digests.isEmpty ? ["<none>@<none>"] : digests).map(JSONNode.string)),
            "Created": number(image.createdSeconds),
            "Size": number(image.size),
            "VirtualSize": number(image.size),
            "SharedSize": number(-1),
            "Labels": .object([:]),
            "Containers": number(-1),
        ])
    }
}
