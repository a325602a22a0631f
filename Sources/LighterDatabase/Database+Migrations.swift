import LighterSystem

extension Database {
    /// Bring each schema up to date, in `schemas`' order. `schema_migrations` holds one row per
    /// module and applied version. The usual case — everything applied — costs one query; otherwise
    /// the missing steps run in one write transaction, after reading the table again under the
    /// write lock (another process may have migrated meanwhile).
    public func migrate(_ schemas: [DatabaseSchema]) throws(LighterError) {
        try DatabaseSchema.checkOrder(schemas)
        if let applied = try? appliedVersions(), schemas.allSatisfy({ applied[$0.module, default: 0] >= $0.migrations.count }) {
            return
        }
        try transaction { () throws(LighterError) in
            try execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    module TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    applied_at INTEGER NOT NULL,
                    PRIMARY KEY (module, version)
                )
                """)
            var applied = try appliedVersions()
            try adoptGlobalVersion(schemas.filter { applied[$0.module] == nil }, into: &applied)
            for schema in schemas {
                let done = applied[schema.module, default: 0]
                guard done < schema.migrations.count else { continue }
                for version in (done + 1)...schema.migrations.count {
                    try execute(schema.migrations[version - 1].sql)
                    try record(schema.module, version)
                }
            }
        }
    }

    /// The highest applied version of each module.
    func appliedVersions() throws(LighterError) -> [String: Int] {
        var versions: [String: Int] = [:]
        for row in try query("SELECT module, MAX(version) AS version FROM schema_migrations GROUP BY module") {
            versions[row.string("module")] = Int(row.int("version"))
        }
        return versions
    }

    /// A database from before `schema_migrations` numbered one global schema in `PRAGMA user_version`:
    /// for each module it has no row of yet, record as applied every step whose tables that version
    /// already created, so no row is lost (whichever modules the first opener names).
    private func adoptGlobalVersion(_ schemas: [DatabaseSchema], into applied: inout [String: Int]) throws(LighterError) {
        guard !schemas.isEmpty else { return }
        let global = Int(try query("PRAGMA user_version").first?.int("user_version") ?? 0)
        guard global > 0 else { return }
        for schema in schemas {
            for (index, migration) in schema.migrations.enumerated() {
                guard let since = migration.presentSinceUserVersion, since <= global else { break }
                try record(schema.module, index + 1)
                applied[schema.module] = index + 1
            }
        }
    }

    private func record(_ module: String, _ version: Int) throws(LighterError) {
        try execute("INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)",
                    [.text(module), .integer(Int64(version)), .integer(Time.now().seconds)])
    }
}

extension DatabaseSchema {
    /// Every module named once, after the modules it requires.
    static func checkOrder(_ schemas: [DatabaseSchema]) throws(LighterError) {
        var seen: Set<String> = []
        for schema in schemas {
            guard !seen.contains(schema.module) else {
                throw .invalidArgument("database schema \(schema.module) is listed twice")
            }
            for required in schema.requires where !seen.contains(required) {
                throw .invalidArgument("database schema \(schema.module) needs the tables of \(required), which must be listed before it")
            }
            seen.insert(schema.module)
        }
    }
}
