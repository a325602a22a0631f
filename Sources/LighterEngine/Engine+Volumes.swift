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
