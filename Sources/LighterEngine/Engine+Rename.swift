import LighterSystem

extension Engine {
    /// `rename`: give a container a new, unused name (the database row first, then its record).
    public func renameContainer(_ id: String, to wanted: String) throws(LighterError) {
        let name = wanted.hasPrefix("/") ? String(wanted.dropFirst()) : wanted
        guard ContainerNames.isValid(name) else {
            throw .invalidArgument("invalid container name \"\(wanted)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
        let old = try record(id).name
        guard name != old else { throw .conflict("renaming a container with the same name as its current name") }
        try images.db.transaction { () throws(LighterError) in
            if let row = try images.db.query("SELECT id FROM containers WHERE name = ?", [.text(name)]).first {
                throw .conflict("the container name \"/\(name)\" is already in use by container \"\(row.string("id"))\". You have to remove (or rename) that container to be able to reuse that name.")
            }
            try images.db.execute("UPDATE containers SET name = ? WHERE id = ?", [.text(name), .text(id)])
        }
        do {
            let renamed = try update(id) { (record) throws(LighterError) in record.name = name }
            emit("rename", renamed, ["oldName": "/" + old])
        } catch {
            _ = try? images.db.execute("UPDATE containers SET name = ? WHERE id = ?", [.text(old), .text(id)])
            throw error
        }
    }
}
