import LighterSystem

/// The data root (`/var/lib/lighter`, `--root`, `LIGHTER_ROOT`) and its metadata database: opens
/// `lighter.db` once and brings every module's tables up to date. The stores each take this one
/// connection (`ImageStore(dataRoot:)`, `NetworkStore(db:)`, the engine's containers) and own their
/// tables, each declared by its module as a `DatabaseSchema`.
public final class DataRoot: Sendable {
    public let root: String
    public let database: Database

    /// Create the root if needed (0700), open `lighter.db`, apply `schemas` in order.
    public init(root: String, schemas: [DatabaseSchema]) throws(LighterError) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        try FileSystem.makeDirectories(root, mode: 0o700)
        database = try Database(path: DataRoot.databasePath(root))
        try database.migrate(schemas)
    }

    public static func databasePath(_ root: String) -> String { "\(root)/lighter.db" }
}
