#if canImport(Glibc)
import Glibc
#endif
import LighterArchive
import LighterDatabase
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem
import LighterTestSupport

/// A store in a fresh temporary root.
final class TestStore {
    let dir = TestDirectory("lighter-store")
    let store: ImageStore
    init() throws { store = try ImageStore(dataRoot: DataRoot(root: dir.path, schemas: Engine.schemas)) }

    /// Import the busybox fixture as `name`.
    @discardableResult
    func importBusybox(_ name: String? = "busybox:latest", arch: String = "amd64") throws -> Digest {
        let fd = try FileDescriptor(path: Repository.busyboxTarball(arch), flags: O_RDONLY)
        return try store.importTarball(from: fd, sourceName: "busybox.tar", reference: try name.map { try Reference(parsing: $0) },
                                       changes: ["CMD [\"/bin/sh\"]"], platform: arch == "amd64" ? nil : try Platform(parsing: "linux/\(arch)"), message: nil)
    }
}

enum ArchiveBuilder {
    /// A layer tar holding `files` (path → content).
    static func layer(_ files: [(String, String)], at path: String) throws {
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let writer = try TarWriter(writingTo: fd)
        for (name, content) in files { try writer.addFile(name, bytes: Array(content.utf8)) }
        try writer.finish()
        try fd.close()
    }

    /// A legacy docker-archive (what `docker save` 20.10 writes) with the given uncompressed layers.
    static func dockerArchive(layers: [String], tag: String, at path: String, cmd: [String] = ["/bin/sh"]) throws -> Digest {
        var diffIDs: [Digest] = []
        var layerBytes: [[UInt8]] = []
        for layer in layers {
            let bytes = try FileSystem.readFile(layer)
            layerBytes.append(bytes)
            diffIDs.append(Digest.of(bytes))
        }
        var containerConfig = ContainerConfig()
        containerConfig.Cmd = cmd
        let config = ImageConfig(created: "2026-01-02T03:04:05Z", architecture: "amd64", os: "linux", variant: nil,
                                 config: containerConfig, diffIDs: diffIDs,
                                 history: layers.map { _ in ImageConfig.History(created: "2026-01-02T03:04:05Z", createdBy: "test") })
        let configBytes = try JSON.encode(config)
        let id = Digest.of(configBytes)
        let fd = try FileDescriptor(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let writer = try TarWriter(writingTo: fd)
        var layerPaths: [String] = []
        for (index, bytes) in layerBytes.enumerated() {
            let dir = "layer\(index)"
            try writer.addDirectory(dir)
            try writer.addFile("\(dir)/VERSION", bytes: Array("1.0".utf8))
            try writer.addFile("\(dir)/layer.tar", bytes: bytes)
            layerPaths.append("\(dir)/layer.tar")
        }
        try writer.addFile("\(id.hex).json", bytes: configBytes)
        try writer.addFile("manifest.json", bytes: try JSON.encode([DockerArchiveEntry(config: "\(id.hex).json", repoTags: [tag], layers: layerPaths)]))
        try writer.finish()
        try fd.close()
        return id
    }
}
