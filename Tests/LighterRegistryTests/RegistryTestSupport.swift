#if canImport(Glibc)
import Glibc
#endif
import LighterDatabase
import LighterEngine
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem
import LighterTestSupport

/// A store in a fresh temporary root, with options that keep credentials and certificates in it too.
final class TestStore: @unchecked Sendable {
    let dir = TestDirectory("lighter-regstore")
    let store: ImageStore
    var options: RegistryOptions

    init(certsDirectory: String? = nil) throws {
        store = try ImageStore(dataRoot: DataRoot(root: dir.sub("root"), schemas: Engine.schemas))
        options = RegistryOptions(authFile: dir.sub("auth.json"), dockerConfigFile: dir.sub("docker-config.json"),
                                  certsDirectory: certsDirectory ?? dir.sub("certs.d"), attempts: 5, retryDelayMilliseconds: 50)
    }

    /// Import the busybox fixture as `name`.
    @discardableResult
    func importBusybox(_ name: String, arch: String = "amd64") throws -> Digest {
        let fd = try FileDescriptor(path: Repository.busyboxTarball(arch), flags: O_RDONLY)
        return try store.importTarball(from: fd, sourceName: "busybox.tar", reference: try Reference(parsing: name),
                                       changes: ["CMD [\"/bin/sh\"]"], platform: try Platform(parsing: "linux/\(arch)"), message: nil)
    }

    var puller: ImagePuller { ImagePuller(store: store, options: options) }
    var pusher: ImagePusher { ImagePusher(store: store, options: options) }

    func pull(_ reference: String, platform: String? = nil) async throws -> PulledImage {
        let platform = try platform.map { try Platform(parsing: $0) }
        return try await puller.pull(try Reference(parsing: reference), platform: platform)
    }

    func push(_ source: String, as target: String) async throws -> Digest {
        try await pusher.push(source, as: try Reference(parsing: target))
    }

    /// Blob files in the content store.
    var blobCount: Int { (try? store.content.allOnDisk().count) ?? 0 }
}

/// The digest skopeo reports for an image in a registry (an independent client reading what we pushed).
func skopeoDigest(_ reference: String, extra: [String] = []) -> String? {
    let result = Run.capture(["skopeo", "inspect", "--tls-verify=false"] + extra + ["--format", "{{.Digest}}", "docker://\(reference)"])
    return result.status == 0 ? result.stdout.trimmed : nil
}

/// The error a throwing async call threw, as a `LighterError` (nil when it did not throw).
func lighterError(_ body: () async throws -> Void) async -> LighterError? {
    do {
        try await body()
        return nil
    } catch let error as LighterError {
        return error
    } catch {
        return .registry(host: "?", message: "unexpected error \(error)")
    }
}
