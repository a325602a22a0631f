import LighterAPI
import LighterEngine
import LighterNetwork
import LighterOCI
import LighterSystem

/// Networks and volumes: list, inspect, create, remove, prune (volumes' in DaemonRoutes+Manage).
extension DaemonRoutes {
    static func addNetworksAndVolumes(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("GET", "/networks") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            _ = try engine.networks.defaultNetwork()
            var rows: [JSONNode] = []
            let wanted = try filters(request)
            for network in try engine.networks.store.networks() {
                var keep = true
                for (key, value) in wanted {
                    switch key {
                    case "name": keep = keep && network.name.contains(value)
                    case "id": keep = keep && network.id.hasPrefix(value)
                    case "driver": keep = keep && network.driver == value
                    case "type": keep = keep && (value == "custom") != network.isDefault
                    case "label": keep = keep && labelMatches(network.labels, value)
                    default: throw .invalidArgument("invalid filter '\(key)' (supported: name, id, driver, type, label)")
                    }
                }
                if keep { rows.append(try networkDocument(network, engine: engine)) }
            }
            for special in ["host", "none"] where wanted.isEmpty {
                rows.append(.object(["Name": .string(special), "Id": .string(special), "Driver": .string(special), "Scope": .string("local"),
                                     "Created": .string(Time.rfc3339(seconds: 0)), "EnableIPv6": .bool(false), "Internal": .bool(false),
                                     "Attachable": .bool(false), "Ingress": .bool(false), "IPAM": .object(["Driver": .string("default"), "Config": .array([])]),
                                     "Containers": .object([:]), "Options": .object([:]), "Labels": .object([:])]))
            }
            responder.json(.array(rows))
        }
        router.add("GET", "/networks/{id}") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            responder.json(try networkDocument(try engine.networks.resolve(request.parameter("id")), engine: engine))
        }
        router.add("POST", "/networks/create") { (request, responder) throws(LighterError) in
            let fields = try body(request)
            guard case let .string(name)? = fields["Name"], !name.isEmpty else { throw .invalidArgument("network name is required (Name)") }
            if case let .string(driver)? = fields["Driver"], !driver.isEmpty, driver != "bridge" {
                throw .unsupported(feature: "network driver \(driver)", fix: "use the bridge driver")
            }
            var subnet: IPv4Subnet?, gateway: IPv4Address?
            if case let .object(ipam)? = fields["IPAM"], case let .array(configs)? = ipam["Config"], case let .object(config)? = configs.first {
                if case let .string(text)? = config["Subnet"], !text.isEmpty { subnet = try IPv4Subnet(parsing: text) }
                if case let .string(text)? = config["Gateway"], !text.isEmpty { gateway = try IPv4Address(parsing: text, what: "IPAM.Config.Gateway") }
            }
            for key in fields.keys where !["Name", "Driver", "IPAM", "CheckDuplicate", "Options", "Labels", "Internal", "Attachable", "Ingress",
                                           "EnableIPv6", "Scope", "ConfigOnly", "ConfigFrom"].contains(key) {
                try DockerCreateRequest.refuseUnlessZero(key, fields[key]!)
            }
            var isInternal = false
            if let value = fields["Internal"], value != .null { isInternal = try DockerCreateRequest.bool(value, "Internal") }
            for key in ["EnableIPv6", "Options", "Ingress", "ConfigOnly", "ConfigFrom"] {
                if let value = fields[key] { try DockerCreateRequest.refuseUnlessZero(key, value) }
            }
            var labels: [String: String] = [:]
            for (key, value) in try DockerCreateRequest.object(fields["Labels"], "Labels") {
                guard case let .string(text) = value else { throw .invalidArgument("Labels.\(key): expected a string, found \(value.kind)") }
                labels[key] = text
            }
            let engine = try context.engine()
            let network = try engine.networks.create(name: name, subnet: subnet, gateway: gateway, labels: labels, isInternal: isInternal)
            engine.emitNetwork("create", id: network.id, name: network.name)
            responder.json(.object(["Id": .string(network.id), "Warning": .string("")]), status: 201)
        }
        router.add("DELETE", "/networks/{id}") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let network = try engine.networks.resolve(request.parameter("id"))
            try engine.networks.remove(network.name)
            engine.emitNetwork("destroy", id: network.id, name: network.name)
            responder.respond(status: 204)
        }
        router.add("POST", "/networks/prune") { (request, responder) throws(LighterError) in
            if !(try filters(request)).isEmpty { throw .invalidArgument("network prune filters are not supported by Lighter's daemon") }
            let engine = try context.engine()
            var removed: [JSONNode] = []
            for network in try engine.networks.store.networks() where !network.isDefault {
                guard try engine.networks.store.endpoints(network: network.name).isEmpty else { continue }
                try engine.networks.remove(network.name)
                engine.emitNetwork("destroy", id: network.id, name: network.name)
                removed.append(.string(network.name))
            }
            responder.json(.object(["NetworksDeleted": removed.isEmpty ? .null : .array(removed)]))
        }
        router.add("GET", "/volumes") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let wanted = try filters(request)
            var rows: [JSONNode] = []
            for volume in try engine.volumes.list() {
                var keep = true
                for (key, value) in wanted {
                    switch key {
                    case "name": keep = keep && volume.Name.contains(value)
                    case "dangling":
                        let unused = try engine.volumeUsers(volume.Name).isEmpty
                        keep = keep && unused == (value == "true" || value == "1")
                    case "driver": keep = keep && volume.Driver == value
                    case "label": keep = keep && labelMatches(volume.Labels, value)
                    default: throw .invalidArgument("invalid filter '\(key)' (supported: name, dangling, driver, label)")
                    }
                }
                if keep { rows.append(volumeDocument(volume)) }
            }
            responder.json(.object(["Volumes": .array(rows), "Warnings": .array([])]))
        }
        router.add("POST", "/volumes/create") { (request, responder) throws(LighterError) in
            let fields = try body(request)
            if case let .string(driver)? = fields["Driver"], !driver.isEmpty, driver != "local" {
                throw .unsupported(feature: "volume driver \(driver)", fix: "use the local driver")
            }
            let options = try DockerCreateRequest.object(fields["DriverOpts"], "DriverOpts").mapValues(DockerCreateRequest.text)
            let name: String? = if case let .string(n)? = fields["Name"], !n.isEmpty { n } else { nil }
            let labels = try DockerCreateRequest.object(fields["Labels"], "Labels").mapValues(DockerCreateRequest.text)
            let engine = try context.engine()
            responder.json(volumeDocument(try engine.volumes.create(name, labels: labels, options: options)), status: 201)
        }
        router.add("GET", "/volumes/{name}") { (request, responder) throws(LighterError) in
            responder.json(volumeDocument(try context.engine().volumes.inspect(request.parameter("name"))))
        }
        router.add("DELETE", "/volumes/{name}") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let name = request.parameter("name")
            try engine.volumes.remove(name, users: try engine.volumeUsers(name))
            responder.respond(status: 204)
        }
    }

    static func networkDocument(_ network: NetworkRecord, engine: Engine) throws(LighterError) -> JSONNode {
        var node = try JSONNode.parse(try JSON.encode(NetworkInspect(network, endpoints: try engine.networks.store.endpoints(network: network.name))), what: "network")
        if case var .object(fields) = node {
            for (key, value) in ["EnableIPv6": false, "Attachable": false, "Ingress": false] { fields[key] = .bool(value) }
            node = .object(fields)
        }
        return node
    }

    /// A `label` filter: `KEY` (present) or `KEY=VALUE`.
    static func labelMatches(_ labels: [String: String], _ filter: String) -> Bool {
        guard let equals = filter.firstIndex(of: "=") else { return labels[filter] != nil }
        return labels[String(filter[..<equals])] == String(filter[filter.index(after: equals)...])
    }

    static func volumeDocument(_ volume: Volume) -> JSONNode {
        .object(["Name": .string(volume.Name), "Driver": .string(volume.Driver), "Mountpoint": .string(volume.Mountpoint),
                 "CreatedAt": .string(volume.CreatedAt), "Labels": .object(volume.Labels.mapValues(JSONNode.string)),
                 "Scope": .string(volume.Scope), "Options": .object((volume.Options ?? [:]).mapValues(JSONNode.string))])
    }
}
