/// A delta update as an OCI artifact (image-spec 1.1): an image manifest whose `artifactType` is
/// `DeltaArtifact.artifactType`, whose `subject` is the TARGET image's manifest, whose config
/// (`DeltaConfig`) names the BASE image and every TARGET layer BASE lacks, and whose layers are the
/// deltas (zstd frames made against BASE's uncompressed layers; see LighterArchive's `LayerDelta`).
/// Registries list it among the target's referrers (the referrers API, or the `sha256-<hex>` tag).
public enum DeltaArtifact {
    public static let artifactType = "application/vnd.lighter.delta.v1"
    public static let configMediaType = "application/vnd.lighter.delta.config.v1+json"
    public static let layerMediaType = "application/vnd.lighter.delta.layer.v1.zstd-patch"
    /// On the manifest and on its entry among the referrers: the base image's ID (its config digest).
    public static let baseAnnotation = "io.lighter.delta.base"
}

/// The artifact's manifest: an OCI image manifest with `artifactType` and `subject`.
public struct DeltaManifest: Codable, Sendable {
    public var schemaVersion = 2
    public var mediaType = MediaType.ociManifest
    public var artifactType = DeltaArtifact.artifactType
    public var config: Descriptor
    public var layers: [Descriptor]
    public var subject: Descriptor
    public var annotations: [String: String]?

    public init(config: Descriptor, layers: [Descriptor], subject: Descriptor, base: Digest) {
        self.config = config
        self.layers = layers
        self.subject = subject
        annotations = [DeltaArtifact.baseAnnotation: base.description]
    }
}

/// The artifact's config: what it rebuilds from what.
public struct DeltaConfig: Codable, Sendable, Equatable {
    public struct Base: Codable, Sendable, Equatable {
        /// The base image's ID (config digest) and manifest digest.
        public var image: Digest
        public var manifest: Digest
        /// Its layers' diff IDs, in order: the delta's reference is these layers' tars, one after the other.
        public var diffIDs: [Digest]
        /// Its layers' blobs, in the same order: a board holding BASE under other blobs (loaded from
        /// a docker archive, whose layers are plain tars) makes these again from the tars to copy from.
        public var blobs: [Digest]?

        public init(image: Digest, manifest: Digest, diffIDs: [Digest], blobs: [Digest]? = nil) {
            self.image = image
            self.manifest = manifest
            self.diffIDs = diffIDs
            self.blobs = blobs
        }
    }
    public struct Target: Codable, Sendable, Equatable {
        public var manifest: Digest
        public var image: Digest

        public init(manifest: Digest, image: Digest) {
            self.manifest = manifest
            self.image = image
        }
    }
    /// A layer of TARGET that BASE lacks.
    public struct Layer: Codable, Sendable, Equatable {
        /// The blob the target manifest names (digest, size, media type) and its diff ID.
        public var digest: Digest
        public var size: Int64
        public var mediaType: String
        public var diffID: Digest
        /// The delta blob that rebuilds the layer's tar, and how the tar becomes the blob
        /// (`LayerEncoding`); both absent when the blob cannot be made again (fetched whole).
        public var delta: Digest?
        public var encoding: String?
        /// When present, the blob is made member by member (gzip members, see LighterArchive's
        /// `GzipMembers`): the delta's reference is the uncompressed bytes of these ranges of BASE's
        /// blobs (whole members, one after the other), the delta rebuilds the bytes the `encode` and
        /// `literal` pieces take in order, and the blob is its pieces one after the other. Absent: the
        /// delta rebuilds the whole tar against all of BASE's layers, and `encoding` makes the blob.
        public var reference: [BlobRange]?
        public var pieces: [Piece]?

        public init(digest: Digest, size: Int64, mediaType: String, diffID: Digest, delta: Digest?, encoding: String?,
                    reference: [BlobRange]? = nil, pieces: [Piece]? = nil) {
            self.digest = digest
            self.size = size
            self.mediaType = mediaType
            self.diffID = diffID
            self.delta = delta
            self.encoding = encoding
            self.reference = reference
            self.pieces = pieces
        }
    }

    /// Bytes of one of BASE's layer blobs.
    public struct BlobRange: Codable, Sendable, Equatable {
        public var blob: Digest
        public var offset: Int64
        public var size: Int64

        public init(blob: Digest, offset: Int64, size: Int64) {
            self.blob = blob
            self.offset = offset
            self.size = size
        }
    }

    /// A piece of a target blob made member by member: exactly one of the three is set. `copy`: bytes
    /// of a BASE blob, as they are; `encode`: the next `encode` bytes the delta rebuilds, gzip-encoded
    /// as one member at the layer's `encoding`; `literal`: the next `literal` bytes the delta rebuilds,
    /// as they are (a member no encoder here re-makes).
    public struct Piece: Codable, Sendable, Equatable {
        public var copy: BlobRange?
        public var encode: Int64?
        public var literal: Int64?

        public init(copy: BlobRange? = nil, encode: Int64? = nil, literal: Int64? = nil) {
            self.copy = copy
            self.encode = encode
            self.literal = literal
        }
    }

    public var base: Base
    public var target: Target
    public var layers: [Layer]

    public init(base: Base, target: Target, layers: [Layer]) {
        self.base = base
        self.target = target
        self.layers = layers
    }
}

/// An entry of a referrers list (an OCI index whose descriptors carry `artifactType`).
public struct ReferrerDescriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var artifactType: String?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, artifactType: String?, annotations: [String: String]?) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.artifactType = artifactType
        self.annotations = annotations
    }
}

/// The referrers API's answer, and the index kept under the `sha256-<hex>` tag.
/// Also how `load` reads an OCI layout's index.json (lenient: other tools may leave out `mediaType`).
public struct ReferrersIndex: Codable, Sendable {
    public var schemaVersion: Int?
    public var mediaType: String?
    public var manifests: [ReferrerDescriptor]

    public init(manifests: [ReferrerDescriptor]) {
        schemaVersion = 2
        mediaType = MediaType.ociIndex
        self.manifests = manifests
    }

    /// The tag of the referrers tag schema for `digest`.
    public static func tag(for digest: Digest) -> String { "sha256-\(digest.hex)" }
}
