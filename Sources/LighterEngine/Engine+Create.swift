#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterEmulation
import LighterNetwork
import LighterOCI
import LighterRuntime
import LighterStore
import LighterSystem

extension Engine {
    /// `create`: resolve the image, work out the process, reserve the name, lay out the container's
    /// directory. Nothing runs yet. `image`: this image rather than what `spec.image` names now (an
    /// update's replacement, a rollback).
    public func create(_ spec: ContainerSpec, name: String?, image: Digest? = nil) throws(LighterError) -> ContainerRecord {
        var spec = spec
        let imageID: Digest
        if let image { imageID = image } else { imageID = try images.resolve(spec.image).id }
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
                spec.binds[index].source = volume.source
                if volume.readOnly { spec.binds[index].readOnly = true }
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
        try checkLinks(spec)
        // `--network container:NAME`: that container's network namespace, joined at each start; kept by ID.
        if spec.network.hasPrefix("container:") { spec.network = "container:" + (try resolve(String(spec.network.dropFirst(10)))) }
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
            record.name = try reserveName(name, id: id, imageID: imageID, created: now.seconds, durable: !spec.autoRemove)
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
    func connect(_ record: ContainerRecord, exposed: [String]) throws(LighterError) -> [PortBinding] {
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

    /// Insert the container's row; a taken name is a clear conflict, a generated one is retried.
    /// `durable` for a container that outlives its run: once `create` returns it must survive a power
    /// cut (its container.json is fsynced too), which a `--rm` container need not.
    private func reserveName(_ wanted: String?, id: String, imageID: Digest, created: Int64, durable: Bool) throws(LighterError) -> String {
        for _ in 0..<20 {
            let name = wanted ?? ContainerNames.random()
            let taken = try images.db.transaction(durable: durable) { () throws(LighterError) -> String? in
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
}
