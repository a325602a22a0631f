import LighterStore
import LighterSystem

extension Engine {
    /// The data root's event log (`events`).
    public var events: EventLog { EventLog(root: images.paths.root) }

    /// Record a container event with Docker's attributes: image, name, the container's labels, and `extra`.
    func emit(_ action: String, _ record: ContainerRecord, _ extra: [String: String] = [:]) {
        var attributes = record.spec.labels
        attributes["image"] = record.spec.image
        attributes["name"] = record.name
        attributes.merge(extra) { $1 }
        events.append(Event(type: "container", action: action, actorID: record.id, attributes: attributes))
    }
}

extension Engine {
    /// Record a network event (create, destroy, connect, disconnect) with Docker's attributes.
    public func emitNetwork(_ action: String, id: String, name: String, container: String? = nil) {
        var attributes = ["name": name, "type": "bridge"]
        if let container { attributes["container"] = container }
        events.append(Event(type: "network", action: action, actorID: id, attributes: attributes))
    }
}

extension VolumeStore {
    /// Record a volume event (create, destroy) in the data root's log.
    func emit(_ action: String, name: String) {
        EventLog(root: FileSystem.dirname(of: root)).append(Event(type: "volume", action: action, actorID: name, attributes: ["driver": "local"]))
    }
}
