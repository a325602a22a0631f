/// The image configuration (OCI image-spec config, a subset of Docker's image JSON).
/// Unknown fields are dropped when re-encoding, so stored config blobs are never re-encoded:
/// their bytes are kept as they came.
public struct ImageConfig: Codable, Hashable, Sendable {
    public var created: String?
    public var author: String?
    public var architecture: String
    public var os: String
    public var variant: String?
    public var config: ContainerConfig?
    public var rootfs: RootFS
    public var history: [History]?

    public init(created: String?, architecture: String, os: String, variant: String?, config: ContainerConfig?, diffIDs: [Digest], history: [History]?) {
        self.created = created
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.config = config
        self.rootfs = RootFS(type: "layers", diff_ids: diffIDs)
        self.history = history
    }

    public var platform: Platform { Platform(os: os, architecture: architecture, variant: variant) }

    public struct RootFS: Codable, Hashable, Sendable {
        public var type: String
        public var diff_ids: [Digest]
    }

    public struct History: Codable, Hashable, Sendable {
        public var created: String?
        public var created_by: String?
        public var author: String?
        public var comment: String?
        public var empty_layer: Bool?
        public init(created: String?, createdBy: String?, comment: String? = nil, emptyLayer: Bool? = nil) {
            self.created = created
            self.created_by = createdBy
            self.comment = comment
            self.empty_layer = emptyLayer
        }
    }
}

/// The runtime defaults an image carries (`config` of the image configuration).
public struct ContainerConfig: Codable, Hashable, Sendable {
    public var User: String?
    public var ExposedPorts: [String: EmptyObject]?
    public var Env: [String]?
    public var Entrypoint: [String]?
    public var Cmd: [String]?
    public var Volumes: [String: EmptyObject]?
    public var WorkingDir: String?
    public var Labels: [String: String]?
    public var StopSignal: String?
    public var Healthcheck: HealthConfig?

    public init() {}

    public var isEmpty: Bool { self == ContainerConfig() }
}

/// `{}` in JSON (used for ExposedPorts and Volumes sets).
public struct EmptyObject: Codable, Hashable, Sendable {
    public init() {}
}
