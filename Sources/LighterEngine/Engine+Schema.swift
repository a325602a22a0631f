import LighterDatabase
import LighterNetwork
import LighterStore

extension Engine {
    /// The engine's table: one row per container (its unique name, its image), next to
    /// `containers/<id>/container.json`. The image store reads `image_id` to know which images are in use.
    public static let schema = DatabaseSchema(module: "containers", requires: ["images"], migrations: [
        .init("""
        CREATE TABLE containers (
            id TEXT PRIMARY KEY,
            name TEXT UNIQUE NOT NULL,
            image_id TEXT NOT NULL REFERENCES images(id),
            created_at INTEGER NOT NULL
        );
        """, presentSinceUserVersion: 1),
        // The image a container ran before its last update (`rollback` goes back to it; `image prune` keeps it).
        .init("ALTER TABLE containers ADD COLUMN previous_image_id TEXT;"),
    ])

    /// Every module's tables, in the order they are applied: what `Engine` and the CLI open the data root with.
    public static let schemas: [DatabaseSchema] = [ImageStore.schema, Engine.schema, NetworkStore.schema]
}
