import ArgumentParser
import LighterOCI
import LighterStore
import LighterSystem

/// `image inspect IMAGE...`: Docker's image JSON (an array).
struct ImageInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more images.")

    @OptionGroup var store: StoreOptions
    @Option(name: [.customShort("f"), .long], help: "Format with a template such as '{{.Id}}' or '{{json .Config}}'.") var format: String?
    @Argument(help: "Images.") var images: [String] = []

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard !images.isEmpty else { throw .invalidArgument("\"inspect\" requires at least 1 argument") }
            let store = try store.openImageStore()
            var documents: [ImageInspect] = []
            for image in images {
                let (id, _) = try store.resolve(image)
                documents.append(try ImageInspect(store: store, id: id))
            }
            if let format {
                for document in documents { Console.out(try JSONTemplate.render(format, value: try JSON.encode(document))) }
            } else {
                Console.out(String(decoding: try JSON.encode(documents, pretty: true), as: UTF8.self))
            }
        }
    }
}

/// Docker's `ImageInspect` shape.
struct ImageInspect: Encodable {
    let Id: String
    let RepoTags: [String]
    let RepoDigests: [String]
    let Parent: String
    let Comment: String
    let Created: String
    let Author: String
    let Config: ContainerConfig?
    let Architecture: String
    let Variant: String?
    let Os: String
    let Size: Int64
    let VirtualSize: Int64
    let RootFS: RootFSInfo
    let Metadata: MetadataInfo
    let Descriptor: LighterOCI.Descriptor

    struct RootFSInfo: Encodable {
        let `Type`: String
        let Layers: [String]
    }
    struct MetadataInfo: Encodable {
        let LastTagTime: String
    }

    init(store: ImageStore, id: Digest) throws(LighterError) {
        let record = try store.image(id: id)
        let config = try store.config(of: id)
        Id = id.description
        RepoTags = record.tags.compactMap { try? Reference(parsing: $0).familiar }
        RepoDigests = record.tags.compactMap { try? Reference(parsing: $0) }.map { "\($0.familiarName)@\(record.manifestDigest)" }
        Parent = ""
        Comment = config.history?.last?.comment ?? ""
        Created = config.created ?? ""
        Author = config.author ?? ""
        self.Config = config.config
        Architecture = config.architecture
        Variant = config.variant
        Os = config.os
        Size = record.size
        VirtualSize = record.size
        RootFS = RootFSInfo(Type: config.rootfs.type, Layers: config.rootfs.diff_ids.map(\.description))
        Metadata = MetadataInfo(LastTagTime: Time.rfc3339(seconds: record.addedAt))
        let manifestSize = Int64(try store.content.read(record.manifestDigest).count)
        Descriptor = LighterOCI.Descriptor(mediaType: MediaType.ociManifest, digest: record.manifestDigest, size: manifestSize)
    }
}
