#if canImport(Glibc)
import Glibc
#endif
import LighterEmulation
import LighterNetwork
import LighterOCI
import LighterRuntime
import LighterStore
import LighterSystem

extension Engine {
    /// `create`: resolve the image, work out the process, reserve the name, lay out the container's
    /// directory. Nothing runs yet.
    public func create(_ spec: ContainerSpec, name: String?) throws(LighterError) -> ContainerRecord {
        var spec = spec
        let (imageID, _) = try images.resolve(spec.image)
        spec.imageID = imageID
        let config = try images.config(of: imageID)
        try checkPlatform(config.platform, image: spec.image, wanted: spec.platform)
        let imageConfig = config.config ?? LighterOCI.ContainerConfig()
        // The image's VOLUMEs that no -v or --tmpfs covers get an anonymous volume each, as in Docker.
        spec.binds += Engine.imageVolumes(imageConfig.Volumes.map { Array($0.keys) } ?? [], covered: spec)
        // Volume mounts: create the named (or anonymous) volumes they name; mount their data.
        var created: [String] = []   // the anonymous ones, removed again if create fails
        var fresh: [String] = []     // every volume made here (a remapped root gets to own them)
        do {
            for index in spec.binds.indices {
                guard let name = spec.binds[index].volume else { continue }
                let existed = !name.isEmpty && (try? volumes.inspect(name)) != nil
                let volume = try volumes.create(name.isEmpty ? nil : name)
                if name.isEmpty { created.append(volume.Name) }
                if !existed { fresh.append(volume.Name) }
                spec.binds[index].volume = volume.Name
                spec.binds[index].source = volume.Mountpoint
            }
        } catch {
            for name in created { try? volumes.remove(name, users: []) }
            throw error
        }

        // Docker's rules: --entrypoint replaces the image's Entrypoint and drops its Cmd;
        // arguments after the image replace Cmd.
        let entrypoint: [String]
        var command: [String]
        if let given = spec.entrypoint {
            entrypoint = given.filter { !$0.isEmpty }
            command = spec.command
        } else {
            entrypoint = imageConfig.Entrypoint ?? []
            command = spec.command.isEmpty ? (imageConfig.Cmd ?? []) : spec.command
        }
        let full = entrypoint + command
        guard let path = full.first else {
            throw .invalidArgument("no command specified: the image has no Entrypoint or Cmd, so give one after the image name")
        }
        if spec.stopSignal == nil { spec.stopSignal = imageConfig.StopSignal }
        // Docker: the image's labels, then the container's own over them; its EXPOSEd ports and --expose.
        spec.labels = (imageConfig.Labels ?? [:]).merging(spec.labels) { $1 }
        spec.exposedPorts = Array(Set((imageConfig.ExposedPorts.map { Array($0.keys) } ?? []) + spec.exposedPorts)).sorted()
        if let name, !ContainerNames.isValid(name) {
            throw .invalidArgument("invalid container name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }

        var idBytes = [UInt8](repeating: 0, count: 32)
        for i in idBytes.indices { idBytes[i] = UInt8.random(in: 0...255) }
        let id = idBytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        let now = Time.now()
        var record = ContainerRecord(id: id, name: name ?? "", created: Time.rfc3339(seconds: now.seconds, nanoseconds: now.nanoseconds),
                                     spec: spec, path: path, args: Array(full.dropFirst()), state: ContainerRuntimeState())
        let directory = directory(id)
        try FileSystem.makeDirectories(images.paths.containers, mode: 0o700)
        try syscall("mkdir", directory) { mkdir(directory, 0o700) }
        // Held until the record is committed: a directory whose lock is free and whose record is not
        // committed was left by a killed create (`leftovers`).
        let lock = try FileLock(path: "\(directory)/lock", mode: .exclusive)
        defer { lock.release() }
        do {
            for sub in ["upper", "work", "rootfs"] {
                try syscall("mkdir", sub) { mkdir("\(directory)/\(sub)", 0o755) }
            }
            let hostname = spec.hostname ?? String(id.prefix(12))
            try FileSystem.writeAtomically(Array("\(hostname)\n".utf8), to: "\(directory)/hostname")
            try FileSystem.writeAtomically(Array(Engine.resolvConf(dns: spec.dns, search: spec.dnsSearch, options: spec.dnsOptions).utf8), to: "\(directory)/resolv.conf")
            record.name = try reserveName(name, id: id, imageID: imageID, created: now.seconds)
            if spec.usesBridge {
                record.spec.ports = try connect(record, exposed: spec.exposedPorts)
            }
            try prepareUserNamespace(record)
            try save(record)
            try writeHosts(record)
            try refreshPeerHosts(of: id)
            try chownNewVolumes(fresh, of: record.spec)
            try populateVolumes(record)
        } catch {
            unmountRootfs(id)
            for name in created { try? volumes.remove(name, users: []) }
            try? networks.store.release(container: id)
            try? FileSystem.removeTree(directory)
            _ = try? images.db.execute("DELETE FROM containers WHERE id = ?", [.text(id)])
            throw error
        }
        emit("create", record)
        return record
    }

    /// The container's networks, its address and ports on them (IPAM in the store).
    public var networks: NetworkManager {
        // Alive = the runtime's init for it exists (created or running), so a container being
        // started by another process keeps its ports.
        NetworkManager(db: images.db, root: images.paths.root) { [runtime] id in
            guard let state = try? runtime.state(id: id), state.pid > 0 else { return false }
            return Runtime.isAlive(state.pid, startTime: state.pidStartTime)
        }
    }

    /// Attach a new container to its network: address, MAC, aliases, published ports (with -P, the
    /// image's EXPOSEd ports on free host ports). Returns the ports as published.
    private func connect(_ record: ContainerRecord, exposed: [String]) throws(LighterError) -> [PortBinding] {
        let spec = record.spec
        let network: NetworkRecord
        do {
            network = try networks.resolve(spec.network)
        } catch .notFound {
            throw .invalidArgument("network \(spec.network) not found")
        }
        if network.isDefault {
            if spec.ipAddress != nil { throw .invalidArgument("--ip: user specified IP address is supported on user defined networks only") }
            if !spec.networkAliases.isEmpty { throw .invalidArgument("--network-alias: network-scoped aliases are supported for user defined networks only") }
        }
        let address = try spec.ipAddress.map { (text) throws(LighterError) in try IPv4Address(parsing: text, what: "--ip") }
        let mac = try spec.macAddress.map { (text) throws(LighterError) in MACAddress.format(try MACAddress.parse(text)) }
        _ = try networks.store.allocate(network, containerID: record.id, containerName: record.name,
                                        request: EndpointRequest(address: address, mac: mac, aliases: spec.networkAliases))
        var ports = spec.ports
        if spec.publishAll {
            for entry in exposed.sorted() {
                let parts = entry.split(separator: "/")
                guard let port = parts.first.flatMap({ Int($0) }), !ports.contains(where: { $0.containerPort == port }) else { continue }
                ports.append(PortBinding(proto: parts.count > 1 ? String(parts[1]) : "tcp", hostIP: "", hostPort: 0, containerPort: port))
            }
        }
        return try networks.store.publish(ports, container: record.id)
    }

    /// Write the container's /etc/hosts in place (it may be bind-mounted into a running container):
    /// localhost lines, its own address and name, its user networks' other containers by name and
    /// alias, and `--add-host` entries.
    func writeHosts(_ record: ContainerRecord) throws(LighterError) {
        let hostname = record.spec.hostname ?? String(record.id.prefix(12))
        var text = Engine.hostsFile(hostname: hostname, network: record.spec.network, ownAddress: nil)
        if record.spec.usesBridge {
            let mine = try networks.store.endpoints(container: record.id)
            text = Engine.hostsFile(hostname: hostname, network: record.spec.network, ownAddress: mine.first.map { "\($0.address)" })
            for endpoint in mine where endpoint.network != NetworkRecord.defaultName {
                for peer in try networks.store.endpoints(network: endpoint.network) where peer.containerID != record.id {
                    text += "\(peer.address)\t\(([peer.containerName, String(peer.containerID.prefix(12))] + peer.aliases).joined(separator: " "))\n"
                }
            }
        }
        for entry in record.spec.extraHosts {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            var address = parts[1]
            if address == "host-gateway" {
                // Docker's special value: the host as the container sees it (its network's gateway).
                guard let first = try networks.store.endpoints(container: record.id).first,
                      let network = try networks.store.network(first.network) else { continue }
                address = "\(network.gateway)"
            }
            text += "\(address)\t\(parts[0])\n"
        }
        let fd = try FileDescriptor(path: "\(directory(record.id))/hosts", flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        try fd.write(text)
        try fd.close()
    }

    /// Rewrite the hosts files of every other container sharing a user network with `id`
    /// (after it joined or before it leaves).
    func refreshPeerHosts(of id: String, leaving: Bool = false) throws(LighterError) {
        var peers: Set<String> = []
        for endpoint in try networks.store.endpoints(container: id) where endpoint.network != NetworkRecord.defaultName {
            for peer in try networks.store.endpoints(network: endpoint.network) where peer.containerID != id { peers.insert(peer.containerID) }
        }
        if leaving { try networks.store.release(container: id) }
        for peer in peers {
            guard let record = try? record(peer) else { continue }
            try? writeHosts(record)
        }
    }

    /// Insert the container's row; a taken name is a clear conflict, a generated one is retried.
    private func reserveName(_ wanted: String?, id: String, imageID: Digest, created: Int64) throws(LighterError) -> String {
        for _ in 0..<20 {
            let name = wanted ?? ContainerNames.random()
            let taken = try images.db.transaction { () throws(LighterError) -> String? in
                if let row = try images.db.query("SELECT id FROM containers WHERE name = ?", [.text(name)]).first {
                    return row.string("id")
                }
                try images.db.execute("INSERT INTO containers (id, name, image_id, created_at) VALUES (?, ?, ?, ?)",
                                      [.text(id), .text(name), .text(imageID.hex), .integer(created)])
                return nil
            }
            guard let owner = taken else { return name }
            if wanted != nil {
                throw .conflict("the container name \"/\(name)\" is already in use by container \"\(owner)\". You have to remove (or rename) that container to be able to reuse that name.")
            }
        }
        throw .conflict("could not find a free container name")
    }

    /// A foreign-architecture image runs only through a registered emulator; `--platform` must match the image.
    func checkPlatform(_ platform: Platform, image: String, wanted: Platform?) throws(LighterError) {
        if let wanted, wanted != platform, !(wanted.architecture == platform.architecture && wanted.canRun(platform)) {
            throw .conflict("image \(image) is \(platform), which does not match the requested platform \(wanted)")
        }
        guard platform.os == "linux" else {
            throw .unsupported(feature: "running \(platform) images", fix: "Lighter runs linux images only")
        }
        let host = Platform.host
        if host.canRun(platform) || Binfmt().canRun(platform.architecture) { return }
        throw .unsupported(feature: "running \(image) (\(platform)) on this \(host) machine",
                           fix: "register the QEMU emulator with `lighter binfmt install \(platform.architecture)` (needs Debian's qemu-user-static)")
    }

    static func hostsFile(hostname: String, network: String, ownAddress: String? = nil) -> String {
        if network == "host", let hosts = try? FileSystem.readString("/etc/hosts") { return hosts }
        return """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters
        \(ownAddress ?? "127.0.1.1")\t\(hostname)

        """
    }

    /// The host's resolv.conf without loopback resolvers (unreachable from the container), as Docker does.
    /// With `--dns`, its servers replace the host's; with `--dns-search`/`--dns-option`, the host's
    /// search/options lines are replaced too (`--dns-search .` means none, as Docker).
    static func resolvConf(dns: [String] = [], search: [String] = [], options: [String] = []) -> String {
        let host = (try? FileSystem.readString("/etc/resolv.conf")) ?? ""
        var lines: [String] = dns.map { "nameserver \($0)" }
        let domains = search.filter { $0 != "." }
        if !domains.isEmpty { lines.append("search " + domains.joined(separator: " ")) }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        var servers = dns.count
        for line in host.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = line.trimmed
            if !search.isEmpty && (text.hasPrefix("search") || text.hasPrefix("domain")) { continue }
            if !options.isEmpty && text.hasPrefix("options") { continue }
            if text.hasPrefix("nameserver") {
                if !dns.isEmpty { continue }
                let address = text.dropFirst("nameserver".count).trimmed
                if address.hasPrefix("127.") || address == "::1" { continue }
                servers += 1
            }
            lines.append(String(line))
        }
        var result = lines.joined(separator: "\n")
        if servers == 0 { result += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n" }
        return result
    }
}

extension Engine {
    /// `network connect`: one more network for a container (plugged in at once if it runs).
    public func connect(_ id: String, to name: String, request: EndpointRequest) throws(LighterError) {
        let record = try inspect(id)
        guard record.spec.usesBridge else {
            throw .conflict("container \(record.name) uses --network \(record.spec.network) and cannot join other networks")
        }
        let network = try networks.resolve(name)
        if network.isDefault, request.address != nil || !request.aliases.isEmpty {
            throw .invalidArgument("--ip and --alias are supported on user defined networks only")
        }
        let endpoint = try networks.store.allocate(network, containerID: id, containerName: record.name, request: request)
        if record.state.status == .running, record.state.pid > 0 {
            do {
                try networks.attach(endpoint, pid: record.state.pid)
            } catch {
                try? networks.disconnect(endpoint)
                throw error
            }
        }
        try writeHosts(record)
        try refreshPeerHosts(of: id)
        emitNetwork("connect", id: network.id, name: network.name, container: id)
    }

    /// `network disconnect`.
    public func disconnect(_ id: String, from name: String) throws(LighterError) {
        let record = try inspect(id)
        let network = try networks.resolve(name)
        guard let endpoint = try networks.store.endpoints(container: id).first(where: { $0.network == network.name }) else {
            throw .conflict("container \(record.name) is not connected to network \(network.name)")
        }
        let peers = try networks.store.endpoints(network: network.name).map(\.containerID).filter { $0 != id }
        try networks.disconnect(endpoint)
        emitNetwork("disconnect", id: network.id, name: network.name, container: id)
        try writeHosts(record)
        for peer in peers { if let other = try? self.record(peer) { try? writeHosts(other) } }
    }
}
