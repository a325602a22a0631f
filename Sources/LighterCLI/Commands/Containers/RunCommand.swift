import LighterArguments
import LighterEngine
import LighterSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `run [OPTIONS] IMAGE [COMMAND] [ARG...]`: in the command tree for `lighter --help`; its
/// arguments are read by ContainerCommandLine from the option table, never by ArgumentParser.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", _superCommandName: "lighter", abstract: "Create and run a new container from an image.",
                                                    discussion: "Options: see `lighter run --help`.")

    @Argument(parsing: .captureForPassthrough, help: "[OPTIONS] IMAGE [COMMAND] [ARG...]") var arguments: [String] = []

    func run() throws { ContainerCommandMain.main("run", arguments) }
}

/// `create [OPTIONS] IMAGE [COMMAND] [ARG...]`.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", _superCommandName: "lighter", abstract: "Create a new container.",
                                                    discussion: "Options: see `lighter create --help`.")

    @Argument(parsing: .captureForPassthrough, help: "[OPTIONS] IMAGE [COMMAND] [ARG...]") var arguments: [String] = []

    func run() throws { ContainerCommandMain.main("create", arguments) }
}

/// `run` and `create` from their arguments to their exit.
enum ContainerCommandMain {
    static func main(_ command: String, _ arguments: [String]) -> Never {
        switch ContainerCommandLine.parse(arguments, command: command) {
        case .help:
            Console.out(ContainerOption.help(command))
            exit(0)
        case let .usage(message):
            // Docker's CLI: the error, where help is, and for a missing image the usage too; status 125.
            var text = "lighter: \(message)\nSee 'lighter \(command) --help'."
            if message.hasSuffix("argument.") {
                text += "\n\nUsage:  \(ContainerOption.usageLine(command))\n\n\(ContainerOption.abstract(command))"
            }
            Console.error(text)
            exit(125)
        case let .request(line):
            do {
                try execute(line, command: command)
                exit(0)
            } catch {
                exit(error.rawValue)
            }
        }
    }

    /// Validate every flag, make sure the image is here (`--pull`), create, then (run) start.
    static func execute(_ line: ContainerCommandLine, command: String) throws(ExitCode) {
        try guardedRun { () throws(LighterError) -> Int32 in
            var spec = try line.flags.spec(image: line.image, command: line.command, autoRemove: line.rm)
            let streams = try line.flags.attachedStreams(detach: line.detach)
            if line.flags.attach.contains(where: { $0.lowercased() == "stdin" }) { spec.interactive = true }
            if let cidfile = line.flags.cidfile, FileSystem.exists(cidfile) {
                throw .conflict("container ID file found, make sure the other container isn't running or delete \(cidfile)")
            }
            let engine = try StoreOptions.resolve(line.root).openEngine()
            try ContainerFlags.applyVolumesFrom(line.flags.volumesFrom, engine: engine, to: &spec)
            try ImagePresence.ensure(line.image, policy: line.flags.pull, platform: spec.platform, quiet: line.flags.quiet, images: engine.images)
            let record = try engine.create(spec, name: line.flags.name)
            if let cidfile = line.flags.cidfile {
                do throws(LighterError) {
                    try FileSystem.writeAtomically(Array(record.id.utf8), to: cidfile)
                } catch {
                    try? engine.remove(record.id, force: true)
                    throw .invalidArgument("--cidfile \(cidfile): cannot write the container ID: \(error)")
                }
            }
            guard command == "run" else {
                Console.out(record.id)
                return 0
            }
            if line.detach {
                do throws(LighterError) {
                    try engine.startDetached(record.id, justCreated: true)
                } catch {
                    if line.rm { try? engine.remove(record.id, force: true) }
                    throw error
                }
                Console.out(record.id)
                return 0
            }
            if line.flags.tty && spec.interactive && isatty(0) == 1 {
                // -it from a terminal: the container under its detached monitor, this process attached to it,
                // so that the detach keys (ctrl-p,ctrl-q) leave it running, as Docker's.
                var keys = try DetachKeys(line.flags.detachKeys ?? DetachKeys.dockerDefault)
                try engine.startDetached(record.id, justCreated: true)
                return try AttachCommand.attachInput(engine, record.id, tty: true, keys: &keys, sigProxy: true)
            }
            if !line.flags.sigProxy && !line.flags.tty {
                // Docker's --sig-proxy=false: signals end this process, not the container (unblocked here:
                // a caller's blocked mask would keep them pending forever; ignored ones stay ignored, as Go's).
                var ending = sigset_t()
                sigemptyset(&ending)
                for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&ending, signal) }
                sigprocmask(SIG_UNBLOCK, &ending, nil)
                let log = try engine.openLogForFollowing(record.id)
                try engine.startDetached(record.id, justCreated: true)
                return try engine.followLog(record.id, from: log, streams: streams)
            }
            return try engine.runAttached(record.id, interactive: spec.interactive, justCreated: true, streams: streams)
        }
    }
}

/// `start [-a] [-i] CONTAINER...`.
struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", _superCommandName: "lighter", abstract: "Start one or more stopped containers.")

    @OptionGroup var store: StoreOptions
    @Flag(name: [.customShort("a"), .long], help: "Attach STDOUT/STDERR and forward signals.") var attach = false
    @Flag(name: [.customShort("i"), .long], help: "Attach container's STDIN.") var interactive = false
    @Argument(help: "Containers.") var containers: [String] = []

    func run() throws {
        try guardedRun { () throws(LighterError) -> Int32 in
            guard !containers.isEmpty else { throw .invalidArgument("\"start\" requires at least 1 argument") }
            let engine = try store.openEngine()
            if attach || interactive {
                guard containers.count == 1 else { throw .invalidArgument("you cannot start and attach multiple containers at once") }
                return try engine.runAttached(try engine.resolve(containers[0]), interactive: interactive)
            }
            var failed = false
            for name in containers {
                do {
                    try engine.startDetached(try engine.resolve(name))
                    Console.out(name)
                } catch {
                    Console.error("lighter: \(error)")
                    failed = true
                }
            }
            return failed ? 1 : 0
        }
    }
}
