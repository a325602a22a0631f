#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterOCI
import LighterStore
import LighterSystem

extension DaemonRoutes {
    /// `docker save` and `docker load`: the docker-archive tar the CLI's `save` writes, and `load`'s
    /// reader (docker-archive or OCI layout). Registered before `/images/{name}/…`.
    static func addImageArchives(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("GET", "/images/get") { (request, responder) throws(LighterError) in
            try save(request.query["names"] ?? [], context, responder)
        }
        router.add("POST", "/images/load") { (request, responder) throws(LighterError) in
            let images = try context.engine().images
            let scratch = try DaemonScratch(root: context.root, purpose: "load")
            defer { scratch.remove() }
            let tar = try scratch.spool(request, as: "images.tar")
            let platform = try request.query("platform").flatMap { (p) throws(LighterError) -> Platform? in p.isEmpty ? nil : try Platform(parsing: p) }
            let loaded = try images.load(from: tar, platform: platform)
            var lines: [UInt8] = []
            for image in loaded {
                images.emit("load", id: image.id.description, name: image.tags.first?.familiar)
                let names = image.tags.isEmpty ? ["Loaded image ID: \(image.id)"] : image.tags.map { "Loaded image: \($0.familiar)" }
                for name in names { lines += JSONNode.object(["stream": .string(name + "\n")]).serialized() + [0x0a] }
            }
            responder.respond(status: 200, headers: [HTTPField("Content-Type", "application/json")], body: lines)
        }
    }

    /// `POST /images/create?fromSrc=-` (`docker import`): the body's tarball (plain, gzip or zstd) as a
    /// one-layer image, with `repo`/`tag`, `changes`, `message` and `platform` as the CLI's `import`.
    /// A URL source is refused: the daemon fetches nothing for an import.
    static func importImage(_ source: String, _ request: APIRequest, _ context: DaemonContext, _ responder: HTTPResponder) throws(LighterError) {
        guard source == "-" else {
            throw .invalidArgument("import from a URL (fromSrc=\(source)) is not served by Lighter's daemon; send the tarball as the body with fromSrc=-")
        }
        var reference: Reference?
        if let repo = request.query("repo"), !repo.isEmpty {
            let tag = request.query("tag").flatMap { $0.isEmpty ? nil : $0 }
            reference = try Reference(parsing: tag.map { "\(repo):\($0)" } ?? repo)
        }
        let platform = try request.query("platform").flatMap { (p) throws(LighterError) -> Platform? in p.isEmpty ? nil : try Platform(parsing: p) }
        let images = try context.engine().images
        let scratch = try DaemonScratch(root: context.root, purpose: "import")
        defer { scratch.remove() }
        let tar = try scratch.spool(request, as: "import.tar")
        let input = try FileDescriptor(path: tar, flags: O_RDONLY | O_CLOEXEC)
        defer { try? input.close() }
        let id = try images.importTarball(from: input, sourceName: "-", reference: reference, changes: request.query["changes"] ?? [],
                                          platform: platform, message: request.query("message").flatMap { $0.isEmpty ? nil : $0 })
        responder.respond(status: 200, headers: [HTTPField("Content-Type", "application/json")],
                          body: JSONNode.object(["status": .string(id.description)]).serialized() + [0x0a])
    }

    /// The docker-archive of `names`, streamed until the connection closes; unknown names are a 404
    /// before anything is sent.
    static func save(_ names: [String], _ context: DaemonContext, _ responder: HTTPResponder) throws(LighterError) {
        let wanted = names.filter { !$0.isEmpty }
        guard !wanted.isEmpty else { throw .invalidArgument("no images to save: give them with names=") }
        let images = try context.engine().images
        for name in wanted { _ = try images.resolve(name) }
        let connection = responder.streamUntilClose(contentType: "application/x-tar")
        try connection.withOutputDescriptor { (output) throws(LighterError) in
            try withBrokenPipeAsError { () throws(LighterError) in try images.save(wanted, format: .docker, to: output) }
        }
        for name in wanted { images.emit("save", id: (try? images.resolve(name).id.description) ?? name, name: name) }
    }
}
