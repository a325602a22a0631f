/// The tables one module owns in `lighter.db`: its name and its migrations, in order. Each module
/// declares its own next to the SQL that uses the tables (`ImageStore.schema`, `Engine.schema`,
/// `NetworkStore.schema`); `DataRoot` applies them. A migration, once released, never changes: a
/// change of schema is a new migration appended to the list.
public struct DatabaseSchema: Sendable {
    /// One step: the SQL to run, and the old global `PRAGMA user_version` from which databases
    /// created before migrations were kept per module already hold this step's tables.
    public struct Migration: Sendable {
        public let sql: String
        public let presentSinceUserVersion: Int?

        public init(_ sql: String, presentSinceUserVersion: Int? = nil) {
            self.sql = sql
            self.presentSinceUserVersion = presentSinceUserVersion
        }
    }

    /// The key of the module's rows in `schema_migrations` (never renamed).
    public let module: String
    /// Modules whose tables this one's SQL reads or references; they must come first in a data
    /// root's list, which `DataRoot` checks.
    public let requires: [String]
    public let migrations: [Migration]

    public init(module: String, requires: [String] = [], migrations: [Migration]) {
        self.module = module
        self.requires = requires
        self.migrations = migrations
    }
}
