import LighterSystem

extension Engine {
    /// Named volumes of this data root.
    public var volumes: VolumeStore { VolumeStore(dataRoot: images.paths.root) }

    /// Names of the containers that mount volume `name`.
    public func volumeUsers(_ name: String) throws(LighterError) -> [String] {
        let mountpoint = volumes.directory(name) + "/_data"
        return try allIDs().compactMap { id in
            guard let record = try? record(id) else { return nil }
            return record.spec.binds.contains { $0.source == mountpoint } ? record.name : nil
        }
    }

    /// Remove the anonymous volumes (64-hex names, made for `-v /path` or an image's VOLUME) that a
    /// removed container used, unless another container uses them too.
    func removeAnonymousVolumes(of record: ContainerRecord) throws(LighterError) {
        for bind in record.spec.binds {
            guard let name = bind.volume, name.count == 64, name.allSatisfy(\.isHexDigit) else { continue }
            let users = try volumeUsers(name)
            if users.isEmpty { try? volumes.remove(name, users: []) }
        }
    }

    /// `volume prune`: remove every volume no container uses; their names.
    public func pruneVolumes() throws(LighterError) -> [String] {
        var removed: [String] = []
        for volume in try volumes.list() where try volumeUsers(volume.Name).isEmpty {
            try volumes.remove(volume.Name, users: [])
            removed.append(volume.Name)
        }
        return removed
    }
}
