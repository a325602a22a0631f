#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterEngine
import LighterOCI
import LighterStore
import LighterSystem

extension Builder {
    /// RUN: the command runs as a container of the current state (its env, user, working directory;
    /// the stage's ARGs in its environment), and the container's changes become a layer. Returns
    /// the history's `created_by`.
    /// `step` names the step in the progress events of its container (made, then removed).
    func run(_ instruction: Instruction, state: inout BuildState, step: String) throws(LighterError) -> String {
        for flag in instruction.flags where flag.name == "security" && flag.value != "sandbox" {
            throw .unsupported(feature: "RUN --\(flag.name)=\(flag.value ?? "")", fix: "this Lighter does not apply RUN --\(flag.name) yet; remove it from line \(instruction.line)")
        }
        var network = instruction.flag("network") ?? options.network
        if network == "default" { network = options.network }
        guard ["none", "host", "bridge"].contains(network) || network == options.network else {
            throw .invalidArgument("RUN --network=\(network): use default, none or host")
        }
        let argv = command(instruction, shell: state.shell)
        let runner = try runnerImage(state)
        var spec = ContainerSpec(image: runner.description, imageID: runner)
        spec.entrypoint = []
        spec.command = argv
        spec.network = network
        let mounts = try runMounts(instruction, create: true)
        defer { Self.removeSecrets(mounts) }
        spec.binds = mounts.binds
        spec.tmpfs = mounts.tmpfs
        let env = state.environment
        // The stage's ARGs (ENV wins over them) and the proxy args, which need no ARG.
        let proxies = options.buildArgs.filter { Self.proxyArgs.contains($0.key) }
        // An ssh mount's socket for this RUN only (never in the config, so never in the image).
        let sshEnvironment = mounts.sshAuthSock.map { ["SSH_AUTH_SOCK": $0] } ?? [:]
        spec.env = proxies.merging(state.args) { $1 }.merging(sshEnvironment) { $1 }.filter { env[$0.key] == nil }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let record = try engine.create(spec, name: nil)
        containers.insert(record.id)
        progress(BuildEvent(kind: .running, step: step, seconds: 0, container: record.id))
        let code = try withOutput(quiet: options.quiet) { () throws(LighterError) -> Int32 in
            try engine.runAttached(record.id, interactive: false, justCreated: true)
        }
        Self.blockInterrupts()  // the monitor unblocks them when it is done
        if code != 0 {
            let lines = ((try? engine.logEntries(record.id)) ?? []).flatMap { $0.log.split(separator: "\n").map(String.init) }.suffix(10)
            let output = lines.isEmpty ? "" : "\n" + lines.map { "  " + $0 }.joined(separator: "\n")
            throw .buildFailed("\(file.name):\(instruction.line): RUN \(instruction.text) failed with exit code \(code)\(output)")
        }
        Self.dropMountPoints(engine.upperDirectory(record.id))
        Self.dropSecretMountPoints(mounts, upper: engine.upperDirectory(record.id))
        try commit(container: record.id, into: &state)
        try engine.remove(record.id, force: true)
        containers.remove(record.id)
        progress(BuildEvent(kind: .removed, step: step, seconds: 0, container: record.id))
        let shown = argv == state.shell + [instruction.text] ? "\(state.shell.joined(separator: " ")) \(instruction.text)" : argv.joined(separator: " ")
        return "RUN \(shown) # buildkit"
    }

    /// The empty files the runtime made in the upper directory to bind the container's
    /// /etc/hostname, /etc/hosts and /etc/resolv.conf onto (what RUN writes there goes to the bound
    /// files, never to these): not part of the layer, as in Docker. An /etc left empty goes too.
    static func dropMountPoints(_ upper: String) {
        for name in ["hostname", "hosts", "resolv.conf"] {
            var st = stat()
            let path = "\(upper)/etc/\(name)"
            if lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size == 0 { unlink(path) }
        }
        var opaque: [UInt8] = [0, 0]
        if lgetxattr("\(upper)/etc", "trusted.overlay.opaque", &opaque, 2) != 1 { rmdir("\(upper)/etc") }
    }

    /// RUN's argv: the exec form as given; the shell form through SHELL; here-documents passed to
    /// the shell with the command (`RUN <<EOF` alone runs the document as the script).
    func command(_ instruction: Instruction, shell: [String]) -> [String] {
        switch instruction.arguments {
        case let .json(words): return words
        case let .shell(text):
            guard !instruction.heredocs.isEmpty else { return shell + [text] }
            let trimmed = text.trimmingBlanks
            if instruction.heredocs.count == 1, trimmed.hasPrefix("<<"), trimmed.split(separator: " ").count == 1 {
                return shell + [instruction.heredocs[0].body]
            }
            var script = text
            for document in instruction.heredocs {
                script += "\n" + document.body + document.name
            }
            return shell + [script]
        }
    }

    /// The state registered as an (untagged) image to make a container of; forgotten after the build.
    func runnerImage(_ state: BuildState) throws(LighterError) -> Digest {
        var config = state.config
        var container = state.containerConfig
        // A build container gets no anonymous volumes, health check or triggers.
        container.Volumes = nil
        container.Healthcheck = nil
        container.OnBuild = nil
        config.config = container
        let bytes = try JSON.encode(config)
        // An image already there (the base, a step's image) is used as it is, and stays when the build ends.
        let known = Digest.of(bytes)
        if try engine.images.imageExists(known) { return known }
        let id = try engine.images.withLock(.shared) { () throws(LighterError) -> Digest in
            try engine.images.addImage(configBytes: bytes, layers: state.layers, tags: [])
        }
        runnerImages.insert(id)
        return id
    }

    /// Commit a build container's upper directory as a layer on `state`: written as a gzip tar into
    /// the content store, and the directory itself becomes the layer's snapshot (no unpacking).
    func commit(container id: String, into state: inout BuildState) throws(LighterError) {
        let store = engine.images
        let upper = engine.upperDirectory(id)
        try store.withLock(.shared) { () throws(LighterError) in
            let ingest = try store.content.beginIngest()
            let written = try LayerCommit.write(directory: upper, to: ingest.fd, sourceDateEpoch: options.sourceDateEpoch, compression: options.compression)
            try store.content.commit(ingest, digest: written.digest, size: written.size, what: "built layer")
            let diffIDs = state.config.rootfs.diff_ids + [written.diffID]
            let chainIDs = Digest.chainIDs(of: diffIDs)
            let blob = LayerBlob(digest: written.digest, mediaType: options.compression == .zstd ? MediaType.ociLayerZstd : MediaType.ociLayerGzip,
                                 size: written.size)
            let size = try store.snapshots.adopt(upper, as: chainIDs[chainIDs.count - 1])
            try store.recordLayer(blob, chainID: chainIDs[chainIDs.count - 1], parent: chainIDs.count > 1 ? chainIDs[chainIDs.count - 2] : nil,
                                  diffID: written.diffID, size: size)
            state.config.rootfs.diff_ids = diffIDs
            state.layers.append(blob)
        }
    }

    /// Run `body` with standard output and error sent to /dev/null when `quiet`.
    func withOutput<T>(quiet: Bool, _ body: () throws(LighterError) -> T) throws(LighterError) -> T {
        guard quiet else { return try body() }
        let saved = (dup(1), dup(2))
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        dup2(null, 1)
        dup2(null, 2)
        close(null)
        defer {
            dup2(saved.0, 1)
            dup2(saved.1, 2)
            close(saved.0)
            close(saved.1)
        }
        return try body()
    }
}
