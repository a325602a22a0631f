import LighterArguments
import LighterEngine
import LighterNetwork
import LighterSystem

/// `port CONTAINER [PRIVATE_PORT[/PROTO]]`: the container's published ports.
struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port", abstract: "List port mappings or a specific mapping for the container.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "Container.") var container: String
    @Argument(help: "Private port, optionally with /tcp or /udp.") var port: String?

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let engine = try store.openEngine()
            let id = try engine.resolve(container)
            var bindings = try engine.networks.store.ports(container: id)
            if let port {
                let parts = port.split(separator: "/").map(String.init)
                guard let number = Int(parts[0]) else { throw .invalidArgument("invalid port \"\(port)\"") }
                let proto = parts.count > 1 ? parts[1] : "tcp"
                bindings = bindings.filter { $0.containerPort == number && $0.proto == proto }
                guard !bindings.isEmpty else { throw .notFound(kind: "public port for", name: "\(number)/\(proto)") }
                for binding in bindings { Console.out("\(binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP):\(binding.hostPort)") }
            } else {
                for binding in bindings { Console.out(binding.description) }
            }
        }
    }
}
