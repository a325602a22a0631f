import LighterArguments
import LighterEngine
import LighterNetwork
import LighterOCI
import LighterStore
import LighterSystem

/// `network create|ls|inspect|rm|connect|disconnect|prune`.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Manage networks.",
        subcommands: [NetworkCreateCommand.self, NetworkListCommand.self, NetworkInspectCommand.self, NetworkRemoveCommand.self,
                      NetworkConnectCommand.self, NetworkDisconnectCommand.self, NetworkPruneCommand.self])
}

struct NetworkCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a network.")
    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("d"), .long], help: "Driver (bridge).") var driver: String = "bridge"
    @Option(name: .long, help: "Subnet in CIDR format (default: a free private one).") var subnet: String?
    @Option(name: .long, help: "IPv4 gateway (default: the subnet's first address).") var gateway: String?
    @Flag(name: .long, help: "Restrict external access to the network (nothing forwarded in or out, no NAT).") var `internal` = false
    @Argument(help: "Network name.") var name: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard driver == "bridge" else { throw .unsupported(feature: "network driver \(driver)", fix: "use -d bridge") }
            let engine = try store.openEngine()
            let network = try engine.networks.create(
                name: name, subnet: try subnet.map { (s) throws(LighterError) in try IPv4Subnet(parsing: s) },
                gateway: try gateway.map { (g) throws(LighterError) in try IPv4Address(parsing: g, what: "--gateway") }, isInternal: `internal`)
            engine.emitNetwork("create", id: network.id, name: network.name)
            Console.out(network.id)
        }
    }
}

struct NetworkListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.", aliases: ["list"])
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: [.customShort("q"), .long], help: "Only display network IDs.") var quiet = false

    func run() throws {
        try guarded { () throws(LighterError) in
            let engine = try store.openEngine()
            _ = try engine.networks.defaultNetwork()   // listed from the start, as Docker's (its bridge link comes with the first container)
            let networks = try engine.networks.store.networks()
            var rows = networks.map { network in
                DockerListRows.network(id: String(network.id.prefix(12)), name: network.name, driver: network.driver, created: network.created,
                                       isInternal: network.isInternal)
            }
            // host and none exist from the start, as Docker's: dated with the default network.
            let since = networks.first(where: \.isDefault)?.created ?? 0
            for pseudo in ["host", "none"] {
                rows.append(DockerListRows.network(id: pseudo, name: pseudo, driver: pseudo == "host" ? "host" : "null", created: since))
            }
            let columns: [(key: String, header: String)] = [("ID", "NETWORK ID"), ("Name", "NAME"), ("Driver", "DRIVER"), ("Scope", "SCOPE")]
            for line in try OutputRenderer(columns: columns, methods: ["Label": OutputRenderer.labelMethod]).render(rows, format: output.format, quietKey: "ID", quiet: quiet) { Console.out(line) }
        }
    }
}

/// Docker's network inspect shape.
struct NetworkInspect: Encodable {
    struct IPAMConfig: Encodable { let Subnet: String; let Gateway: String }
    struct IPAMInfo: Encodable { let Driver: String; let Config: [IPAMConfig] }
    struct Member: Encodable { let Name: String; let EndpointID: String; let MacAddress: String; let IPv4Address: String; let Aliases: [String]? }
    let Name: String
    let Id: String
    let Created: String
    let Scope: String
    let Driver: String
    let IPAM: IPAMInfo
    let Containers: [String: Member]
    let Options: [String: String]
    let Labels: [String: String]
    let Internal: Bool

    init(_ network: NetworkRecord, endpoints: [Endpoint]) {
        Name = network.name
        Id = network.id
        Created = Time.rfc3339(seconds: network.created, nanoseconds: 0)
        Scope = "local"
        Driver = network.driver
        IPAM = IPAMInfo(Driver: "default", Config: [IPAMConfig(Subnet: "\(network.subnet)", Gateway: "\(network.gateway)")])
        var members: [String: Member] = [:]
        for e in endpoints {
            members[e.containerID] = Member(Name: e.containerName, EndpointID: "\(network.id.prefix(16))\(e.containerID.prefix(16))", MacAddress: e.mac,
                                            IPv4Address: "\(e.address)/\(network.subnet.prefix)", Aliases: e.aliases.isEmpty ? nil : e.aliases)
        }
        Containers = members
        // Docker's: the default network's bridge options; none for a user network made without `-o`
        // (compose 1.29 compares them with its own, empty, and would call the network changed).
        Options = network.isDefault ? ["com.docker.network.bridge.name": network.bridge] : [:]
        Labels = network.labels
        Internal = network.isInternal
    }
}

struct NetworkInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more networks.")
    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("f"), .long], help: "Format with a template such as '{{.IPAM}}'.") var format: String?
    @Argument(help: "Networks.") var names: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard !names.isEmpty else { throw .invalidArgument("\"network inspect\" requires at least 1 argument") }
            let engine = try store.openEngine()
            var documents: [[UInt8]] = []
            for name in names {
                let network = try engine.networks.resolve(name)
                documents.append(try JSON.encode(NetworkInspect(network, endpoints: try engine.networks.store.endpoints(network: network.name))))
            }
            if let format {
                for document in documents { Console.out(try JSONTemplate.render(format, value: document)) }
            } else {
                let values = try documents.map { (d) throws(LighterError) -> JSONValue in try JSON.decode(JSONValue.self, from: d, what: "document") }
                Console.out(String(decoding: try JSON.encode(values, pretty: true), as: UTF8.self))
            }
        }
    }
}

struct NetworkRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more networks.", aliases: ["remove"])
    @OptionGroup var store: StoreOptions
    @Argument(help: "Networks.") var names: [String] = []

    func run() throws {
        guard !names.isEmpty else { throw reportAndExit(.invalidArgument("\"network rm\" requires at least 1 argument"), code: 1) }
        let engine: Engine
        do { engine = try store.openEngine() } catch { throw reportAndExit(error, code: 1) }
        var failed = false
        for name in names {
            do {
                let network = (try? engine.networks.store.network(name)) ?? nil
                try engine.networks.remove(name)
                if let network { engine.emitNetwork("destroy", id: network.id, name: network.name) }
                Console.out(name)
            } catch {
                Console.error("lighter: \(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

struct NetworkConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "connect", abstract: "Connect a container to a network.")
    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: "IPv4 address.") var ip: String?
    @Option(name: .long, help: "Network-scoped alias for the container.") var alias: [String] = []
    @Argument(help: "Network.") var network: String
    @Argument(help: "Container.") var container: String

    func run() throws {
        try guarded { () throws(LighterError) in
            let engine = try store.openEngine()
            let address = try ip.map { (text) throws(LighterError) in try IPv4Address(parsing: text, what: "--ip") }
            try engine.connect(try engine.resolve(container), to: network, request: EndpointRequest(address: address, aliases: alias))
        }
    }
}

struct NetworkDisconnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disconnect", abstract: "Disconnect a container from a network.")
    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("f"), .long], help: "Accepted for Docker compatibility.") var force = false
    @Argument(help: "Network.") var network: String
    @Argument(help: "Container.") var container: String

    func run() throws {
        try guarded { () throws(LighterError) in
            let engine = try store.openEngine()
            try engine.disconnect(try engine.resolve(container), from: network)
        }
    }
}

struct NetworkPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all unused user-defined networks.")
    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation.") var force = false

    func run() throws {
        try guarded { () throws(LighterError) in
            let engine = try store.openEngine()
            var removed: [String] = []
            for network in try engine.networks.store.networks() where !network.isDefault {
                guard try engine.networks.store.endpoints(network: network.name).isEmpty else { continue }
                try engine.networks.remove(network.name)
                engine.emitNetwork("destroy", id: network.id, name: network.name)
                removed.append(network.name)
            }
            if !removed.isEmpty { Console.out("Deleted Networks:\n" + removed.joined(separator: "\n")) }
        }
    }
}
