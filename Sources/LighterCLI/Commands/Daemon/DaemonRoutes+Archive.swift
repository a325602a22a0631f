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
            let loaded = try images.load(from: tar, platform: nil)
            var lines: [UInt8] = []
            for image in loaded {
                images.emit("load", id: image.id.description, name: image.tags.first?.familiar)
                let names = image.tags.isEmpty ? ["Loaded image ID: \(image.id)"] : image.tags.map { "Loaded image: \($0.familiar)" }
                for name in names { lines += JSONNode.object(["stream": .string(name + "\n")]).serialized() + [0x0a] }
            }
            responder.respond(status: 200, headers: [HTTPField("Content-Type", "application/json")], body: lines)
        }
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
