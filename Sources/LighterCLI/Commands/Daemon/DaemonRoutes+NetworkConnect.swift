import LighterAPI
import LighterEngine
import LighterNetwork
import LighterSystem

/// `docker network connect|disconnect` (and compose, which reconnects each container with its aliases
/// before starting it): the engine's connect and disconnect, as `lighter network connect|disconnect`.
extension DaemonRoutes {
    static func addNetworkConnect(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/networks/{id}/connect") { (request, responder) throws(LighterError) in
            let fields = try body(request)
            let engine = try context.engine()
            let container = try engine.resolve(try containerField(fields))
            var endpoint = EndpointRequest()
            let config = try DockerCreateRequest.object(fields["EndpointConfig"], "EndpointConfig")
            for (key, value) in config.sorted(by: { $0.key < $1.key }) {
                switch key {
                case "Aliases": endpoint.aliases = try DockerCreateRequest.strings(value, "EndpointConfig.Aliases")
                case "IPAMConfig":
                    for (field, setting) in try DockerCreateRequest.object(value, "EndpointConfig.IPAMConfig") {
                        if field == "IPv4Address", let text = try DockerCreateRequest.string(setting, "EndpointConfig.IPAMConfig.IPv4Address"), !text.isEmpty {
                            endpoint.address = try IPv4Address(parsing: text, what: "EndpointConfig.IPAMConfig.IPv4Address")
                        } else if field != "IPv4Address" {
                            try DockerCreateRequest.refuseUnlessZero("EndpointConfig.IPAMConfig.\(field)", setting)
                        }
                    }
                case "MacAddress":
                    if let mac = try DockerCreateRequest.string(value, "EndpointConfig.MacAddress"), !mac.isEmpty { endpoint.mac = mac }
                // What the docker CLI and docker-py fill in from an inspect (empty for a new endpoint).
                case "NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address",
                     "GlobalIPv6PrefixLen", "DriverOpts":
                    if key == "DriverOpts" { try DockerCreateRequest.refuseUnlessZero("EndpointConfig.DriverOpts", value) }
                default:
                    try DockerCreateRequest.refuseUnlessZero("EndpointConfig.\(key)", value)
                }
            }
            try engine.connect(container, to: request.parameter("id"), request: endpoint)
            responder.respond(status: 200)
        }
        router.add("POST", "/networks/{id}/disconnect") { (request, responder) throws(LighterError) in
            let fields = try body(request)
            let engine = try context.engine()
            // Force only matters to Docker's cluster networks; a local disconnect is the same with or without it.
            try engine.disconnect(try engine.resolve(try containerField(fields)), from: request.parameter("id"))
            responder.respond(status: 200)
        }
    }

    static func containerField(_ fields: [String: JSONNode]) throws(LighterError) -> String {
        guard case let .string(name)? = fields["Container"], !name.isEmpty else {
            throw .invalidArgument("the request body must name the container: {\"Container\": …}")
        }
        return name
    }
}
