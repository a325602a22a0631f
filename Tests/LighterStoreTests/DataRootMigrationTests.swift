#if canImport(Glibc)
import Glibc
#endif
import Testing
import LighterDatabase
import LighterEngine
import LighterNetwork
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

/// The data root's migrations: each module's own, recorded per module; databases made by the one
/// numbered schema of earlier versions (`PRAGMA user_version` 1 or 2) upgrade in place, rows kept.
@Suite struct DataRootMigrationTests {
    /// The schema exactly as earlier versions created it (Database+Schema.swift before per-module
    /// migrations): step N brought `PRAGMA user_version` to N.
    static let numberedSchema: [String] = [
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


    /// A database as an earlier version left it at `version`, holding an image, a tag, a container
    /// and (from version 2) a network with an endpoint.
    static func makeOldDatabase(_ root: String, version: Int) throws {
        try FileSystem.makeDirectories(root, mode: 0o700)
        let db = try Database(path: DataRoot.databasePath(root))
        for step in 0..<version { try db.execute(numberedSchema[step]) }
        try db.execute("PRAGMA user_version = \(version)")
        try db.execute("INSERT INTO blobs (digest, size, media_type) VALUES (?, 10, 'application/vnd.oci.image.manifest.v1+json')", [.text(manifestDigest)])
        try db.execute("INSERT INTO images (id, manifest_digest, platform, created, added_at) VALUES (?, ?, 'linux/amd64', NULL, 1)", [.text(imageID), .text(manifestDigest)])
        try db.execute("INSERT INTO tags (name, image_id) VALUES ('docker.io/library/old:latest', ?)", [.text(imageID)])
        try db.execute("INSERT INTO containers (id, name, image_id, created_at) VALUES ('c0ffee', 'web', ?, 2)", [.text(imageID)])
        if version >= 2 {
            try db.execute("INSERT INTO networks (name, id, driver, bridge, subnet, gateway, created_at) VALUES ('n1', 'nid', 'bridge', 'lt-n1', '10.60.0.0/24', '10.60.0.1', 3)")
            try db.execute("INSERT INTO endpoints (network, container_id, container_name, address, mac, seq) VALUES ('n1', 'c0ffee', 'web', 171704322, '02:42:0a:3c:00:02', 1)")
            try db.execute("INSERT INTO published_ports (protocol, host_ip, host_port, container_id, container_port) VALUES ('tcp', '', 8080, 'c0ffee', 80)")
        }
    }

    static let imageID = String(repeating: "ab", count: 32)
    static let manifestDigest = String(repeating: "cd", count: 32)

    static func applied(_ db: Database) throws -> [String] {
        try db.query("SELECT module, version FROM schema_migrations ORDER BY module, version").map { "\($0.string("module")) \($0.int("version"))" }
    }

    @Test(arguments: [1, 2]) func upgradesTheNumberedSchemaInPlace(version: Int) throws {
        let dir = TestDirectory("lighter-dataroot")
        try Self.makeOldDatabase(dir.path, version: version)
        let root = try DataRoot(root: dir.path, schemas: Engine.schemas)
        #expect(try Self.applied(root.database) == ["containers 1", "containers 2", "images 1", "images 2", "images 3", "networks 1", "networks 2", "networks 3", "networks 4"])
        let store = try ImageStore(dataRoot: root)
        #expect(try store.resolve("old").id.hex == Self.imageID)
        #expect(try store.imagesInUse() == [Self.imageID])
        let networks = NetworkStore(db: root.database)
        if version >= 2 {
            #expect(try networks.networks().map(\.name) == ["n1"])
            #expect(try networks.networks().map(\.labels) == [[:]])   // networks migration 2's column, empty for old rows
            #expect(try networks.networks().map(\.isInternal) == [false])   // migration 4's column
            #expect(try networks.endpoints(container: "c0ffee").map(\.address.description) == ["10.60.0.2"])
            // networks migration 3 rebuilt published_ports (a port held per container): the old row is kept.
            #expect(try networks.ports(container: "c0ffee").map(\.hostPort) == [8080])
        } else {
            #expect(try networks.networks().isEmpty)   // created by the networks module's migration
        }
        // The upgraded tables take new content, and reopening changes nothing.
        let fd = try FileDescriptor(path: Repository.busyboxTarball("amd64"), flags: O_RDONLY)
        _ = try store.importTarball(from: fd, sourceName: "busybox.tar", reference: try Reference(parsing: "busybox"),
                                    changes: [], platform: nil, message: nil)
        let again = try DataRoot(root: dir.path, schemas: Engine.schemas)
        #expect(try Self.applied(again.database) == ["containers 1", "containers 2", "images 1", "images 2", "images 3", "networks 1", "networks 2", "networks 3", "networks 4"])
        #expect(try ImageStore(dataRoot: again).images().count == 2)
    }

    @Test func modulesOpenedLaterAreAdoptedToo() throws {
        let dir = TestDirectory("lighter-dataroot")
        try Self.makeOldDatabase(dir.path, version: 2)
        let networksOnly = try DataRoot(root: dir.path, schemas: [NetworkStore.schema])
        #expect(try Self.applied(networksOnly.database) == ["networks 1", "networks 2", "networks 3", "networks 4"])
        let all = try DataRoot(root: dir.path, schemas: Engine.schemas)
        #expect(try Self.applied(all.database) == ["containers 1", "containers 2", "images 1", "images 2", "images 3", "networks 1", "networks 2", "networks 3", "networks 4"])
        #expect(try ImageStore(dataRoot: all).imagesInUse() == [Self.imageID])
    }

    @Test func freshRootGetsEveryModulesTables() throws {
        let dir = TestDirectory("lighter-dataroot")
        let root = try DataRoot(root: dir.path, schemas: Engine.schemas)
        #expect(try Self.applied(root.database) == ["containers 1", "containers 2", "images 1", "images 2", "images 3", "networks 1", "networks 2", "networks 3", "networks 4"])
        let tables = try root.database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map { $0.string("name") }
        #expect(tables == ["blobs", "containers", "database_identity", "endpoints", "image_blobs", "image_layers", "image_parents", "images", "networks", "published_ports", "schema_migrations", "snapshots", "tags"])
        #expect(try root.database.query("PRAGMA user_version").first?.int("user_version") == 0)
    }

    @Test func laterModulesAndStepsAreAppliedOnTheNextOpen() throws {
        let dir = TestDirectory("lighter-dataroot")
        _ = try DataRoot(root: dir.path, schemas: [NetworkStore.schema])
        let extra = DatabaseSchema(module: "events", migrations: [
            .init("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT NOT NULL)"),
        ])
        let grown = DatabaseSchema(module: "events", migrations: extra.migrations + [
            .init("ALTER TABLE events ADD COLUMN at INTEGER NOT NULL DEFAULT 0"),
        ])
        let first = try DataRoot(root: dir.path, schemas: [NetworkStore.schema, extra])
        try first.database.execute("INSERT INTO events (what) VALUES ('kept')")
        #expect(try Self.applied(first.database) == ["events 1", "networks 1", "networks 2", "networks 3", "networks 4"])
        let second = try DataRoot(root: dir.path, schemas: [NetworkStore.schema, grown])
        #expect(try Self.applied(second.database) == ["events 1", "events 2", "networks 1", "networks 2", "networks 3", "networks 4"])
        #expect(try second.database.query("SELECT what, at FROM events").map { "\($0.string("what")) \($0.int("at"))" } == ["kept 0"])
    }

    @Test func refusesSchemasOutOfOrder() throws {
        let dir = TestDirectory("lighter-dataroot")
        #expect(throws: LighterError.self) { try DataRoot(root: dir.path, schemas: [Engine.schema, ImageStore.schema]) }
        #expect(throws: LighterError.self) { try DataRoot(root: dir.path, schemas: [ImageStore.schema, ImageStore.schema]) }
    }
}
