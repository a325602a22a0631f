#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterEngine
import LighterHost
import LighterOCI
import LighterStore
import LighterSystem

/// The Docker Engine API endpoints the daemon serves, each calling the same engine, store and network
/// code as the CLI (and producing the same Docker documents as `inspect` and `ps --format json`).
enum DaemonRoutes {
    /// The oldest API version the daemon accepts (Docker 1.13's): what both old and current docker CLIs negotiate with.
    static let minimumAPIVersion = "1.24"

    static func router(_ context: DaemonContext) -> APIRouter {
        var router = APIRouter()
        router.minimumVersion = APIRouter.parseVersion(minimumAPIVersion)
        router.maximumVersion = APIRouter.parseVersion(LighterVersion.apiVersion)
        addSystem(&router, context)
        addContainers(&router, context)
        addStreams(&router, context)
        addExec(&router, context)
        addBuild(&router, context)
        addCommit(&router, context)
        addImageArchives(&router, context)
        addImagePrune(&router, context)
        addImages(&router, context)
        addNetworksAndVolumes(&router, context)
        addManagement(&router, context)
        addCopyArchive(&router, context)
        addUpdateAndResize(&router, context)
        addNetworkConnect(&router, context)
        addStats(&router, context)
        addAuth(&router, context)
        for (method, path) in unserved { router.notServed(method, path) }
        return router
    }

    /// Endpoints of Docker's API not served yet: 501 naming them, never a fake answer.
    static let unserved: [(String, String)] = [
        ("GET", "/containers/{id}/attach/ws"), ("PUT", "/volumes/{name}"), ("POST", "/session"),
        ("GET", "/distribution/{*}"), ("GET", "/plugins"), ("GET", "/swarm"), ("GET", "/nodes"), ("GET", "/services"), ("GET", "/tasks"),
        ("GET", "/secrets"), ("GET", "/configs"),
    ]

    // MARK: System

    static func addSystem(_ router: inout APIRouter, _ context: DaemonContext) {
        let ping: APIRouter.Handler = { (_, responder) throws(LighterError) in
            responder.respond(status: 200, headers: [
                HTTPField("Api-Version", LighterVersion.apiVersion), HTTPField("Docker-Experimental", "false"), HTTPField("OSType", "linux"),
                HTTPField("Cache-Control", "no-cache, no-store, must-revalidate"), HTTPField("Pragma", "no-cache"),
                HTTPField("Content-Type", "text/plain; charset=utf-8"),
            ], body: Array("OK".utf8))
        }
        router.add("GET", "/_ping", ping)
        router.add("HEAD", "/_ping", ping)
        router.add("GET", "/version") { (_, responder) throws(LighterError) in
            let server = VersionReport.current().Server
            var node = try JSONNode.parse(try JSON.encode(server), what: "version")
            if case var .object(fields) = node {
                fields["MinAPIVersion"] = .string(minimumAPIVersion)
                fields["Platform"] = .object(["Name": .string("Lighter Engine")])
                if case var .array(components)? = fields["Components"], case var .object(engine)? = components.first,
                   case var .object(details)? = engine["Details"] {
                    details["MinAPIVersion"] = .string(minimumAPIVersion)
                    engine["Details"] = .object(details)
                    components[0] = .object(engine)
                    fields["Components"] = .array(components)
                }
                node = .object(fields)
            }
            responder.json(node)
        }
        router.add("GET", "/info") { (_, responder) throws(LighterError) in
            let scratch = FileSystem.isDirectory(context.root) ? context.root : "/tmp"
            let report = try SystemInfo(host: HostInfo(facts: HostFacts.probe(scratch: scratch), dataRoot: context.root))
            responder.json(try JSONNode.parse(try JSON.encode(report), what: "info"))
        }
        router.add("GET", "/system/df") { (_, responder) throws(LighterError) in
            let engine = try context.engine()
            // The images `images` lists, with what `system df -v` shows of each: the size of its layers
            // other images share, and how many containers use it (Docker's CLI computes the
            // reclaimable space and UNIQUE SIZE from these and LayersSize).
            let report = try engine.images.diskUsage()
            let imageRows: [JSONNode] = report.images.map { usage in
                var row = imageSummary(usage.image)
                if case var .object(fields) = row {
                    fields["SharedSize"] = number(usage.sharedSize)
                    fields["Containers"] = number(usage.containers)
                    row = .object(fields)
                }
                return row
            }
            var containers: [JSONNode] = []
            for id in try engine.allIDs() {
                guard let record = try? engine.inspect(id) else { continue }
                var row = containerSummary(record, engine: engine)
                if case var .object(fields) = row {
                    let upper = FileSystem.diskUsage("\(engine.images.paths.containers)/\(id)/upper")
                    fields["SizeRw"] = number(upper)
                    fields["SizeRootFs"] = number(upper + ((try? engine.images.image(id: record.spec.imageID).size) ?? 0))
                    row = .object(fields)
                }
                containers.append(row)
            }
            let volumes: [JSONNode] = try engine.volumes.list().map { volume in
                var node = volumeDocument(volume)
                if case var .object(fields) = node {
                    fields["UsageData"] = .object(["Size": number(FileSystem.diskUsage("\(volume.Mountpoint)")),
                                                   "RefCount": number(((try? engine.volumeUsers(volume.Name)) ?? []).count)])
                    node = .object(fields)
                }
                return node
            }
            responder.json(.object([
                // Unpacked layers, each counted once however many images share it (dockerd's LayersSize).
                "LayersSize": number(report.snapshotsSize),
                "Images": .array(imageRows), "Containers": .array(containers), "Volumes": .array(volumes), "BuildCache": .array([]),
            ]))
        }
    }

    // MARK: Helpers

    static func number(_ value: some BinaryInteger) -> JSONNode { .number(String(value)) }

    /// The request's JSON body (an object); empty bodies read as `{}`.
    static func body(_ request: APIRequest) throws(LighterError) -> [String: JSONNode] {
        if request.body.isEmpty { return [:] }
        guard case let .object(fields) = try JSONNode.parse(request.body, what: "request body") else {
            throw .invalidArgument("the request body must be a JSON object")
        }
        return fields
    }

    /// Docker's `filters` query parameter: `{"key": ["value", …]}` or the older `{"key": {"value": true}}`.
    static func filters(_ request: APIRequest) throws(LighterError) -> [(String, String)] {
        guard let text = request.query("filters"), !text.isEmpty else { return [] }
        guard case let .object(fields) = try JSONNode.parse(Array(text.utf8), what: "filters") else {
            throw .invalidArgument("invalid filter: the filters parameter must be a JSON object")
        }
        var result: [(String, String)] = []
        for key in fields.keys.sorted() {
            switch fields[key] {
            case let .array(values)?:
                for case let .string(value) in values { result.append((key, value)) }
            case let .object(values)?:
                for (value, enabled) in values where enabled == .bool(true) { result.append((key, value)) }
            default:
                throw .invalidArgument("invalid filter '\(key)'")
            }
        }
        return result
    }
}
