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
