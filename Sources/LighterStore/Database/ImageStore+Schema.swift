import LighterDatabase

extension ImageStore {
    /// The image store's tables: blobs, images and what they need, snapshots, tags. Its queries also
    /// read the engine's `containers` table (`image_id`: which images are in use), so a data root that
    /// holds images holds the engine's schema after this one (`Engine.schemas`).
    public static let schema = DatabaseSchema(module: "images", migrations: [
        .init("""
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
        """, presentSinceUserVersion: 1),
        // A random token naming this database file, for the tag journal (repositories.json): a
        // database made again after a loss differs from the one the journal was written with, even
        // within the same second.
        .init("""
        CREATE TABLE database_identity (token TEXT NOT NULL);
        INSERT INTO database_identity (token) VALUES (lower(hex(randomblob(16))));
        """),
        // Docker's image Parent: the image a build step started from (the classic builder's chain of
        // step images). Store metadata, not part of the config, so it never changes an image ID.
        .init("""
        CREATE TABLE image_parents (
            image_id TEXT PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
            parent TEXT NOT NULL              -- an image ID (hex); kept while the child exists (rmi refuses the parent)
        );
        CREATE INDEX image_parents_parent ON image_parents(parent);
        """),
    ])
}
