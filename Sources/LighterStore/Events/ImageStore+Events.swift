import LighterSystem

extension ImageStore {
    /// The data root's event log (`events`).
    public var events: EventLog { EventLog(root: paths.root) }

    /// Record an image event: Actor.ID is the image ID or, as Docker has it for tag and pull, the name.
    public func emit(_ action: String, id: String, name: String? = nil) {
        events.append(Event(type: "image", action: action, actorID: id, attributes: name.map { ["name": $0] } ?? [:]))
    }

    /// The events of an `rmi` or a prune: untag and delete.
    public func emit(_ removals: [RemovalEvent]) {
        for removal in removals {
            switch removal {
            case let .untagged(name): emit("untag", id: name, name: name)
            case let .deleted(id): emit("delete", id: id.description)
            }
        }
    }
}
