import LighterDatabase
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

/// The build cache, in the data root's database: one row per step a build ran, by the step's key (the
/// state it started from, the instruction with its arguments expanded, the build args and env it
/// saw, the hash of what it copied), holding the state it left (image config and layer blobs). The
/// layers of every cached state are held in `layer_holds`, so GC keeps them without an image: the
/// cache survives `rmi` of what was built, until `builder prune`.
public struct BuildCache: Sendable {
    public static let schema = DatabaseSchema(module: "build", requires: ["images"], migrations: [
        .init("""
        CREATE TABLE build_cache (
            key TEXT PRIMARY KEY,             -- sha256 hex of the step (BuildCache.key)
            config BLOB NOT NULL,             -- the image config after the step (JSON)
            layers TEXT NOT NULL,             -- its layer blobs, one "digest size media-type" a line
            created_at INTEGER NOT NULL,      -- unix seconds
            used_at INTEGER NOT NULL
        );
        CREATE TABLE layer_holds (            -- layers GC keeps without an image (LighterStore reads it)
            holder TEXT NOT NULL REFERENCES build_cache(key) ON DELETE CASCADE,
            chain_id TEXT NOT NULL,
            blob_digest TEXT NOT NULL,
            PRIMARY KEY (holder, chain_id)
        );
        CREATE INDEX layer_holds_chain ON layer_holds(chain_id);
        CREATE INDEX layer_holds_blob ON layer_holds(blob_digest);
        """),
    ])

    /// Every module's tables a build opens the data root with.
    public static var schemas: [DatabaseSchema] { Engine.schemas + [schema] }

    public let store: ImageStore
    public init(store: ImageStore) { self.store = store }

    /// A cached state: the config and the layer blobs.
    public struct Entry: Sendable {
        public var configBytes: [UInt8]
        public var layers: [LayerBlob]
    }

    /// The key of a step: a digest over its parts, one a line.
    public static func key(_ parts: [String]) -> Digest {
        Digest.of(Array(parts.joined(separator: "\n").utf8))
    }

    /// The cached state for `key`, if its layers are all still on disk.
    public func lookup(_ key: Digest) throws(LighterError) -> Entry? {
        guard let row = try store.db.query("SELECT config, layers FROM build_cache WHERE key = ?", [.text(key.hex)]).first else { return nil }
        let configBytes: [UInt8]
        switch row["config"] {
        case let .blob(bytes): configBytes = bytes
        case let .text(text): configBytes = Array(text.utf8)
        default: return nil
        }
        var layers: [LayerBlob] = []
        for line in row.string("layers").split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count == 3, let digest = try? Digest(hex: parts[0]), let size = Int64(parts[1]) else { return nil }
            guard store.content.contains(digest) else { return nil }
            layers.append(LayerBlob(digest: digest, mediaType: parts[2], size: size))
        }
        guard let config = try? ImageConfig(jsonBytes: configBytes, what: "cached image config") else { return nil }
        for chainID in Digest.chainIDs(of: config.rootfs.diff_ids) where !store.snapshots.contains(chainID) { return nil }
        return Entry(configBytes: configBytes, layers: layers)
    }

    /// Record that a build used these entries (one write for the whole build, not one per step).
    public func touch(_ keys: [Digest]) throws(LighterError) {
        guard !keys.isEmpty else { return }
        let now = Time.now().seconds
        try store.db.transaction { () throws(LighterError) in
            for key in keys {
                try store.db.execute("UPDATE build_cache SET used_at = ? WHERE key = ?", [.integer(now), .text(key.hex)])
            }
        }
    }

    /// Remember the state a step left, holding its layers.
    public func save(_ key: Digest, configBytes: [UInt8], layers: [LayerBlob]) throws(LighterError) {
        let config = try ImageConfig(jsonBytes: configBytes, what: "image config")
        let chainIDs = Digest.chainIDs(of: config.rootfs.diff_ids)
        let text = layers.map { "\($0.digest.hex) \($0.size) \($0.mediaType)" }.joined(separator: "\n")
        let now = Time.now().seconds
        try store.db.transaction { () throws(LighterError) in
            try store.db.execute("INSERT OR REPLACE INTO build_cache (key, config, layers, created_at, used_at) VALUES (?, ?, ?, ?, ?)",
                                 [.text(key.hex), .blob(configBytes), .text(text), .integer(now), .integer(now)])
            try store.db.execute("DELETE FROM layer_holds WHERE holder = ?", [.text(key.hex)])
            for (index, layer) in layers.enumerated() where index < chainIDs.count {
                try store.db.execute("INSERT OR IGNORE INTO layer_holds (holder, chain_id, blob_digest) VALUES (?, ?, ?)",
                                     [.text(key.hex), .text(chainIDs[index].hex), .text(layer.digest.hex)])
            }
        }
    }

    /// `system df`'s Build Cache row: the entries, and the bytes of the layers (unpacked snapshots
    /// and blobs) only the cache keeps, all of which `builder prune -a` would free. Zero when the
    /// data root has never built.
    public func usage() throws(LighterError) -> (entries: Int, size: Int64) {
        guard try !store.db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'build_cache'").isEmpty else { return (0, 0) }
        let entries = try store.db.query("SELECT count(*) AS n FROM build_cache").first?.int("n") ?? 0
        let snapshots = try store.db.query("""
            SELECT coalesce(sum(size), 0) AS n FROM snapshots WHERE chain_id IN (SELECT chain_id FROM layer_holds)
              AND chain_id NOT IN (SELECT chain_id FROM image_layers)
            """).first?.int("n") ?? 0
        let blobs = try store.db.query("""
            SELECT coalesce(sum(size), 0) AS n FROM blobs WHERE digest IN (SELECT blob_digest FROM layer_holds)
              AND digest NOT IN (SELECT digest FROM image_blobs)
            """).first?.int("n") ?? 0
        return (Int(entries), snapshots + blobs)
    }

    /// What `builder prune` did.
    public struct PruneReport: Sendable {
        public var entries: Int
        public var reclaimedBytes: Int64
        /// The removed entries' keys (sha256 hex of each step).
        public var keys: [String] = []
    }

    /// `builder prune`: remove the cache entries whose state is no image (`all`: every entry), then
    /// collect what nothing holds any more.
    public func prune(all: Bool) throws(LighterError) -> PruneReport {
        try store.withLock(.exclusive) { () throws(LighterError) -> PruneReport in
            var removed: [String] = []
            try store.db.transaction { () throws(LighterError) in
                let rows = try store.db.query("SELECT key, config FROM build_cache")
                let images = Set(try store.db.query("SELECT id FROM images").map { $0.string("id") })
                for row in rows {
                    if !all {
                        let bytes: [UInt8]
                        if case let .blob(b) = row["config"] { bytes = b } else { bytes = Array(row.string("config").utf8) }
                        if images.contains(Digest.of(bytes).hex) { continue }
                    }
                    try store.db.execute("DELETE FROM layer_holds WHERE holder = ?", [.text(row.string("key"))])
                    try store.db.execute("DELETE FROM build_cache WHERE key = ?", [.text(row.string("key"))])
                    removed.append(row.string("key"))
                }
            }
            var freed = try store.collectGarbage()
            // RUN --mount=type=cache directories go with -a.
            let mounts = "\(store.paths.root)/build-mounts"
            if all && FileSystem.isDirectory(mounts) {
                freed += FileSystem.diskUsage(mounts)
                try FileSystem.removeTree(mounts)
            }
            return PruneReport(entries: removed.count, reclaimedBytes: freed, keys: removed)
        }
    }
}
