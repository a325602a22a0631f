#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterEngine
import LighterSystem

/// `docker cp` through the API: `HEAD`/`GET`/`PUT /containers/{id}/archive`, with the path's stat in
/// `X-Docker-Container-Path-Stat` (base64 of moby's PathStat JSON). The engine's `cp` code does the work
/// (every path resolved in the container's root by descriptor, a running container's through its mount
/// namespace, a stopped one's with its volumes and binds).
extension DaemonRoutes {
    static func addCopyArchive(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("HEAD", "/containers/{id}/archive") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let (_, stat) = try pathStat(request, engine)
            responder.respond(status: 200, headers: [statHeader(stat), HTTPField("Content-Type", "application/json")])
        }
        router.add("GET", "/containers/{id}/archive") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let (id, stat) = try pathStat(request, engine)
            let path = try archivePath(request)
            let connection = responder.streamUntilClose(contentType: "application/x-tar", headers: [statHeader(stat)])
            // The head is sent: a failure now can only end the stream early (the client sees a short tar);
            // the daemon's log says why.
            do throws(LighterError) {
                try connection.withOutputDescriptor { (output) throws(LighterError) in
                    try withBrokenPipeAsError { () throws(LighterError) in try engine.copyOutArchive(id, from: path, to: output, dotEntries: true) }
                }
            } catch {
                Console.error("lighter daemon: archive of \(path) in container \(id.prefix(12)): \(error)")
            }
        }
        router.add("PUT", "/containers/{id}/archive") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let (id, stat) = try pathStat(request, engine)
            guard stat.isDirectory else { throw .invalidArgument("extraction point is not a directory") }
            let scratch = try DaemonScratch(root: context.root, purpose: "archive")
            defer { scratch.remove() }
            let tar = try scratch.spool(request, as: "archive.tar")
            let input = FileDescriptor(adopting: try syscall("open", tar) { lighter_open(tar, O_RDONLY | O_CLOEXEC, 0) })
            defer { try? input.close() }
            try engine.copyInArchive(id, from: input, to: try archivePath(request), keepOwners: request.flag("copyUIDGID"))
            responder.respond(status: 200)
        }
    }

    static func archivePath(_ request: APIRequest) throws(LighterError) -> String {
        guard let path = request.query("path"), !path.isEmpty else { throw .invalidArgument("path is required (path=)") }
        // Docker resolves a relative path from the container's root.
        return path.hasPrefix("/") ? path : "/" + path
    }

    /// The container's id and the stat of `path=`; 404 naming the path when nothing is there.
    static func pathStat(_ request: APIRequest, _ engine: Engine) throws(LighterError) -> (String, ContainerPathStat) {
        let id = try engine.resolve(request.parameter("id"))
        let path = try archivePath(request)
        do throws(LighterError) {
            return (id, try engine.statPath(id, path))
        } catch {
            if case .notFound = error { throw .notFound(kind: "file or directory", name: "\(path) in container \(request.parameter("id"))") }
            throw error
        }
    }

    static func statHeader(_ stat: ContainerPathStat) -> HTTPField {
        let json = JSONNode.object([
            "name": .string(stat.name), "size": number(stat.size), "mode": number(stat.mode),
            "mtime": .string(stat.mtime), "linkTarget": .string(stat.linkTarget),
        ]).serialized()
        return HTTPField("X-Docker-Container-Path-Stat", Base64.encode(json))
    }
}
