import ArgumentParser
import LighterEngine
import LighterNetwork
import LighterOCI
import LighterStore
import LighterSystem

/// `inspect [-f TEMPLATE] NAME...`: containers first, then images, as Docker.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", _superCommandName: "lighter", abstract: "Return low-level information on containers or images.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("f"), .long], help: "Format with a template such as '{{.State.ExitCode}}'.") var format: String?
    @Option(name: .long, help: "Only this type of object: container or image.") var type: String?
    @Argument(help: "Containers or images.") var names: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard !names.isEmpty else { throw .invalidArgument("\"inspect\" requires at least 1 argument") }
            let engine = try store.openEngine()
            var documents: [[UInt8]] = []
            for name in names {
                if type != "image", let id = try? engine.resolve(name) {
                    documents.append(try JSON.encode(ContainerInspect(try engine.inspect(id), engine: engine)))
                } else if type != "container" {
                    let (id, _) = try engine.images.resolve(name)
                    documents.append(try JSON.encode(try ImageInspect(store: engine.images, id: id)))
                } else {
                    throw .notFound(kind: "container", name: name)
                }
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

/// Docker's container inspect shape (the parts Lighter has).
struct ContainerInspect: Encodable {
    struct StateInfo: Encodable {
        let Status: String
        let Running: Bool
        let Paused: Bool
        let Restarting: Bool
        let OOMKilled: Bool
        let Dead: Bool
        let Pid: Int32
        let ExitCode: Int32
        let Error: String
        let StartedAt: String
        let FinishedAt: String
    }
    struct ConfigInfo: Encodable {
        let Hostname: String
        let User: String
        let Tty: Bool
        let OpenStdin: Bool
        let Env: [String]
        let Cmd: [String]
        let Image: String
        let WorkingDir: String
        let Entrypoint: [String]?
        let StopSignal: String?
        let Labels: [String: String]
        let ExposedPorts: [String: [String: String]]?
    }
    struct HostConfigInfo: Encodable {
        let Binds: [String]
        let NetworkMode: String
        let RestartPolicy: [String: String]
        let AutoRemove: Bool
        let CapAdd: [String]
        let CapDrop: [String]
        let Privileged: Bool
        let ReadonlyRootfs: Bool
        let Memory: Int64
        let MemorySwap: Int64
        let NanoCpus: Int64
        let CpuShares: UInt64
        let CpusetCpus: String
        let PidsLimit: Int64
        let LogConfig: [String: [String: String]]
    }
    /// Docker's `Mounts`: binds and volumes (named and anonymous) as the container mounts them.
    struct MountInfo: Encodable {
        let `Type`: String
        let Name: String?
        let Source: String
        let Destination: String
        let Driver: String?
        let Mode: String
        let RW: Bool
        let Propagation: String
    }
    let Id: String
    let Created: String
    let Path: String
    let Args: [String]
    let State: StateInfo
    let Image: String
    let LogPath: String
    let Name: String
    let RestartCount: Int
    let Driver: String
    let Config: ConfigInfo
    let HostConfig: HostConfigInfo
    let NetworkSettings: NetworkSettingsInfo
    let Mounts: [MountInfo]

    init(_ r: ContainerRecord, engine: Engine) {
        Id = r.id
        Created = r.created
        Path = r.path
        Args = r.args
        State = StateInfo(Status: r.state.status.rawValue, Running: r.state.status == .running, Paused: r.state.status == .paused,
                          Restarting: r.state.status == .restarting, OOMKilled: r.state.oomKilled, Dead: r.state.status == .dead,
                          Pid: r.state.pid, ExitCode: r.state.exitCode, Error: r.state.error,
                          StartedAt: r.state.startedAt ?? "0001-01-01T00:00:00Z", FinishedAt: r.state.finishedAt ?? "0001-01-01T00:00:00Z")
        Image = r.spec.imageID.description
        LogPath = "\(engine.images.paths.containers)/\(r.id)/\(r.id)-json.log"
        Name = "/" + r.name
        RestartCount = r.state.restartCount
        Driver = "overlay"
        Config = ConfigInfo(Hostname: r.spec.hostname ?? r.shortID, User: r.spec.user ?? "", Tty: r.spec.tty, OpenStdin: r.spec.interactive,
                            Env: r.spec.env, Cmd: r.spec.command, Image: r.spec.image, WorkingDir: r.spec.workingDir ?? "",
                            Entrypoint: r.spec.entrypoint, StopSignal: r.spec.stopSignal, Labels: r.spec.labels,
                            ExposedPorts: r.spec.exposedPorts.isEmpty ? nil : Dictionary(uniqueKeysWithValues: r.spec.exposedPorts.map { ($0, [String: String]()) }))
        let restart = r.spec.restart.description.split(separator: ":").map(String.init)
        HostConfig = HostConfigInfo(
            Binds: r.spec.binds.map { "\($0.source):\($0.destination)\($0.readOnly ? ":ro" : "")" },
            NetworkMode: r.spec.network,
            RestartPolicy: ["Name": restart[0], "MaximumRetryCount": restart.count > 1 ? restart[1] : "0"],
            AutoRemove: r.spec.autoRemove, CapAdd: r.spec.capAdd, CapDrop: r.spec.capDrop, Privileged: r.spec.privileged,
            ReadonlyRootfs: r.spec.readOnly, Memory: r.spec.resources.memory ?? 0, MemorySwap: r.spec.resources.memorySwap ?? 0,
            NanoCpus: (r.spec.resources.cpuQuota ?? 0) * 10_000, CpuShares: r.spec.resources.cpuShares ?? 0,
            CpusetCpus: r.spec.resources.cpusetCpus ?? "", PidsLimit: r.spec.resources.pidsLimit ?? 0,
            LogConfig: ["Config": ["max-size": String(r.spec.log.maxSize), "max-file": String(r.spec.log.maxFiles)], "Type": [r.spec.log.driver: ""]])
        NetworkSettings = NetworkSettingsInfo(r, engine: engine)
        Mounts = r.spec.binds.map { bind in
            MountInfo(Type: bind.volume == nil ? "bind" : "volume", Name: bind.volume, Source: bind.source, Destination: bind.destination,
                      Driver: bind.volume == nil ? nil : "local", Mode: bind.readOnly ? "ro" : "", RW: !bind.readOnly,
                      Propagation: bind.volume == nil ? "rprivate" : "")
        }
    }
}

/// Docker's `NetworkSettings`: published ports, and per network the address, gateway, MAC, aliases.
/// The top-level address fields are filled for the default bridge only, as Docker does.
struct NetworkSettingsInfo: Encodable {
    struct EndpointInfo: Encodable {
        let Aliases: [String]?
        let NetworkID: String
        let EndpointID: String
        let Gateway: String
        let IPAddress: String
        let IPPrefixLen: Int
        let MacAddress: String
    }
    struct HostBinding: Encodable {
        let HostIp: String
        let HostPort: String
    }
    let Ports: [String: [HostBinding]]
    let IPAddress: String
    let IPPrefixLen: Int
    let Gateway: String
    let MacAddress: String
    let Networks: [String: EndpointInfo]

    init(_ r: ContainerRecord, engine: Engine) {
        let manager = engine.networks
        let endpoints = (try? manager.store.endpoints(container: r.id)) ?? []
        var networks: [String: EndpointInfo] = [:]
        var primary: EndpointInfo?
        for endpoint in endpoints {
            guard let network = try? manager.store.network(endpoint.network) else { continue }
            let info = EndpointInfo(Aliases: endpoint.aliases.isEmpty ? nil : endpoint.aliases, NetworkID: network.id,
                                    EndpointID: "\(network.id.prefix(16))\(r.id.prefix(16))", Gateway: "\(network.gateway)",
                                    IPAddress: "\(endpoint.address)", IPPrefixLen: network.subnet.prefix, MacAddress: endpoint.mac)
            networks[endpoint.network] = info
            if network.isDefault { primary = info }
        }
        var ports: [String: [HostBinding]] = [:]
        for binding in (try? manager.store.ports(container: r.id)) ?? [] {
            ports["\(binding.containerPort)/\(binding.proto)", default: []].append(
                HostBinding(HostIp: binding.hostIP.isEmpty ? "0.0.0.0" : binding.hostIP, HostPort: String(binding.hostPort)))
        }
        Ports = ports
        IPAddress = primary?.IPAddress ?? ""
        IPPrefixLen = primary?.IPPrefixLen ?? 0
        Gateway = primary?.Gateway ?? ""
        MacAddress = primary?.MacAddress ?? ""
        Networks = networks
    }
}

/// `container prune`.
struct ContainerPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers.")
    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("f"), .long], help: "Do not prompt for confirmation (Lighter never prompts).") var force = false

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            let removed = try store.openEngine().prune()
            if !removed.isEmpty {
                Console.out("Deleted Containers:")
                for id in removed { Console.out(id) }
                Console.out("")
            }
        }
    }
}

/// `container` — the management command grouping container subcommands.
struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Manage containers.",
        subcommands: [PsCommand.self, RunCommand.self, CreateCommand.self, StartCommand.self, StopCommand.self, KillCommand.self,
                      RestartCommand.self, RmCommand.self, WaitCommand.self, LogsCommand.self, InspectCommand.self, ContainerPruneCommand.self,
                      ExecCommand.self, PauseCommand.self, UnpauseCommand.self,
                      TopCommand.self, StatsCommand.self, RenameCommand.self, CpCommand.self])
}
