#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `create` and `run` against an Engine API: parsed by the local table, sent as Docker's create body
/// (`RemoteCreate+Flags` for the flags beyond the everyday ones); `run` without -d attaches
/// (`RemoteAttach`). A flag with no API form is refused by name (exit 125), never dropped.
enum RemoteCreate {
    static func run(_ command: String, _ arguments: [String], client makeClient: () throws(LighterError) -> EngineAPIClient) throws(LighterError) -> Int32 {
        let line: ContainerCommandLine
        switch ContainerCommandLine.parse(arguments, command: command) {
        case .help:
            Console.out(ContainerOption.help(command))
            return 0
        case let .usage(message):
            Console.error("lighter: \(message)\nSee 'lighter \(command) --help'.")
            return 125
        case let .request(parsed):
            line = parsed
        }
        let refused = refused(line.flags)
        guard refused.isEmpty else {
            Console.error("lighter: \(refused.joined(separator: ", ")) cannot be sent to a remote daemon (\(refused.count == 1 ? "it has" : "they have") no form in the Engine API's create); run `\(command)` on the board itself")
            return 125
        }
        guard command == "run" else { return try create(command, line, client: try makeClient()) }
        // `docker run`: a daemon's error exits 125, the container's own code otherwise.
        do throws(LighterError) {
            return try create(command, line, client: try makeClient())
        } catch {
            guard case let .registry(host, message) = error, host == EngineAPIClient.daemonHost else { throw error }
            Console.error(message)
            return 125
        }
    }

    private static func create(_ command: String, _ line: ContainerCommandLine, client: EngineAPIClient) throws(LighterError) -> Int32 {
        let f = line.flags
        let body = try createBody(line, attached: command == "run" && !line.detach)
        var query = f.name.map { [("name", $0)] } ?? []
        if let platform = f.platform { query.append(("platform", platform)) }
        guard ["missing", "always", "never"].contains(f.pull) else {
            throw .invalidArgument("invalid pull option: '\(f.pull)': must be one of \"always\", \"missing\" or \"never\"")
        }
        func pull() throws(LighterError) {
            var arguments = [line.image]
            if let platform = f.platform { arguments += ["--platform", platform] }
            if f.quiet { arguments.append("-q") }
            let pull = LighterCommand.parseOrExit(PullCommand.self, arguments) as! PullCommand
            _ = try RemoteImages.pull(pull, client: client, toStandardError: true)
        }
        if let cidfile = f.cidfile, FileSystem.exists(cidfile) {
            throw .invalidArgument("container ID file found, make sure the other container isn't running or delete \(cidfile)")
        }
        if f.pull == "always" { try pull() }
        var response = try client.request("POST", "/containers/create", query: query, json: body, tolerating: f.pull == "missing" ? [404] : [])
        if response.status == 404 {
            // As Docker's CLI: the daemon lacks the image, so it pulls it and creates again.
            response.discard()
            if !f.quiet { Console.error("Unable to find image '\(line.image)' locally") }
            try pull()
            response = try client.request("POST", "/containers/create", query: query, json: body)
        }
        let created = try JSONNode.parse(try response.collect(upTo: 1024 * 1024), what: "the daemon's answer to create")
        let id = created[field: "Id"]?.text ?? ""
        for warning in created[field: "Warnings"]?.elements ?? [] where !warning.text.isEmpty { Console.error("WARNING: \(warning.text)") }
        if let cidfile = f.cidfile { try FileSystem.writeDurably(Array(id.utf8), to: cidfile) }
        if command == "run" && !line.detach { return try RemoteAttach.foreground(line, id: id, client: client) }
        if command == "run" { try client.request("POST", "/containers/\(id)/start").discard() }
        Console.out(id)
        return 0
    }

    /// Docker's ContainerCreateConfig for the flags.
    static func createBody(_ line: ContainerCommandLine, attached: Bool = false) throws(LighterError) -> [UInt8] {
        let f = line.flags
        var config: [String: JSONNode] = ["Image": .string(line.image), "Tty": .bool(f.tty), "OpenStdin": .bool(f.interactive)]
        if attached {
            let streams = try RemoteAttach.streams(line)
            config["AttachStdin"] = .bool(streams.stdin)
            config["AttachStdout"] = .bool(streams.stdout)
            config["AttachStderr"] = .bool(streams.stderr)
            config["StdinOnce"] = .bool(streams.stdin)
        }
        if !line.command.isEmpty { config["Cmd"] = .array(line.command.map { .string($0) }) }
        var host: [String: JSONNode] = ["AutoRemove": .bool(line.rm)]
        // The terminal's size from the start (as Docker's CLI sends it): the resize after start comes too late for a quick command.
        if attached && f.tty, let size = RemoteSession.terminalSize() {
            host["ConsoleSize"] = .array([.number(String(size.0)), .number(String(size.1))])
        }
        var binds: [JSONNode] = [], volumes: [String: JSONNode] = [:]
        for volume in f.volume {
            if volume.contains(":") { binds.append(.string(volume)) } else { volumes[volume] = .object([:]) }
        }
        if !binds.isEmpty { host["Binds"] = .array(binds) }
        if !volumes.isEmpty { config["Volumes"] = .object(volumes) }
        var exposed: [String: JSONNode] = [:], bindings: [String: [JSONNode]] = [:]
        for spec in f.publish {
            let (port, binding) = try publish(spec)
            exposed[port] = .object([:])
            bindings[port, default: []].append(binding)
        }
        if !exposed.isEmpty {
            config["ExposedPorts"] = .object(exposed)
            host["PortBindings"] = .object(bindings.mapValues { .array($0) })
        }
        let restart = f.restart.split(separator: ":", maxSplits: 1).map(String.init)
        var policy: [String: JSONNode] = ["Name": .string(restart.first == "no" ? "" : restart.first ?? "")]
        if restart.count > 1 {
            guard let count = Int(restart[1]) else { throw .invalidArgument("--restart \(f.restart): the retry count must be a number") }
            policy["MaximumRetryCount"] = .number(String(count))
        }
        host["RestartPolicy"] = .object(policy)
        if let network = f.network { host["NetworkMode"] = .string(network) }
        var networking: [String: JSONNode] = [:]
        try translate(f, config: &config, host: &host, networking: &networking)
        config["HostConfig"] = .object(host)
        if !networking.isEmpty { config["NetworkingConfig"] = .object(networking) }
        return JSONNode.object(config).serialized()
    }

    /// `-p [IP:][HOST:]CONTAINER[/PROTO]` → ("CONTAINER/PROTO", {"HostIp", "HostPort"}).
    static func publish(_ spec: String) throws(LighterError) -> (String, JSONNode) {
        let proto = spec.contains("/") ? String(spec.drop { $0 != "/" }.dropFirst()) : "tcp"
        let address = String(spec.prefix { $0 != "/" })
        var parts = address.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let container = parts.popLast(), !container.isEmpty, parts.count <= 2, Int(container) != nil else {
            throw .invalidArgument("-p \(spec): use [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO] (ranges: use docker -H …)")
        }
        let hostPort = parts.popLast() ?? ""
        let hostIP = parts.popLast() ?? ""
        return ("\(container)/\(proto)", .object(["HostIp": .string(hostIP), "HostPort": .string(hostPort)]))
    }
}
