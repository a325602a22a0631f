import LighterArguments
import LighterBuild
import LighterEngine
import LighterOCI
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `build [OPTIONS] CONTEXT|-`: a Dockerfile to an image (LighterBuild).
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build an image from a Dockerfile.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var registry: RegistryCLIOptions
    @Option(name: [.customShort("t"), .long], help: "Name and optionally a tag (name:tag); may be repeated.") var tag: [String] = []
    @Option(name: [.customShort("f"), .long], help: "Name of the Dockerfile (default: CONTEXT/Dockerfile; - for standard input).") var file: String?
    @Option(name: .long, help: "Set the target build stage to build.") var target: String?
    @Option(name: .long, help: "Set build-time variables (KEY=VALUE, or KEY to take it from the environment).") var buildArg: [String] = []
    @Option(name: .long, help: "Set metadata for the image (KEY=VALUE).") var label: [String] = []
    @Flag(name: .long, help: "Do not use the cache when building the image.") var noCache = false
    @Flag(name: .long, help: "Always attempt to pull the base images.") var pull = false
    @Option(name: .long, help: "Set the target platform(s) (os/arch[/variant], comma-separated: several need -o type=oci or type=local).") var platform: String?
    @Option(name: .long, help: "Networking mode for the RUN instructions: default (bridge), none or host.") var network: String?
    @Option(name: .long, help: "Type of progress output: auto or plain (one line per step).") var progress = "auto"
    @Flag(name: .shortAndLong, help: "Suppress the build output and print the image ID on success.") var quiet = false
    @Option(name: .long, help: "Write the image ID to the file.") var iidfile: String?
    @Option(name: [.customShort("o"), .long], help: "Output destination: type=local,dest=DIR or type=tar,dest=FILE|- (the final filesystem, no image stored), type=oci,dest=FILE|- (an OCI layout with an image index); type=docker (default) stores the image.") var output: String?
    @Option(name: .long, help: "Compression of the layers the build makes: gzip (default) or zstd.") var compression: String = "gzip"
    @Flag(name: .long, help: "Push the image to the registry of each -t (several platforms: an image index over them).") var push = false
    @Flag(name: .long, help: "Run Docker's build checks on the Dockerfile and report, without building (exit 1 when something is found).") var check = false
    @Option(name: .long, help: "Secret to expose to RUN --mount=type=secret (id=ID,src=FILE or id=ID,env=VAR).") var secret: [String] = []
    @Option(name: .long, help: "SSH agent socket or keys to expose to RUN --mount=type=ssh (default|ID[=SOCKET|KEY[,KEY…]]).") var ssh: [String] = []
    @Argument(help: "The build context: a directory, or - for a tar archive on standard input.") var context: String

    func run() throws {
        if check { return try runChecks() }
        try guarded(exitCode: 1) { () throws(LighterError) in
            // `daemon` (the daemon's child, not in the help): plain lines and each step's image.
            guard ["auto", "plain", "tty", "daemon"].contains(progress) else {
                throw .invalidArgument("--progress \(progress): use auto, plain or tty")
            }
            var options = try BuildInput.options(context: context, file: file, root: store.resolvedRoot)
            defer { BuildInput.removeUnpacked(options) }
            options.tags = try tag.map { (name: String) throws(LighterError) -> Reference in try Reference(parsing: name) }
            options.target = target
            for item in buildArg {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                if parts.count == 2 {
                    options.buildArgs[parts[0]] = parts[1]
                } else if let value = getenv(parts[0]) {
                    options.buildArgs[parts[0]] = String(cString: value)
                }
            }
            for item in label {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                options.labels[parts[0]] = parts.count == 2 ? parts[1] : ""
            }
            options.noCache = noCache
            options.pull = pull
            let platforms = try (platform ?? "").split(separator: ",").map { (text) throws(LighterError) -> Platform in
                try Platform(parsing: String(text).trimmed)
            }
            options.platform = platforms.count == 1 ? platforms[0] : nil
            if let network {
                guard ["default", "none", "host", "bridge"].contains(network) else {
                    throw .invalidArgument("--network \(network): use default, none or host")
                }
                options.network = network == "default" ? Self.defaultNetwork : network
            } else {
                options.network = Self.defaultNetwork
            }
            options.quiet = quiet
            guard let layerCompression = LayerCommit.Compression(rawValue: compression), layerCompression != .none else {
                throw .invalidArgument("--compression \(compression): use gzip or zstd")
            }
            options.compression = layerCompression
            if let output {
                options.output = try BuildOutput(parsing: output)
                var namesAnIndex = false  // an OCI layout's index carries the first -t as its name
                if case .oci = options.output { namesAnIndex = true }
                if options.output != .image, !namesAnIndex, !tag.isEmpty {
                    throw .invalidArgument("-t names an image, and --output \(output) stores none: drop -t or the output")
                }
                if options.output == .tar(destination: "-") || options.output == .oci(destination: "-"), isatty(1) != 0 {
                    throw .invalidArgument("cowardly refusing to write a tar to a terminal: redirect standard output or give dest=FILE")
                }
                if options.output == .tar(destination: "-") || options.output == .oci(destination: "-"), quiet {
                    throw .invalidArgument("-q prints the image ID on standard output, where --output \(output) writes the tar: use --iidfile")
                }
            }
            for text in secret {
                let parsed = try BuildSecret(parsing: text)
                _ = try parsed.contents()  // a missing file or variable is an error before anything runs
                options.secrets.removeAll { $0.id == parsed.id }
                options.secrets.append(parsed)
            }
            // Agents started for key files live as long as the build (and die with this process).
            let agents = try Self.sshAgents(ssh, into: &options)
            defer { agents.forEach { $0.stop() } }
            if let epoch = getenv("SOURCE_DATE_EPOCH").flatMap({ Int64(String(cString: $0)) }) { options.sourceDateEpoch = epoch }
            let engine = try Builder.openEngine(root: store.resolvedRoot)
            let display = BuildProgress(quiet: quiet, stepImages: progress == "daemon")
            let started = Stopwatch.seconds()
            if push { try Self.checkPush(tags: options.tags, output: options.output) }
            let id = push ? try pushBuilt(engine: engine, options: options, platforms: platforms.count > 1 ? platforms : [], display: display)
                : try Builder.build(engine: engine, options: options, platforms: platforms.count > 1 ? platforms : []) { display.handle($0) }
            // A multi-platform push stored nothing under the tags: its push lines said where the index went.
            if !(push && platforms.count > 1) {
                display.finish(id: id, tags: options.tags, output: options.output, seconds: Stopwatch.seconds() - started)
            }
            if let iidfile { try FileSystem.writeAtomically(Array(id.description.utf8), to: iidfile, mode: 0o644) }
            if quiet { Console.out(id.description) }
        }
    }

    /// The engine's default network (LIGHTER_DEFAULT_NETWORK, else the bridge), as `run` uses it.
    static var defaultNetwork: String {
        guard let raw = getenv("LIGHTER_DEFAULT_NETWORK"), raw.pointee != 0 else { return "bridge" }
        return String(cString: raw)
    }
}

/// BuildKit's plain progress: `#N [2/4] RUN …`, then `#N DONE 0.4s` or `#N CACHED`, on standard error.
/// With `stepImages` (the daemon's child) each is followed by `#N IMAGE sha256:…`, the step's image,
/// which the daemon turns into the classic builder's ` ---> ID`, and a RUN's `#N RUNNING ID` and
/// `#N REMOVED ID` (its container), which become ` ---> Running in ID` and `Removing intermediate container ID`.
final class BuildProgress {
    let quiet: Bool
    let stepImages: Bool
    var number = 0
    var numbers: [String: Int] = [:]

    init(quiet: Bool, stepImages: Bool = false) {
        self.quiet = quiet
        self.stepImages = stepImages
    }

    func handle(_ event: BuildEvent) {
        guard !quiet else { return }
        switch event.kind {
        case .started:
            number += 1
            numbers[event.step] = number
            Console.error("#\(number) \(event.step)")
        case .done:
            Console.error("#\(numbers[event.step] ?? number) DONE \(Self.seconds(event.seconds))")
        case .cached:
            Console.error("#\(numbers[event.step] ?? number) CACHED")
        case .running, .removed:
            // BuildKit's progress names no containers; the daemon's classic stream does.
            guard stepImages, let container = event.container else { return }
            Console.error("#\(numbers[event.step] ?? number) \(event.kind == .running ? "RUNNING" : "REMOVED") \(container)")
            return
        }
        if stepImages, event.kind != .started, let image = event.image {
            Console.error("#\(numbers[event.step] ?? number) IMAGE \(image)")
        }
    }

    func finish(id: Digest, tags: [Reference], output: BuildOutput, seconds: Double) {
        guard !quiet else { return }
        number += 1
        switch output {
        case .image:
            Console.error("#\(number) writing image \(id) done")
            for tag in tags { Console.error("#\(number) naming to \(tag.description) done") }
        case let .local(destination):
            Console.error("#\(number) copying files to \(destination) done")
        case let .tar(destination):
            Console.error("#\(number) sending tarball to \(destination == "-" ? "standard output" : destination) done")
        case let .oci(destination):
            Console.error("#\(number) exporting index \(id) to \(destination == "-" ? "standard output" : destination) done")
        }
        Console.error("#\(number) DONE \(Self.seconds(seconds))")
    }

    static func seconds(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return "\(tenths)s"
    }
}

/// Monotonic seconds for the build's total time.
enum Stopwatch {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
