import LighterNetwork
import LighterOCI
import LighterSystem

/// `--link CONTAINER[:ALIAS]`, Docker's legacy links: an /etc/hosts line (`IP ALIAS HOSTNAME NAME`)
/// for the target, and on the default bridge the `ALIAS_*` environment Docker sets at start.
extension Engine {
    /// At create: links need a bridge network and targets that exist (Docker's messages).
    func checkLinks(_ spec: ContainerSpec) throws(LighterError) {
        guard let first = spec.links.first else { return }
        if !spec.usesBridge {
            let kind = spec.network.hasPrefix("container:") ? "container type network" : "\(spec.network) type networking"
            throw .invalidArgument("--link \(first): conflicting options: \(kind) can't be used with links. This would result in undefined behavior")
        }
        for link in spec.links { _ = try linkTarget(Self.linkParts(link).target) }
    }

    /// "CONTAINER:ALIAS" as stored in the spec.
    static func linkParts(_ link: String) -> (target: String, alias: String) {
        let parts = link.split(separator: ":", maxSplits: 1).map(String.init)
        let target = parts.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? link
        return (target, parts.count == 2 ? parts[1] : target)
    }

    /// Docker's `HostConfig.Links`: "/target:/container/alias".
    public static func inspectLinks(_ spec: ContainerSpec, name: String) -> [String] {
        spec.links.map { let (target, alias) = linkParts($0); return "/\(target):/\(name)/\(alias)" }
    }

    private func linkTarget(_ name: String) throws(LighterError) -> ContainerRecord {
        do {
            return try inspect(try resolve(name))
        } catch .notFound {
            throw .invalidArgument("could not get container for \(name)")
        }
    }

    /// The target's address on a network it shares with `record` (the default bridge for classic links).
    private func linkAddress(_ record: ContainerRecord, target: ContainerRecord) throws(LighterError) -> IPv4Address? {
        let mine = Set(try networks.store.endpoints(container: record.id).map(\.network))
        return try networks.store.endpoints(container: target.id).first { mine.contains($0.network) }?.address
    }

    /// The /etc/hosts lines of the links (targets gone or on no shared network are left out).
    func linkHostsLines(_ record: ContainerRecord) -> String {
        var text = ""
        for link in record.spec.links {
            let (name, alias) = Self.linkParts(link)
            guard let target = try? linkTarget(name), let address = try? linkAddress(record, target: target) else { continue }
            let hostname = target.spec.hostname ?? String(target.id.prefix(12))
            text += "\(address)\t\(([alias, hostname] + (alias == target.name ? [] : [target.name])).joined(separator: " "))\n"
        }
        return text
    }

    /// At start: every target must run on a network this container is on; on the default bridge,
    /// Docker's link variables (`ALIAS_NAME`, `ALIAS_PORT*`, `ALIAS_ENV_*`), which the container's own -e override.
    func linkEnvironment(_ record: ContainerRecord) throws(LighterError) -> [String] {
        var env: [String] = []
        for link in record.spec.links {
            let (name, alias) = Self.linkParts(link)
            let target = try linkTarget(name)
            guard target.state.status == .running else {
                throw .conflict("Cannot link to a non running container: /\(target.name) AS /\(record.name)/\(alias)")
            }
            guard let address = try linkAddress(record, target: target) else {
                throw .conflict("cannot link to /\(target.name) AS /\(record.name)/\(alias): the two share no network (connect them to the same one)")
            }
            guard record.spec.network == NetworkRecord.defaultName else { continue }
            let image = try images.config(of: target.spec.imageID).config ?? LighterOCI.ContainerConfig()
            var targetEnv = EnvironmentList()   // Docker's Config.Env: the image's, then the target's -e
            targetEnv.set(contentsOf: image.Env ?? [])
            targetEnv.set(contentsOf: target.spec.env)
            env += Self.linkVariables(alias: alias, name: "/\(record.name)/\(alias)", address: "\(address)",
                                      ports: target.spec.exposedPorts, targetEnv: targetEnv.entries)
        }
        return env
    }

    /// Docker's variables for one link (daemon/links): ports sorted by number, tcp first; the
    /// target's HOME and PATH left out.
    static func linkVariables(alias: String, name: String, address: String, ports: [String], targetEnv: [String]) -> [String] {
        let prefix = String(alias.uppercased().map { $0 == "-" ? "_" : $0 })
        var env = ["\(prefix)_NAME=\(name)"]
        let parsed: [(port: Int, proto: String)] = ports.compactMap { key in
            let parts = key.split(separator: "/").map(String.init)
            guard let port = Int(parts[0]) else { return nil }
            return (port, parts.count > 1 ? parts[1].lowercased() : "tcp")
        }.sorted { ($0.port, $0.proto == "tcp" ? 0 : 1, $0.proto) < ($1.port, $1.proto == "tcp" ? 0 : 1, $1.proto) }
        if let first = parsed.first { env.append("\(prefix)_PORT=\(first.proto)://\(address):\(first.port)") }
        for (port, proto) in parsed {
            let key = "\(prefix)_PORT_\(port)_\(proto.uppercased())"
            env += ["\(key)=\(proto)://\(address):\(port)", "\(key)_ADDR=\(address)", "\(key)_PORT=\(port)", "\(key)_PROTO=\(proto)"]
        }
        for entry in targetEnv {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let key = entry[..<equals]
            if key == "HOME" || key == "PATH" { continue }
            env.append("\(prefix)_ENV_\(key)=\(entry[entry.index(after: equals)...])")
        }
        return env
    }
}
