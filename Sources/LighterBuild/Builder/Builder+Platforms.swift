#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

/// `--platform a,b,…` and `-o type=oci`: one build per platform (each its own Builder: foreign ones
/// run their RUN steps under QEMU through the engine's emulation), all at the same time in stage
/// worker processes, then an OCI image layout tar
/// whose index.json names one image index over the per-platform images (as BuildKit's oci
/// exporter writes it; `lighter load --platform P` takes one of them). The store keeps one image
/// per tag and no index, so several platforms need `-o type=oci,dest=FILE` or
/// `-o type=local,dest=DIR` (a directory per platform, `DIR/linux_arm64/…`, as BuildKit names them).
extension Builder {
    /// Build for every platform (none: `options.platform` or the host's); returns the index's
    /// digest (type=oci) or the (last) image's ID.
    public static func build(engine: Engine, options: BuildOptions, platforms: [Platform] = [],
                             progress: @escaping (BuildEvent) -> Void = { _ in }) throws(LighterError) -> Digest {
        if platforms.count > 1, options.output == .image {
            throw .unsupported(feature: "a multi-platform build into the image store",
                               fix: "the store keeps one image per tag; give -o type=oci,dest=FILE (an OCI index over the images), -o type=local,dest=DIR (a directory per platform) or --push (an index in the registry)")
        }
        let built = try buildPerPlatform(engine: engine, options: options, platforms: platforms, progress: progress)
        guard case let .oci(destination) = options.output else { return built.last!.id }
        defer { removeUnlessKept(engine, built) }
        return try writeIndexArchive(engine.images, images: built.map(\.id), tags: options.tags, to: destination)
    }

    /// Per-platform images made for an index only (an archive, a push): removed unless they were in
    /// the store before the build.
    public static func removeUnlessKept(_ engine: Engine, _ built: [(id: Digest, existed: Bool)]) {
        for image in built where !image.existed { _ = try? engine.images.remove(image.id.description, force: false) }
    }

    /// Each platform's image (untagged when there are several or the output is an archive), built at
    /// the same time; with whether each was in the store already.
    public static func buildPerPlatform(engine: Engine, options: BuildOptions, platforms: [Platform],
                                        progress: @escaping (BuildEvent) -> Void) throws(LighterError) -> [(id: Digest, existed: Bool)] {
        if Set(platforms.map(\.description)).count != platforms.count {
            throw .invalidArgument("--platform \(platforms.map(\.description).joined(separator: ",")): a platform is named twice")
        }
        let several = platforms.count > 1
        switch options.output {
        case .image where several && !options.tags.isEmpty:
            throw .unsupported(feature: "a multi-platform build into the image store",
                               fix: "the store keeps one image per tag; give -o type=oci,dest=FILE (an OCI index over the images) or -o type=local,dest=DIR (a directory per platform)")
        case .tar where several:
            throw .unsupported(feature: "-o type=tar with several platforms", fix: "use -o type=oci,dest=FILE or -o type=local,dest=DIR")
        default:
            break
        }
        var builders: [Builder] = []
        for platform in platforms.isEmpty ? [options.platform] : platforms.map(Optional.some) {
            var one = options
            one.platform = platform
            // Step images only where the build's image stays in the store (not an index's parts).
            one.intermediateImages = options.intermediateImages && !several && options.output == .image
            switch options.output {
            case let .local(destination) where several:
                guard let platform else { break }
                one.output = .local(destination: "\(destination)/\(platform.os)_\(platform.architecture)\(platform.variant.map { "_" + $0 } ?? "")")
            case .oci:
                one.output = .image
                one.tags = []
            default:
                break
            }
            let label = several ? (platform?.description ?? "") + " " : ""
            let builder = try Builder(engine: engine, options: one) { event in
                var event = event
                if event.step.hasPrefix("[") { event.step = "[" + label + event.step.dropFirst() }
                progress(event)
            }
            builders.append(builder)
        }
        if several { try buildTargetsAtOnce(builders) }
        var built: [(id: Digest, existed: Bool)] = []
        for builder in builders {
            let before = Set(try engine.images.images().map(\.id))
            let id = try builder.build()
            built.append((id, before.contains(id)))
        }
        return built
    }

    /// Every platform's target stage at the same time, each in a stage worker process (which builds
    /// the stages it needs itself); each builder then only makes its image or output from it.
    static func buildTargetsAtOnce(_ builders: [Builder]) throws(LighterError) {
        blockInterrupts()
        defer { lighter_signal_mask(interrupts, Int32(interrupts.count), 0) }
        guard let first = builders.first else { return }
        let lock = try FileLock(path: first.engine.images.paths.lockFile, mode: .shared)
        defer { lock.release() }
        var jobs: [(builder: Builder, index: Int)] = []
        for builder in builders {
            try builder.loadStages()
            jobs.append((builder, try builder.targetStage()))
        }
        try runWorkers(jobs)
    }

    /// The OCI layout tar: oci-layout, the blobs (layers, configs, manifests, the index) and index.json.
    static func writeIndexArchive(_ store: ImageStore, images: [Digest], tags: [Reference],
                                  to destination: String) throws(LighterError) -> Digest {
        var descriptors: [Descriptor] = []
        var blobs: [Digest] = []
        for id in images {
            let record = try store.image(id: id)
            let platform = try store.config(of: id).platform
            let manifestBytes = try store.content.read(record.manifestDigest)
            let manifest = try JSON.decode(Manifest.self, from: manifestBytes, what: "manifest \(record.manifestDigest)")
            descriptors.append(Descriptor(mediaType: manifest.mediaType ?? MediaType.ociManifest, digest: record.manifestDigest,
                                          size: Int64(manifestBytes.count), platform: platform))
            blobs += [record.manifestDigest, manifest.config.digest] + manifest.layers.map(\.digest)
        }
        let indexBytes = try JSON.encode(Index(manifests: descriptors))
        let indexDigest = Digest.of(indexBytes)
        var annotations: [String: String]?
        if let name = tags.first {
            annotations = ["io.containerd.image.name": name.description]
            if let tag = name.tag { annotations?["org.opencontainers.image.ref.name"] = tag }
        }
        let top = Index(manifests: [Descriptor(mediaType: MediaType.ociIndex, digest: indexDigest, size: Int64(indexBytes.count), annotations: annotations)])
        let write = { (fd: FileDescriptor) throws(LighterError) in
            let writer = try TarWriter(writingTo: fd)
            try writer.addFile("oci-layout", bytes: try JSON.encode(OCILayoutFile()))
            try writer.addDirectory("blobs")
            try writer.addDirectory("blobs/sha256")
            var written = Set<Digest>()
            for digest in blobs where written.insert(digest).inserted {
                try writer.addFile("blobs/sha256/\(digest.hex)", contentsOf: store.content.path(of: digest))
            }
            try writer.addFile("blobs/sha256/\(indexDigest.hex)", bytes: indexBytes)
            try writer.addFile("index.json", bytes: try JSON.encode(top))
            try writer.finish()
        }
        if destination == "-" {
            let out = FileDescriptor(adopting: 1)
            defer { out.forget() }
            try write(out)
            return indexDigest
        }
        let temporary = destination + ".lighter-build-\(getpid())"
        do throws(LighterError) {
            let fd = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
            try write(fd)
            try fd.sync()
            try fd.close()
            try FileSystem.rename(temporary, to: destination)
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
        return indexDigest
    }
}
