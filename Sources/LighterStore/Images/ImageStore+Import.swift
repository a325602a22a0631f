#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArchive
import LighterOCI
import LighterSystem

extension ImageStore {
    /// `import FILE|- [REF]`: a root filesystem tarball (plain, gzip or zstd) becomes a one-layer image.
    public func importTarball(from source: FileDescriptor, sourceName: String, reference: Reference?, changes: [String], platform: Platform?, message: String?) throws(LighterError) -> Digest {
        var containerConfig = ContainerConfig()
        for change in changes { try containerConfig.apply(change: change) }
        let platform = platform ?? Platform.host
        return try withLock(.shared) { () throws(LighterError) -> Digest in
            try namingFullDisk("import") { () throws(LighterError) -> Digest in
                let ingest = try content.beginIngest()
                let stream = try LayerStream.decompress(from: source, to: ingest.fd, limits: limits)
                try content.commit(ingest, digest: stream.output, size: stream.outputSize, what: "imported layer")
                let now = Time.now()
                let created = Time.rfc3339(seconds: now.seconds, nanoseconds: now.nanoseconds)
                let config = ImageConfig(
                    created: created, architecture: platform.architecture, os: platform.os, variant: platform.variant,
                    config: containerConfig.isEmpty ? nil : containerConfig, diffIDs: [stream.output],
                    history: [ImageConfig.History(created: created, createdBy: nil, comment: message ?? "Imported from \(sourceName)")])
                let layer = LayerBlob(digest: stream.output, mediaType: MediaType.ociLayer, size: stream.outputSize)
                let id = try addImage(configBytes: try JSON.encode(config), layers: [layer], tags: reference.map { [$0] } ?? [])
                emit("import", id: id.description, name: reference?.familiar)
                return id
            }
        }
    }

    /// Run `body`; a full disk (ENOSPC, EDQUOT) it meets is named with the command and, when the
    /// failing call had no path (a write to an open file), the data root it was writing into.
    func namingFullDisk<T>(_ command: String, _ body: () throws(LighterError) -> T) throws(LighterError) -> T {
        do {
            return try body()
        } catch {
            if case let .system(call, path, code) = error, code == ENOSPC || code == EDQUOT {
                throw LighterError.system(call: "\(command): \(call)", path: path ?? paths.root, errno: code)
            }
            throw error
        }
    }
}
