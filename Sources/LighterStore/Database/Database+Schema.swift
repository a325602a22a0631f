import LighterSystem

extension Database {
    /// The metadata schema, applied in order; `PRAGMA user_version` records how far a database got.
    static let migrations: [String] = [
        """
        CREATE TABLE blobs (
            digest TEXT PRIMARY KEY,          -- sha256 hex
            size INTEGER NOT NULL,
            media_type TEXT NOT NULL
        );
        CREATE TABLE images (
            id TEXT PRIMARY KEY,              -- config digest hex = image ID
            manifest_digest TEXT NOT NULL REFERENCES blobs(digest),
            platform TEXT NOT NULL,
            created TEXT,                     -- from the config, RFC 3339
            added_at INTEGER NOT NULL         -- unix seconds, when stored here
        );
        CREATE TABLE image_blobs (            -- every blob an image needs (manifest, config, layers)
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            digest TEXT NOT NULL REFERENCES blobs(digest),
            PRIMARY KEY (image_id, digest)
        );
        CREATE INDEX image_blobs_digest ON image_blobs(digest);
        CREATE TABLE snapshots (
            chain_id TEXT PRIMARY KEY,
            parent TEXT,                      -- chain ID of the layer below, NULL for the base
            diff_id TEXT NOT NULL,
            size INTEGER NOT NULL             -- bytes on disk of this layer's own directory
        );
        CREATE TABLE image_layers (
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            diff_id TEXT NOT NULL,
            chain_id TEXT NOT NULL REFERENCES snapshots(chain_id),
            blob_digest TEXT NOT NULL REFERENCES blobs(digest),
            PRIMARY KEY (image_id, position)
        );
        CREATE INDEX image_layers_chain ON image_layers(chain_id);
        CREATE TABLE tags (
            name TEXT PRIMARY KEY,            -- fully qualified reference, e.g. docker.io/library/busybox:latest
            image_id TEXT NOT NULL REFERENCES images(id)
        );
        CREATE INDEX tags_image ON tags(image_id);
        CREATE TABLE containers (
            id TEXT PRIMARY KEY,
            name TEXT UNIQUE NOT NULL,
            image_id TEXT NOT NULL REFERENCES images(id),
            created_at INTEGER NOT NULL
        );
        """,
        // 2: networks and their endpoints (IPAM): one row per container per network; an address is
        // unique within its network, a published host port unique per protocol.
        """
        CREATE TABLE networks (
            name TEXT PRIMARY KEY,
            id TEXT UNIQUE NOT NULL,
            driver TEXT NOT NULL,
            bridge TEXT UNIQUE NOT NULL,
            subnet TEXT NOT NULL,
            gateway TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE endpoints (
            network TEXT NOT NULL REFERENCES networks(name),
            container_id TEXT NOT NULL,
            container_name TEXT NOT NULL,
            address INTEGER NOT NULL,
            mac TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '',
            seq INTEGER NOT NULL,
            PRIMARY KEY (network, container_id),
            UNIQUE (network, address)
        );
        CREATE INDEX endpoints_container ON endpoints(container_id);
        CREATE TABLE published_ports (
            protocol TEXT NOT NULL,
            host_ip TEXT NOT NULL,
            host_port INTEGER NOT NULL,
            container_id TEXT NOT NULL,
            container_port INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (protocol, host_port, host_ip)
        );
        CREATE INDEX published_ports_container ON published_ports(container_id);
        """,
    ]

    /// Bring the schema up to date, in one transaction per step.
    func migrate() throws(LighterError) {
        let version = Int(try query("PRAGMA user_version").first?.int("user_version") ?? 0)
        guard version < Database.migrations.count else { return }
        try transaction { () throws(LighterError) in
            // Re-read inside the write lock: another process may have migrated meanwhile.
            let current = Int(try query("PRAGMA user_version").first?.int("user_version") ?? 0)
            for step in current..<Database.migrations.count {
                try execute(Database.migrations[step])
            }
            try execute("PRAGMA user_version = \(Database.migrations.count)")
        }
    }
}
