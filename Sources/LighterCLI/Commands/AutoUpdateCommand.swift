import LighterArguments
import LighterEngine
import LighterOCI
import LighterRegistry
import LighterStore
import LighterSystem

/// `auto-update [--dry-run] [--rollback=true|false] [--wait DURATION] [--format]`: Podman's command for
/// containers labelled `io.containers.autoupdate=registry|local` (see `Engine.replace`).
struct AutoUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auto-update",
        abstract: "Update containers labelled io.containers.autoupdate=registry|local to the newest image of their tag, with rollback.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryCLIOptions
    @OptionGroup var output: FormatOptions
    @Flag(name: .long, help: "Only check for updates (UPDATED: pending or false); change nothing, pull nothing.") var dryRun = false
    @Option(name: .long, help: "Put the old container back when the new one fails to start or to become healthy.") var rollback = true
    @Option(name: .long, help: "How long a new container's health check may take to pass (default 5m).") var wait = "5m"

    struct Row {
        var id: String, name: String, image: String, policy: String, updated: String

        var output: OutputRow {
            OutputRow(fields: [("Container", "\(id.prefix(12)) (\(name))"), ("ContainerID", String(id.prefix(12))), ("ContainerName", name),
                               ("Image", image), ("Policy", policy), ("Updated", updated)])
        }
    }

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard let healthWait = GoDuration.parse(wait), healthWait > 0 else {
                throw .invalidArgument("--wait \(wait): expected a duration such as 90s or 5m")
            }
            let engine = try store.openEngine()
            if !dryRun { for line in try engine.recoverUpdates() { Console.error("lighter: \(line)") } }
            var rows: [Row] = []
            var failures = 0
            for id in try engine.allIDs() {
                guard let record = try? engine.inspect(id), let policy = record.spec.labels[Engine.autoUpdateLabel] else { continue }
                var row = Row(id: record.id, name: record.name, image: record.spec.image, policy: policy, updated: "false")
                do {
                    guard let newer = try newerImage(for: record, policy: policy, engine: engine) else {
                        rows.append(row)
                        continue
                    }
                    if dryRun {
                        row.updated = "pending"
                    } else {
                        switch try engine.replace(record.id, image: newer, rollback: rollback, healthWait: Double(healthWait) / 1e9) {
                        case .updated: row.updated = "true"
                        case let .rolledBack(reason):
                            row.updated = "rolled back"
                            failures += 1
                            Console.error("lighter: \(record.name): rolled back to \(record.spec.imageID.description.prefix(19)): \(reason)")
                        case let .failed(_, reason):
                            row.updated = "failed"
                            failures += 1
                            Console.error("lighter: \(record.name): updated, not rolled back (--rollback=false): \(reason)")
                        }
                    }
                } catch {
                    row.updated = "failed"
                    failures += 1
                    Console.error("lighter: \(record.name): \(error)")
                }
                rows.append(row)
            }
            let columns: [(key: String, header: String)] = [("Container", "CONTAINER"), ("Image", "IMAGE"), ("Policy", "POLICY"), ("Updated", "UPDATED")]
            for line in try OutputRenderer(columns: columns).render(rows.map(\.output), format: output.format) { Console.out(line) }
            if failures > 0 { throw .conflict("\(failures) container\(failures == 1 ? "" : "s") could not be updated") }
        }
    }

    /// The image the container's tag names now, when it differs from the one it runs; nil when up to date.
    /// `registry`: the registry's digest behind the tag (pulled, unless a dry run); `local`: the store's.
    private func newerImage(for record: ContainerRecord, policy: String, engine: Engine) throws(LighterError) -> Digest? {
        switch policy {
        case "local":
            let (current, _) = try engine.images.resolve(record.spec.image)
            return current == record.spec.imageID ? nil : current
        case "registry":
            let reference = try Reference(parsing: record.spec.image)
            guard reference.digest == nil else {
                throw .invalidArgument("\(record.spec.image) names a digest: a registry update needs a tag")
            }
            let platform = try engine.images.config(of: record.spec.imageID).platform
            let options = try registry.registryOptions()
            if dryRun {
                let credentials = try CredentialStore(options: options).credentials(for: reference.registry)
                let client = try RegistryClient(registry: reference.registry, options: options, credentials: credentials)
                let remote = try runBlocking { () async throws(LighterError) -> Digest in
                    do throws(LighterError) {
                        let digest = try await client.manifest(repository: reference.repository, reference: reference.tag ?? "latest", expected: nil).digest
                        await client.shutdown()
                        return digest
                    } catch {
                        await client.shutdown()
                        throw error
                    }
                }
                let known = try engine.images.image(id: record.spec.imageID).repoDigests
                return known.contains { $0.hasSuffix("@\(remote)") } ? nil : remote
            }
            let puller = ImagePuller(store: engine.images, options: options)
            let pulled = try runBlocking { () async throws(LighterError) -> PulledImage in try await puller.pull(reference, platform: platform) { event in
                if case let .notice(text) = event { Console.error(text) }
            } }
            engine.images.emit("pull", id: reference.familiar, name: reference.familiar)
            return pulled.id == record.spec.imageID ? nil : pulled.id
        default:
            throw .invalidArgument("label \(Engine.autoUpdateLabel)=\(policy): the policies are registry and local")
        }
    }
}

/// `rollback CONTAINER`: back to the image the container ran before its last `auto-update`.
struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Replace a container by one on the image it ran before its last auto-update.")
    @OptionGroup var store: StoreOptions
    @Option(name: .long, help: "How long the container's health check may take to pass (default 5m).") var wait = "5m"
    @Argument(help: "The container.") var container: String

    func run() throws {
        try guarded(exitCode: 1) { () throws(LighterError) in
            guard let healthWait = GoDuration.parse(wait), healthWait > 0 else {
                throw .invalidArgument("--wait \(wait): expected a duration such as 90s or 5m")
            }
            let engine = try store.openEngine()
            let id = try engine.resolve(container)
            let image = try engine.inspect(id).previousImageID
            switch try engine.rollback(id, healthWait: Double(healthWait) / 1e9) {
            case let .updated(newID): Console.out("\(newID.prefix(12)) now runs \(image?.description.prefix(19) ?? "")")
            case let .rolledBack(reason), let .failed(_, reason):
                throw .conflict("the rollback of \(container) failed, it runs as before: \(reason)")
            }
        }
    }
}
