import LighterAPI
import LighterBuild
import LighterStore
import LighterSystem

/// `docker image prune` (`dangling`, `until`, `label`/`label!` filters), `docker builder prune` and the
/// search endpoint, which Lighter answers 501 with its reason. Registered before `/images/{name}`.
extension DaemonRoutes {
    static func addImagePrune(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/images/prune") { (request, responder) throws(LighterError) in
            let images = try context.engine().images
            var all = false
            var until: Int64?
            var labels: [(String, Bool)] = []
            for (key, value) in try filters(request) {
                switch key {
                case "dangling":
                    guard ["true", "false", "1", "0"].contains(value) else { throw .invalidArgument("invalid filter 'dangling=\(value)'") }
                    all = value == "false" || value == "0"
                case "until": until = try LogsCommand.parseSince(value)
                case "label": labels.append((value, true))
                case "label!": labels.append((value, false))
                default: throw .invalidArgument("invalid filter '\(key)' (image prune supports dangling, until, label and label!)")
                }
            }
            var only: Set<String>?
            if until != nil || !labels.isEmpty {
                var chosen = Set<String>()
                for image in try images.images() {
                    if let until, image.createdSeconds >= until { continue }
                    let imageLabels = (try? images.config(of: image.id).config?.Labels ?? [:]) ?? [:]
                    if labels.allSatisfy({ matches(imageLabels, $0.0) == $0.1 }) { chosen.insert(image.id.hex) }
                }
                only = chosen
            }
            let report = try images.prune(all: all, only: only)
            let deleted: [JSONNode] = report.deleted.map { event in
                switch event {
                case let .untagged(name): .object(["Untagged": .string(name)])
                case let .deleted(id): .object(["Deleted": .string(id.description)])
                }
            }
            responder.json(.object(["ImagesDeleted": deleted.isEmpty ? .null : .array(deleted), "SpaceReclaimed": number(report.reclaimedBytes)]))
        }
        router.add("POST", "/build/prune") { (request, responder) throws(LighterError) in
            for (key, value) in try filters(request) {
                throw .invalidArgument("build cache filter '\(key)=\(value)' is not supported by Lighter (prune all entries with all=1, or those whose image is gone without it)")
            }
            for name in ["keep-storage", "reserved-space", "max-used-space", "min-free-space"] {
                if let value = request.query(name), !value.isEmpty, value != "0" {
                    throw .invalidArgument("\(name) is not supported by Lighter's build cache prune")
                }
            }
            let engine = try Builder.openEngine(root: context.root)
            let report = try BuildCache(store: engine.images).prune(all: request.flag("all"))
            responder.json(.object(["CachesDeleted": report.keys.isEmpty ? .null : .array(report.keys.map(JSONNode.string)),
                                    "SpaceReclaimed": number(report.reclaimedBytes)]))
        }
        router.add("GET", "/images/search") { (_, responder) throws(LighterError) in
            responder.error(501, "image search is not served by Lighter's daemon: Docker's search asks Docker Hub's index service (a registry's /v2/ API has no search), which Lighter does not talk to; search on hub.docker.com or list a private registry's /v2/_catalog")
        }
    }

    /// Docker's label filter: `key` (present) or `key=value`.
    static func matches(_ labels: [String: String], _ filter: String) -> Bool {
        guard let equals = filter.firstIndex(of: "=") else { return labels[filter] != nil }
        return labels[String(filter[..<equals])] == String(filter[filter.index(after: equals)...])
    }
}
