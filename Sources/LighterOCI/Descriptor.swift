/// An OCI content descriptor.
public struct Descriptor: Codable, Hashable, Sendable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var urls: [String]?
    public var annotations: [String: String]?
    public var platform: Platform?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }
}

/// An image manifest (OCI v1 or Docker schema2, which share this shape).
public struct Manifest: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociManifest, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// An image index (OCI) or manifest list (Docker schema2).
public struct Index: Codable, Hashable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(mediaType: String = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = 2
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

/// `oci-layout` file of an OCI image layout.
public struct OCILayoutFile: Codable, Sendable {
    public var imageLayoutVersion: String
    public init() { imageLayoutVersion = "1.0.0" }
}

/// One entry of a docker-archive's `manifest.json` (what `docker save` writes).
public struct DockerArchiveEntry: Codable, Sendable {
    public var Config: String
    public var RepoTags: [String]?
    public var Layers: [String]
    public init(config: String, repoTags: [String]?, layers: [String]) {
        Config = config
        RepoTags = repoTags
        Layers = layers
    }
}
