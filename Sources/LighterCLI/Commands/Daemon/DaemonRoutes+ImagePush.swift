import LighterAPI
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem
import Synchronization

/// `docker push` (`POST /images/{name}/push?tag=`): the CLI's `ImagePusher`, with Docker's progress
/// stream and the credentials the client sends in `X-Registry-Auth`.
extension DaemonRoutes {
    static func push(_ name: String, _ request: APIRequest, _ context: DaemonContext, _ responder: HTTPResponder) throws(LighterError) {
        let images = try context.engine().images
        let repository = try Reference(parsing: name)
        guard repository.digest == nil else { throw .invalidArgument("push \(name): push by tag, not by digest") }
        var targets: [Reference] = []
        if let tag = request.query("tag"), !tag.isEmpty {
            targets = [try Reference(parsing: "\(repository.familiarName):\(tag)")]
        } else if repository.tag != nil {
            targets = [repository]
        } else {
            // No tag: every tag of the repository (`docker push --all-tags`).
            for image in try images.images() {
                for tag in image.tags {
                    if let reference = try? Reference(parsing: tag), reference.familiarName == repository.familiarName, reference.digest == nil {
                        targets.append(reference)
                    }
                }
            }
        }
        guard !targets.isEmpty else { throw .notFound(kind: "image", name: "\(repository.familiarName): no tag of it exists locally") }
        // An unknown image is Docker's 404 before the stream starts.
        for target in targets {
            do { _ = try images.resolve(target.familiar) } catch {
                throw .notFound(kind: "image", name: "\(target.familiar) (an image does not exist locally with this tag)")
            }
        }
        var options = RegistryOptions(insecureRegistries: [], maxConcurrentDownloads: 3)
        options.credentials = try registryAuth(request)
        let pusher = ImagePusher(store: images, options: options)
        responder.startStream(contentType: "application/json")
        let sender = Mutex(responder)
        @Sendable func status(_ fields: [String: JSONNode]) {
            let bytes = JSONNode.object(fields).serialized() + [0x0a]
            sender.withLock { _ = $0.send(bytes) }
        }
        status(["status": .string("The push refers to repository [\(repository.registry)/\(repository.repository)]")])
        do throws(LighterError) {
            for target in targets {
                let image = try images.pushable(target.familiar)
                for layer in image.manifest.layers {
                    status(["status": .string("Preparing"), "progressDetail": .object([:]), "id": .string(String(layer.digest.hex.prefix(12)))])
                }
                // Docker lists the layers only (the config blob goes unmentioned).
                let layers = Set(image.manifest.layers.map(\.digest))
                let digest = try runBlocking { () async throws(LighterError) -> Digest in
                    try await pusher.push(target.familiar, as: target) { event in
                        switch event {
                        case let .blobExists(digest) where !layers.contains(digest), let .blobPushed(digest, _) where !layers.contains(digest),
                             let .blobMounted(digest, _) where !layers.contains(digest):
                            break
                        case let .blobExists(digest):
                            status(["status": .string("Layer already exists"), "progressDetail": .object([:]), "id": .string(String(digest.hex.prefix(12)))])
                        case let .blobMounted(digest, from):
                            status(["status": .string("Mounted from \(from)"), "progressDetail": .object([:]), "id": .string(String(digest.hex.prefix(12)))])
                        case let .blobPushed(digest, _):
                            status(["status": .string("Pushed"), "progressDetail": .object([:]), "id": .string(String(digest.hex.prefix(12)))])
                        case .manifestPushed: break
                        }
                    }
                }
                let tag = target.tag ?? "latest"
                let size = image.manifestBytes.count
                status(["status": .string("\(tag): digest: \(digest) size: \(size)")])
                status(["progressDetail": .object([:]), "aux": .object(["Tag": .string(tag), "Digest": .string(digest.description), "Size": number(size)])])
                images.emit("push", id: image.id.description, name: target.familiar)
            }
        } catch {
            // Headers are sent: the error travels in the stream, as Docker's does.
            status(["errorDetail": .object(["message": .string(error.description)]), "error": .string(error.description)])
        }
        sender.withLock { $0.finish() }
    }

    /// Docker's `X-Registry-Auth`: base64url of `{"username", "password", "auth", "serveraddress", "identitytoken"}`;
    /// absent or empty: none (the daemon's own credential files then apply).
    static func registryAuth(_ request: APIRequest) throws(LighterError) -> Credentials? {
        guard let header = request.head["X-Registry-Auth"], !header.isEmpty else { return nil }
        var text = header.replacing("-", with: "+").replacing("_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Base64.decode(text),
              case let .object(fields) = try JSONNode.parse(data, what: "X-Registry-Auth") else {
            throw .invalidArgument("X-Registry-Auth is not base64url of a JSON object")
        }
        func field(_ name: String) -> String {
            if case let .string(value)? = fields[name] { return value }
            return ""
        }
        if !field("identitytoken").isEmpty || !field("registrytoken").isEmpty {
            throw .invalidArgument("X-Registry-Auth: identity and registry tokens are not supported by Lighter's daemon; log in with a user name and password")
        }
        if !field("username").isEmpty { return Credentials(username: field("username"), password: field("password")) }
        if !field("auth").isEmpty { return try Credentials(decoding: field("auth"), registry: field("serveraddress")) }
        return nil
    }
}
