import LighterOCI
import LighterStore
import LighterSystem

/// `image inspect IMAGE`: Docker 20.10's document (moby's api/types ImageInspect), built field by field
/// from the stored config as it came (so `container`, `container_config`, `docker_version` and config keys
/// Lighter's own types do not model survive), with Docker's zero values for what the image lacks.
/// `Descriptor` (the manifest's OCI descriptor) is Lighter's own addition, as newer Docker versions have.
enum ImageInspectDocument {
    static func build(store: ImageStore, id: Digest) throws(LighterError) -> JSONNode {
        let record = try store.image(id: id)
        let config = try store.config(of: id)
        let raw: [String: JSONNode]
        if case let .object(fields) = try JSONNode.parse(try store.configBytes(of: id), what: "image config \(id)") {
            raw = fields
        } else {
            raw = [:]
        }
        func text(_ key: String) -> String {
            if case let .string(value)? = raw[key] { return value }
            return ""
        }
        let manifestSize = Int64(try store.content.read(record.manifestDigest).count)
        let comment = raw["comment"] != nil ? text("comment") : (config.history?.last?.comment ?? "")
        var doc: [String: JSONNode] = [
            "Id": .string(id.description),
            "RepoTags": .array(record.tags.compactMap { try? Reference(parsing: $0).familiar }.map(JSONNode.string)),
            "RepoDigests": .array(record.repoDigests.compactMap { try? Reference(parsing: $0).familiar }.map(JSONNode.string)),
            "Parent": .string(record.parent?.description ?? ""),
            "Comment": .string(comment),
            "Created": .string(config.created ?? ""),
            "Container": .string(text("container")),
            "ContainerConfig": containerConfig(raw["container_config"]),
            "DockerVersion": .string(text("docker_version")),
            "Author": .string(config.author ?? ""),
            "Config": raw["config"].flatMap { $0 == .null ? nil : containerConfig($0) } ?? .null,
            "Architecture": .string(config.architecture),
            "Os": .string(config.os),
            "Size": .number(String(record.size)),
            "VirtualSize": .number(String(record.size)),
            "GraphDriver": graphDriver(record, store: store),
            "RootFS": .object(["Type": .string(config.rootfs.type), "Layers": .array(config.rootfs.diff_ids.map { .string($0.description) })]),
            "Metadata": .object(["LastTagTime": .string(Time.rfc3339(seconds: record.addedAt))]),
            "Descriptor": .object([
                "mediaType": .string(MediaType.ociManifest), "digest": .string(record.manifestDigest.description),
                "size": .number(String(manifestSize)),
            ]),
        ]
        if let variant = config.variant, !variant.isEmpty { doc["Variant"] = .string(variant) }
        return .object(doc)
    }

    /// Docker's container.Config: the image's keys as they are, over Docker's zero values.
    static func containerConfig(_ node: JSONNode?) -> JSONNode {
        var fields: [String: JSONNode] = [
            "Hostname": .string(""), "Domainname": .string(""), "User": .string(""),
            "AttachStdin": .bool(false), "AttachStdout": .bool(false), "AttachStderr": .bool(false),
            "Tty": .bool(false), "OpenStdin": .bool(false), "StdinOnce": .bool(false),
            "Env": .null, "Cmd": .null, "Image": .string(""), "Volumes": .null, "WorkingDir": .string(""),
            "Entrypoint": .null, "OnBuild": .null, "Labels": .null,
        ]
        if case let .object(given)? = node {
            for (key, value) in given { fields[key] = value }
        }
        return .object(fields)
    }

    /// The image's snapshots: the top one as UpperDir, those below (top first) as LowerDir. Lighter
    /// mounts no overlay for an image, so there is no MergedDir or WorkDir.
    static func graphDriver(_ record: ImageRecord, store: ImageStore) -> JSONNode {
        let paths = record.layers.reversed().map { store.snapshots.path(of: $0.chainID) }
        var data: [String: JSONNode] = [:]
        if let top = paths.first { data["UpperDir"] = .string(top) }
        if paths.count > 1 { data["LowerDir"] = .string(paths.dropFirst().joined(separator: ":")) }
        return .object(["Name": .string("overlay2"), "Data": .object(data)])
    }
}
