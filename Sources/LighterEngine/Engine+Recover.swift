import LighterSystem

extension Engine {
    /// Give containers whose record (`container.json`) is on disk but whose database row is not —
    /// lost to a power cut, or with a lost or damaged database — their row back (`system check
    /// --repair`). Their image must be in the store (`recoverImages` first); a name another container
    /// took meanwhile gets a generated one. A create in progress holds the container's lock and is
    /// left alone; a record that cannot be read (torn by a crash), or of a `--rm` container, stays a
    /// leftover. Returns the IDs.
    public func recoverContainers() throws(LighterError) -> [String] {
        let containers = images.paths.containers
        guard FileSystem.isDirectory(containers) else { return [] }
        let rows = Set(try allIDs())
        var recovered: [String] = []
        for id in try FileSystem.list(containers) where Self.isContainerID(id) && !rows.contains(id) {
            guard let lock = try? FileLock(trying: "\(directory(id))/lock", mode: .exclusive) else { continue }
            defer { lock.release() }
            // A `--rm` container without its row was being removed: a leftover, not brought back.
            guard let record = try? record(id), !record.spec.autoRemove,
                  try !images.db.query("SELECT 1 FROM images WHERE id = ?", [.text(record.spec.imageID.hex)]).isEmpty else { continue }
            let created = Time.parseRFC3339(record.created) ?? Time.now().seconds
            try images.db.transaction(durable: true) { () throws(LighterError) in
                guard try images.db.query("SELECT 1 FROM containers WHERE id = ?", [.text(id)]).isEmpty else { return }
                var name = record.name
                func taken(_ name: String) throws(LighterError) -> Bool {
                    try !images.db.query("SELECT 1 FROM containers WHERE name = ?", [.text(name)]).isEmpty
                }
                if name.isEmpty { name = ContainerNames.random() }
                while try taken(name) { name = ContainerNames.random() }
                try images.db.execute("INSERT INTO containers (id, name, image_id, created_at) VALUES (?, ?, ?, ?)",
                                      [.text(id), .text(name), .text(record.spec.imageID.hex), .integer(created)])
                if name != record.name {
                    var renamed = record
                    renamed.name = name
                    try save(renamed)
                }
            }
            recovered.append(id)
        }
        return recovered
    }
}
