#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// Delta updates (issue 16): `delta create` against a loopback docker-registry (no referrers API: the
/// referrers tag schema), `pull` through a delta with every bad delta falling back to the full layers,
/// and `save --delta-from` + `load`. Images: busybox plus a 1 MiB application file, built by
/// `lighter build` (gzip layers as Lighter writes them); v2 changes the file a little, v3 elsewhere.
@Suite(.serialized) struct DeltaUpdateTests {
    /// 1 MiB of incompressible bytes (a seeded generator), the application "binary".
    static func app(seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<(1 << 20)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    /// v1's file; v2 has 32 bytes changed and 200 inserted (offsets shift, as after a rebuild); v3 others.
    static func version(_ n: Int) -> [UInt8] {
        var bytes = app(seed: 1)
        if n >= 2 {
            for i in 0..<32 { bytes[4096 + i] ^= 0x5a }
            bytes.insert(contentsOf: app(seed: 9).prefix(200), at: 500_000)
        }
        if n == 3 { bytes.replaceSubrange(700_000..<720_000, with: app(seed: 3).prefix(20_000)) }
        return bytes
    }

    /// Build app:vN FROM busybox with the file at /app; returns the image ID.
    @discardableResult
    static func build(_ lighter: Lighter, _ n: Int) throws -> String {
        let context = TestDirectory("lighter-delta-context")
        try context.write("Dockerfile", "FROM busybox\nCOPY app /app\nCMD [\"sh\"]\n")
        try context.write("app", version(n))
        let built = lighter.run(["build", "--progress", "plain", "-t", "app:v\(n)", context.path])
        precondition(built.status == 0, built.stderr)
        return lighter.run("image", "inspect", "-f", "{{.Id}}", "app:v\(n)").stdout.trimmed
    }

    static func push(_ lighter: Lighter, _ source: String, _ target: String) {
        #expect(lighter.run("tag", source, target).status == 0)
        var pushed = lighter.run("push", target)
        for _ in 0..<100 where pushed.status != 0 {   // the registry may still be starting
            usleep(100_000)
            pushed = lighter.run("push", target)
        }
        #expect(pushed.status == 0, "\(pushed.stderr)")
    }

    static func layers(_ lighter: Lighter, _ image: String) -> String {
        lighter.run("image", "inspect", "-f", "{{.Id}} {{.RootFS.Layers}}", image).stdout
    }

    /// A board holding v1 (pulled from the registry).
    static func board(_ v1: String) -> Lighter {
        let board = Lighter()
        let pulled = board.run("pull", v1)
        precondition(pulled.status == 0, pulled.stderr)
        return board
    }

    @Test func pullThroughADeltaAndEveryBadDeltaFallsBack() throws {
        let publisher = Lighter()
        #expect(publisher.importBusybox().status == 0)
        try Self.build(publisher, 1)
        try Self.build(publisher, 2)
        try Self.build(publisher, 3)
        let registry = try LoopbackRegistry("lighter-delta-registry", accessLog: true)
        defer { registry.stop() }
        let repo = "127.0.0.1:\(registry.port)/delta/app"
        Self.push(publisher, "app:v1", "\(repo):v1")
        Self.push(publisher, "app:v2", "\(repo):v2")
        let expected = Self.layers(publisher, "app:v2")
        let v2 = String(expected.split(separator: " ")[0])
        let digest = publisher.run("image", "inspect", "-f", "{{index .RepoDigests 0}}", "\(repo):v2").stdout.trimmed

        // A full pull, for the bytes and the image a delta pull must equal.
        let full = Lighter()
        let before = registry.bytesServed()
        #expect(full.run("pull", "\(repo):v2").status == 0)
        let fullBytes = registry.bytesServed() - before
        #expect(Self.layers(full, "\(repo):v2") == expected)

        // No delta pushed yet: the registry lists no referrers (no API, no tag) → a notice, a full pull.
        let board = Self.board("\(repo):v1")
        var pulled = board.run("pull", "\(repo):v2")
        #expect(pulled.status == 0 && pulled.stderr.contains("No delta: 127.0.0.1:\(registry.port) lists no referrers"), "\(pulled.stderr)")
        #expect(Self.layers(board, "\(repo):v2") == expected)
        #expect(board.run("rmi", "-f", v2).status == 0)

        // A delta for another base (busybox, which the board does not hold): unused, a full pull.
        let other = publisher.run("delta", "create", "busybox", "\(repo):v2", "--push")
        #expect(other.status == 0 && other.stdout.contains("(referrers tag sha256-"), "\(other.stdout) \(other.stderr)")
        pulled = board.run("pull", "\(repo):v2")
        #expect(pulled.status == 0 && pulled.stderr.contains("made against images this store lacks"), "\(pulled.stderr)")
        #expect(Self.layers(board, "\(repo):v2") == expected)
        #expect(board.run("rmi", "-f", v2).status == 0)

        // The delta from v1: the board rebuilds v2's layer, verified; the same image as the full pull,
        // for far fewer bytes. The referrers tag now lists both deltas.
        let created = publisher.run("delta", "create", "\(repo):v1", "\(repo):v2", "--push")
        #expect(created.status == 0 && created.stderr.contains("1 layer(s)"), "\(created.stdout) \(created.stderr)")
        let mark = registry.bytesServed()
        pulled = board.run("pull", "\(repo):v2")
        let deltaBytes = registry.bytesServed() - mark
        #expect(pulled.status == 0 && pulled.stderr.contains("Delta from") && pulled.stderr.contains("1 layer(s) rebuilt and verified"), "\(pulled.stderr)")
        #expect(Self.layers(board, "\(repo):v2") == expected)
        #expect(board.run("image", "inspect", "-f", "{{index .RepoDigests 0}}", "\(repo):v2").stdout.trimmed == digest)
        #expect(deltaBytes > 0 && deltaBytes * 4 < fullBytes, "delta pull \(deltaBytes) bytes, full pull \(fullBytes)")
        let check = board.run("system", "check")
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        #expect(board.run("run", "--rm", "\(repo):v2", "md5sum", "/app").stdout == publisher.run("run", "--rm", "app:v2", "md5sum", "/app").stdout)

        // Bad deltas behind the referrers tag: each is a one-line notice and a full pull of the right image.
        let good = TestDirectory("lighter-delta-good")
        #expect(publisher.run("delta", "create", "app:v1", "app:v2", "-o", good.sub("good.tar")).status == 0)
        let wrong = TestDirectory("lighter-delta-v3")
        #expect(publisher.run("delta", "create", "app:v1", "app:v3", "-o", wrong.sub("v3.tar")).status == 0)
        let artifact = try DeltaArchive(good.sub("good.tar"))
        let v3Delta = try DeltaArchive(wrong.sub("v3.tar")).deltaBytes
        // "wrong encoding": the tar is right (its diff ID checks, and it is unpacked meanwhile) but gzip-9
        // does not make the manifest's blob: refused at the blob's digest; the full pull
        // reuses the snapshot made from the verified tar.
        let cases: [(String, [UInt8], String?)] = [
            ("truncated", Array(artifact.deltaBytes.prefix(artifact.deltaBytes.count / 2)), nil),
            ("corrupt", artifact.deltaBytes.enumerated().map { $0.offset == artifact.deltaBytes.count / 2 ? $0.element ^ 0xff : $0.element }, nil),
            ("wrong bytes", v3Delta, nil),
            ("wrong encoding", artifact.deltaBytes, "gzip-9"),
        ]
        for (name, bytes, encoding) in cases {
            #expect(board.run("rmi", "-f", v2).status == 0)
            try artifact.push(replacingDeltaWith: bytes, encoding: encoding, port: registry.port, repository: "delta/app",
                              subject: try Digest(parsing: String(digest.split(separator: "@")[1])))
            pulled = board.run("pull", "\(repo):v2")
            #expect(pulled.status == 0 && pulled.stderr.contains("Delta update failed") && pulled.stderr.contains("pulling the full layers"), "\(name): \(pulled.stderr)")
            if encoding != nil { #expect(pulled.stderr.contains("rebuilt from a delta"), "\(name): \(pulled.stderr)") }
            #expect(Self.layers(board, "\(repo):v2") == expected, "\(name)")
            #expect(board.run("run", "--rm", "\(repo):v2", "md5sum", "/app").stdout == publisher.run("run", "--rm", "app:v2", "md5sum", "/app").stdout, "\(name)")
        }
        #expect(board.run("system", "check").status == 0)
    }

    /// A layer of many files, one of them changed: the delta copies every member of v2's blob but the
    /// changed file's from v1's blob, carries the new bytes against only v1's member that held it, and the
    /// board rebuilds the exact blob — through the registry (same blobs as the publisher) and through
    /// `load` of a docker archive (v1 held as plain tars: v1's blob is made again to copy from). A config
    /// whose copy points outside v1's blob is refused and the pull falls back.
    @Test func aChangedFileRebuildsOnlyItsMembers() throws {
        let publisher = Lighter()
        #expect(publisher.importBusybox().status == 0)
        // One context: v2 changes one file, the others keep their times (COPY keeps them, as Docker's).
        let context = TestDirectory("lighter-delta-members")
        try context.write("Dockerfile", "FROM busybox\nCOPY etc /etc/many\n")
        let files = Run.capture(["sh", "-c", "cd \"$1\" && mkdir etc && for i in $(seq 0 799); do head -c 2000 /dev/urandom > etc/f$i; done", "sh", context.path])
        #expect(files.status == 0, "\(files.stderr)")
        for n in 1...2 {
            if n == 2 { #expect(Run.capture(["sh", "-c", "echo changed >> \"$1/etc/f123\"", "sh", context.path]).status == 0) }
            let built = publisher.run(["build", "-q", "-t", "many:v\(n)", context.path])
            #expect(built.status == 0, "\(built.stderr)")
        }
        let out = TestDirectory("lighter-delta-members-out")
        let made = publisher.run("delta", "create", "many:v1", "many:v2", "-o", out.sub("delta.tar"))
        #expect(made.status == 0, "\(made.stderr)")
        let archive = try DeltaArchive(out.sub("delta.tar"))
        let layer = try #require(archive.config.layers.first { $0.delta != nil })
        let pieces = layer.pieces ?? []
        let copied = pieces.compactMap(\.copy).reduce(Int64(0)) { $0 + $1.size }
        let encoded = pieces.compactMap(\.encode)
        // Changed: the member holding f123, and the first one (the directories, whose times are the build's).
        #expect(copied * 10 > layer.size * 8 && (1...2).contains(encoded.count) && pieces.allSatisfy { $0.literal == nil }, "\(pieces)")
        #expect(!(layer.reference ?? []).isEmpty && (layer.reference ?? []).reduce(Int64(0)) { $0 + $1.size } * 5 < layer.size, "\(layer.reference ?? [])")
        #expect(archive.deltaBytes.count < 10_000, "\(archive.deltaBytes.count) bytes")

        let registry = try LoopbackRegistry("lighter-delta-members-registry", accessLog: true)
        defer { registry.stop() }
        let repo = "127.0.0.1:\(registry.port)/delta/many"
        Self.push(publisher, "many:v1", "\(repo):v1")
        Self.push(publisher, "many:v2", "\(repo):v2")
        let expected = Self.layers(publisher, "many:v2")
        let sum = publisher.run("run", "--rm", "many:v2", "md5sum", "/etc/many/f123", "/etc/many/f7").stdout
        #expect(publisher.run("delta", "create", "\(repo):v1", "\(repo):v2", "--push").status == 0)
        let board = Self.board("\(repo):v1")
        var pulled = board.run("pull", "\(repo):v2")
        #expect(pulled.status == 0 && pulled.stderr.contains("1 layer(s) rebuilt and verified"), "\(pulled.stderr)")
        #expect(Self.layers(board, "\(repo):v2") == expected)
        #expect(board.run("run", "--rm", "\(repo):v2", "md5sum", "/etc/many/f123", "/etc/many/f7").stdout == sum)
        #expect(board.run("system", "check").status == 0)
        // The unchanged files are v1's, hard-linked (one inode in both snapshots); the changed one was written.
        func inodes(_ name: String) -> [String] {
            Run.capture(["sh", "-c", "find \"$1\"/snapshots -path \"*/etc/many/$2\" -exec stat -c %i {} +", "sh", board.root.path, name])
                .stdout.split(separator: "\n").map(String.init)
        }
        #expect(inodes("f7").count == 2 && Set(inodes("f7")).count == 1, "\(inodes("f7"))")
        #expect(inodes("f123").count == 2 && Set(inodes("f123")).count == 2, "\(inodes("f123"))")
        #expect(pulled.stderr.contains("unchanged files linked from"), "\(pulled.stderr)")
        // v1 removed (and pruned): the files v2 linked from its snapshot stay v2's.
        let second = Self.board("\(repo):v1")
        #expect(second.run("pull", "\(repo):v2").stderr.contains("unchanged files linked from"))
        #expect(second.run("rmi", "\(repo):v1").status == 0 && second.run("system", "prune", "-f").status == 0)
        #expect(second.run("run", "--rm", "\(repo):v2", "md5sum", "/etc/many/f123", "/etc/many/f7").stdout == sum)
        #expect(second.run("system", "check").status == 0)

        // A copy that reaches past v1's blob: refused, the full layers pulled instead.
        var config = archive.config
        let index = try #require(config.layers.firstIndex { $0.delta != nil })
        let first = try #require(config.layers[index].pieces?.firstIndex { $0.copy != nil }, "\(config.layers[index])")
        config.layers[index].pieces![first].copy!.size += 1 << 30
        #expect(board.run("rmi", "-f", String(expected.split(separator: " ")[0])).status == 0)
        try archive.push(replacingDeltaWith: archive.deltaBytes, config: config, port: registry.port, repository: "delta/many",
                         subject: try Digest(parsing: String(publisher.run("image", "inspect", "-f", "{{index .RepoDigests 0}}", "\(repo):v2")
                            .stdout.trimmed.split(separator: "@")[1])))
        pulled = board.run("pull", "\(repo):v2")
        #expect(pulled.status == 0 && pulled.stderr.contains("Delta update failed") && pulled.stderr.contains("lie outside blob"), "\(pulled.stderr)")
        #expect(Self.layers(board, "\(repo):v2") == expected)

        // A board that loaded v1 from a docker archive holds plain-tar blobs: it makes v1's blob again.
        #expect(publisher.run("save", "-o", out.sub("v1.tar"), "many:v1").status == 0)
        #expect(publisher.run("save", "--delta-from", "many:v1", "-o", out.sub("update.tar"), "many:v2").status == 0)
        let loader = Lighter()
        #expect(loader.run("load", "-i", out.sub("v1.tar")).status == 0)
        let loaded = loader.run("load", "-i", out.sub("update.tar"))
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(Self.layers(loader, "many:v2") == Self.layers(publisher, "many:v2"))
        #expect(loader.run("run", "--rm", "many:v2", "md5sum", "/etc/many/f123", "/etc/many/f7").stdout == sum)
    }

    /// `auto-update` (policy registry) pulls the new digest through the delta and replaces the container.
    @Test func autoUpdateUsesTheDelta() throws {
        let publisher = Lighter()
        #expect(publisher.importBusybox().status == 0)
        try Self.build(publisher, 1)
        let v2 = try Self.build(publisher, 2)
        let registry = try LoopbackRegistry("lighter-delta-autoupdate", accessLog: true)
        defer { registry.stop() }
        let image = "127.0.0.1:\(registry.port)/delta/web:latest"
        Self.push(publisher, "app:v1", image)
        let board = Self.board(image)
        defer { board.run("rm", "-f", "web") }
        let run = board.run("run", "-d", "--name", "web", "-l", "io.containers.autoupdate=registry", image, "sleep", "1000")
        #expect(run.status == 0, "\(run.stderr)")

        Self.push(publisher, "app:v2", image)
        let created = publisher.run("delta", "create", "app:v1", image, "--push")
        #expect(created.status == 0, "\(created.stdout) \(created.stderr)")
        let updated = board.run("auto-update", "--format", "{{.ContainerName}} {{.Updated}}")
        #expect(updated.status == 0 && updated.stdout == "web true\n", "\(updated.stdout) \(updated.stderr)")
        #expect(updated.stderr.contains("Delta from") && updated.stderr.contains("1 layer(s) rebuilt and verified"), "\(updated.stderr)")
        #expect(board.run("inspect", "-f", "{{.Image}} {{.State.Status}}", "web").stdout == "\(v2) running\n")
        #expect(board.run("exec", "web", "md5sum", "/app").stdout == publisher.run("run", "--rm", "app:v2", "md5sum", "/app").stdout)
    }

    @Test func saveDeltaFromAndLoad() throws {
        let publisher = Lighter()
        #expect(publisher.importBusybox().status == 0)
        try Self.build(publisher, 1)
        try Self.build(publisher, 2)
        let out = TestDirectory("lighter-delta-save")
        let saved = publisher.run("save", "--delta-from", "app:v1", "app:v2", "-o", out.sub("update.tar"))
        #expect(saved.status == 0, "\(saved.stderr)")
        #expect(publisher.run("save", "-o", out.sub("full.tar"), "app:v2").status == 0)
        let deltaSize = FileSystem.lstatOrNil(out.sub("update.tar"))?.st_size ?? 0
        let fullSize = FileSystem.lstatOrNil(out.sub("full.tar"))?.st_size ?? 0
        #expect(deltaSize > 0 && deltaSize * 4 < fullSize, "update.tar \(deltaSize) bytes, full save \(fullSize)")

        // A board holding v1 loads the update: v2, the publisher's exact image, under its tag.
        #expect(publisher.run("save", "-o", out.sub("v1.tar"), "app:v1").status == 0)
        let board = Lighter()
        #expect(board.run("load", "-i", out.sub("v1.tar")).status == 0)
        let loaded = board.run("load", "-i", out.sub("update.tar"))
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(Self.layers(board, "app:v2") == Self.layers(publisher, "app:v2"))
        #expect(board.run("system", "check").status == 0)

        // A board without v1 refuses it, naming the base; nothing is stored.
        let bare = Lighter()
        #expect(bare.importBusybox().status == 0)
        let refused = bare.run("load", "-i", out.sub("update.tar"))
        #expect(refused.status != 0 && refused.stderr.contains("which this store lacks"), "\(refused.stderr)")
        #expect(bare.run("image", "inspect", "app:v2").status != 0)

        // A tampered delta (re-digested, so only applying it can tell): refused, nothing stored.
        let archive = try DeltaArchive(out.sub("update.tar"))
        let tampered = try archive.rewritten(deltaBytes: Array(archive.deltaBytes.dropLast(100)), to: out.sub("tampered.tar"))
        let second = Lighter()
        #expect(second.run("load", "-i", out.sub("v1.tar")).status == 0)
        let bad = second.run("load", "-i", tampered)
        #expect(bad.status != 0 && bad.stderr.contains("layer delta"), "\(bad.stderr)")
        #expect(second.run("image", "inspect", "app:v2").status != 0)
        #expect(second.run("system", "check").status == 0)
    }
}

/// A delta archive (`delta create -o`) unpacked, to read and tamper with its one delta blob.
struct DeltaArchive {
    let directory: TestDirectory
    let index: DeltaTestIndex
    let manifest: DeltaManifest
    let config: DeltaConfig
    let deltaBytes: [UInt8]

    init(_ path: String) throws {
        directory = TestDirectory("lighter-delta-archive")
        precondition(Run.capture(["tar", "-xf", path, "-C", directory.path]).status == 0)
        index = try JSON.decode(DeltaTestIndex.self, from: try FileSystem.readFile(directory.sub("index.json")), what: "index.json")
        let entry = index.manifests.first { $0.artifactType == DeltaArtifact.artifactType }!
        manifest = try JSON.decode(DeltaManifest.self, from: try FileSystem.readFile(directory.sub("blobs/sha256/\(entry.digest.hex)")), what: "manifest")
        config = try JSON.decode(DeltaConfig.self, from: try FileSystem.readFile(directory.sub("blobs/sha256/\(manifest.config.digest.hex)")), what: "config")
        deltaBytes = try FileSystem.readFile(directory.sub("blobs/sha256/\(manifest.layers[0].digest.hex)"))
    }

    /// The artifact with its delta blob replaced by `bytes`, and its layers' encoding by `encoding` when
    /// given (config and manifest re-digested).
    func replaced(_ bytes: [UInt8], encoding: String? = nil, config replacement: DeltaConfig? = nil) throws -> (manifest: [UInt8], config: [UInt8]) {
        var config = replacement ?? self.config
        var manifest = self.manifest
        let digest = Digest.of(bytes)
        for i in config.layers.indices where config.layers[i].delta == self.manifest.layers[0].digest {
            config.layers[i].delta = digest
            if let encoding { config.layers[i].encoding = encoding }
        }
        let configBytes = try JSON.encode(config)
        manifest.layers = [Descriptor(mediaType: DeltaArtifact.layerMediaType, digest: digest, size: Int64(bytes.count))]
        manifest.config = Descriptor(mediaType: DeltaArtifact.configMediaType, digest: Digest.of(configBytes), size: Int64(configBytes.count))
        return (try JSON.encode(manifest), configBytes)
    }

    /// Push the artifact with `bytes` as its delta (and `encoding`), and make it the only referrer under the tag.
    func push(replacingDeltaWith bytes: [UInt8], encoding: String? = nil, config: DeltaConfig? = nil, port: Int, repository: String,
              subject: Digest) throws {
        let (manifestBytes, configBytes) = try replaced(bytes, encoding: encoding, config: config)
        let work = TestDirectory("lighter-delta-push")
        let base = "http://127.0.0.1:\(port)/v2/\(repository)"
        for blob in [bytes, configBytes] {
            let file = try work.write("blob", blob)
            let script = """
                loc=$(curl -sf -i -X POST '\(base)/blobs/uploads/' | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')
                case "$loc" in http*) ;; *) loc="http://127.0.0.1:\(port)$loc" ;; esac
                curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @'\(file)' "$loc&digest=\(Digest.of(blob))"
                """
            let result = Run.capture(["sh", "-c", script])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let entry = ReferrerDescriptor(mediaType: MediaType.ociManifest, digest: Digest.of(manifestBytes), size: Int64(manifestBytes.count),
                                       artifactType: DeltaArtifact.artifactType, annotations: manifest.annotations)
        let indexBytes = try JSON.encode(ReferrersIndex(manifests: [entry]))
        for (reference, bytes, type) in [(Digest.of(manifestBytes).description, manifestBytes, MediaType.ociManifest),
                                         (ReferrersIndex.tag(for: subject), indexBytes, MediaType.ociIndex)] {
            let file = try work.write("manifest", bytes)
            let result = Run.capture(["curl", "-sf", "-X", "PUT", "-H", "Content-Type: \(type)", "--data-binary", "@\(file)", "\(base)/manifests/\(reference)"])
            #expect(result.status == 0, "PUT manifest \(reference): \(result.stderr)")
        }
    }

    /// The archive again with `bytes` as its delta (digests made consistent), written to `path`.
    func rewritten(deltaBytes bytes: [UInt8], to path: String) throws -> String {
        let (manifestBytes, configBytes) = try replaced(bytes)
        try FileSystem.remove(directory.sub("blobs/sha256/\(manifest.layers[0].digest.hex)"))
        try directory.write("blobs/sha256/\(Digest.of(bytes).hex)", bytes)
        try directory.write("blobs/sha256/\(Digest.of(configBytes).hex)", configBytes)
        try directory.write("blobs/sha256/\(Digest.of(manifestBytes).hex)", manifestBytes)
        var index = self.index
        for i in index.manifests.indices where index.manifests[i].artifactType == DeltaArtifact.artifactType {
            index.manifests[i].digest = Digest.of(manifestBytes)
            index.manifests[i].size = Int64(manifestBytes.count)
        }
        try directory.write("index.json", try JSON.encode(index))
        precondition(Run.capture(["tar", "-cf", path, "-C", directory.path, "."]).status == 0)
        return path
    }
}

struct DeltaTestIndex: Codable {
    var schemaVersion: Int
    var mediaType: String?
    var manifests: [ReferrerDescriptor]
}
