import LighterSystem

// The image configuration read field by field, for `run`/`create` (no Codable on the start path).
// Its Codable conformance stays for the formats Lighter writes (import, build, save), and a test
// proves both read and write the same document.

extension ImageConfig: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        created = try f.optional("created")
        author = try f.optional("author")
        architecture = try f.required("architecture")
        os = try f.required("os")
        variant = try f.optional("variant")
        config = try f.optional("config")
        rootfs = try f.required("rootfs")
        history = try f.optional("history")
    }

    public var json: JSONNode {
        .object(["created": created, "author": author, "architecture": architecture, "os": os, "variant": variant,
                 "config": config, "rootfs": rootfs, "history": history])
    }
}

extension ImageConfig.RootFS: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        type = try f.required("type")
        diff_ids = try f.required("diff_ids")
    }

    public var json: JSONNode { .object(["type": type, "diff_ids": diff_ids]) }
}

extension ImageConfig.History: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        created = try f.optional("created")
        created_by = try f.optional("created_by")
        author = try f.optional("author")
        comment = try f.optional("comment")
        empty_layer = try f.optional("empty_layer")
    }

    public var json: JSONNode {
        .object(["created": created, "created_by": created_by, "author": author, "comment": comment, "empty_layer": empty_layer])
    }
}

extension ContainerConfig: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init()
        User = try f.optional("User")
        ExposedPorts = try f.optional("ExposedPorts")
        Env = try f.optional("Env")
        Entrypoint = try f.optional("Entrypoint")
        Cmd = try f.optional("Cmd")
        Volumes = try f.optional("Volumes")
        WorkingDir = try f.optional("WorkingDir")
        Labels = try f.optional("Labels")
        StopSignal = try f.optional("StopSignal")
        Healthcheck = try f.optional("Healthcheck")
    }

    public var json: JSONNode {
        .object(["User": User, "ExposedPorts": ExposedPorts, "Env": Env, "Entrypoint": Entrypoint, "Cmd": Cmd,
                 "Volumes": Volumes, "WorkingDir": WorkingDir, "Labels": Labels, "StopSignal": StopSignal,
                 "Healthcheck": Healthcheck])
    }
}

extension EmptyObject: JSONConvertible {
    /// Any object (Docker writes `{}`; what is inside is ignored, as Codable did).
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        _ = try JSONFields(json, path)
        self.init()
    }

    public var json: JSONNode { .object([:]) }
}
