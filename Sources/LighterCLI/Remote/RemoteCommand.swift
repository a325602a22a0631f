#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterSystem

/// `lighter -H HOST COMMAND …`: the command runs against that Engine API instead of the local store.
/// Arguments are parsed by the local command's own type (same flags, same usage errors) and the
/// output goes through the same renderers; a command without a remote path is refused (exit 125),
/// never run locally.
enum RemoteCommand {
    /// Management spellings mapped to the top-level command that does the same (`container ls` → `ps`).
    static let containerWords: [String: String] = [
        "ls": "ps", "list": "ps", "ps": "ps", "inspect": "container-inspect", "start": "start", "stop": "stop",
        "restart": "restart", "kill": "kill", "rm": "rm", "remove": "rm", "logs": "logs", "run": "run", "create": "create",
        "exec": "exec", "attach": "attach", "wait": "wait", "rename": "rename", "pause": "pause", "unpause": "unpause",
        "top": "top", "port": "port", "diff": "diff", "update": "update", "stats": "stats",
        "prune": "container-prune", "commit": "commit", "export": "export", "cp": "cp",
    ]
    static let imageWords: [String: String] = [
        "ls": "images", "list": "images", "inspect": "image-inspect", "rm": "rmi", "remove": "rmi", "pull": "pull", "tag": "tag",
        "build": "build", "history": "history", "prune": "image-prune",
        "save": "save", "load": "load", "import": "import", "push": "push",
    ]

    /// Runs the command remotely and exits; returns only for what needs no daemon (help, `--version`).
    static func main(_ host: RemoteHost, _ arguments: [String]) {
        guard let first = arguments.first, !["--help", "-h", "help", "--version", "-v"].contains(first) else { return }
        var word = first
        var rest = Array(arguments.dropFirst())
        var spelled = first
        if let sub = rest.first, !sub.hasPrefix("-"),
           LighterCommand.configuration.subcommands.first(where: { $0._commandName == first })?.configuration.subcommands.isEmpty == false {
            spelled = "\(first) \(sub)"
        }
        if first == "container" || first == "image", let sub = rest.first {
            spelled = "\(first) \(sub)"
            if ["--help", "-h"].contains(sub) { return }
            guard let mapped = (first == "container" ? containerWords : imageWords)[sub] else { refuse(spelled, host) }
            word = mapped
            rest = Array(rest.dropFirst())
        }
        if !["run", "create", "exec"].contains(word) && rest.contains("--help") {
            return    // the local command prints its help
        }
        if first == "logout" { return }    // only forgets the client's stored credentials, as Docker's CLI
        if spelled == "system dial-stdio" {
            // The far side of an ssh:// host whose environment names the daemon's socket.
            guard case let .unix(path) = host.endpoint else { refuse(spelled, host) }
            do throws(LighterError) { try DialStdioCommand.relay(path: path) } catch { report(error) }
            POSIX.exit(0)
        }
        let code: Int32
        do throws(LighterError) {
            code = try run(word, rest, spelled: spelled, host: host)
        } catch {
            report(error)
        }
        POSIX.exit(code)
    }

    private static func run(_ word: String, _ rest: [String], spelled: String, host: RemoteHost) throws(LighterError) -> Int32 {
        func parsed<T: ParsableCommand>(_ type: T.Type, _ arguments: [String] = rest) -> T {
            LighterCommand.parseOrExit(type, arguments) as! T
        }
        switch word {
        case "version":
            return try RemoteSystem.version(parsed(VersionCommand.self), host: host)
        case "info":
            return try RemoteSystem.info(parsed(InfoCommand.self), client: try EngineAPIClient(host: host))
        case "ps":
            return try RemoteContainers.ps(parsed(PsCommand.self).options, client: try EngineAPIClient(host: host))
        case "images":
            return try RemoteImages.images(parsed(ImagesCommand.self).options, client: try EngineAPIClient(host: host))
        case "inspect", "container-inspect", "image-inspect":
            var command = parsed(InspectCommand.self)
            if word == "container-inspect" { command.type = "container" }
            if word == "image-inspect" { command.type = "image" }
            return try RemoteContainers.inspect(command, client: try EngineAPIClient(host: host))
        case "start", "stop", "restart", "kill", "rm":
            return try RemoteContainers.lifecycle(word, rest, client: try EngineAPIClient(host: host))
        case "logs":
            return try RemoteContainers.logs(parsed(LogsCommand.self), client: try EngineAPIClient(host: host))
        case "pull":
            return try RemoteImages.pull(parsed(PullCommand.self), client: try EngineAPIClient(host: host))
        case "rmi":
            return try RemoteImages.remove(parsed(RmiCommand.self), client: try EngineAPIClient(host: host))
        case "run", "create":
            return try RemoteCreate.run(word, rest) { () throws(LighterError) in try EngineAPIClient(host: host) }
        case "exec":
            return try RemoteAttach.exec(parsed(ExecCommand.self), client: try EngineAPIClient(host: host))
        case "attach":
            return try RemoteAttach.attach(parsed(AttachCommand.self), client: try EngineAPIClient(host: host))
        case "build":
            return try RemoteBuild.build(parsed(BuildCommand.self), client: try EngineAPIClient(host: host))
        case "network":
            return try RemoteObjects.network(rest, spelled: spelled, host: host)
        case "volume":
            return try RemoteObjects.volume(rest, spelled: spelled, host: host)
        case "tag":
            return try RemoteImages.tag(parsed(TagCommand.self), client: try EngineAPIClient(host: host))
        case "wait":
            return try RemoteManage.wait(parsed(WaitCommand.self), client: try EngineAPIClient(host: host))
        case "rename":
            return try RemoteManage.rename(parsed(RenameCommand.self), client: try EngineAPIClient(host: host))
        case "pause":
            return try RemoteManage.pause(word, parsed(PauseCommand.self).containers, client: try EngineAPIClient(host: host))
        case "unpause":
            return try RemoteManage.pause(word, parsed(UnpauseCommand.self).containers, client: try EngineAPIClient(host: host))
        case "top":
            return try RemoteManage.top(parsed(TopCommand.self), client: try EngineAPIClient(host: host))
        case "port":
            return try RemoteManage.port(parsed(PortCommand.self), client: try EngineAPIClient(host: host))
        case "diff":
            return try RemoteManage.diff(parsed(DiffCommand.self), client: try EngineAPIClient(host: host))
        case "history":
            return try RemoteManage.history(parsed(HistoryCommand.self), client: try EngineAPIClient(host: host))
        case "update":
            return try RemoteUsage.update(parsed(UpdateCommand.self), client: try EngineAPIClient(host: host))
        case "stats":
            return try RemoteUsage.stats(parsed(StatsCommand.self), client: try EngineAPIClient(host: host))
        case "events":
            return try RemoteUsage.events(parsed(EventsCommand.self), client: try EngineAPIClient(host: host))
        case "container-prune":
            _ = parsed(ContainerPruneCommand.self)
            _ = try RemotePrune.containers(try EngineAPIClient(host: host))
            return 0
        case "image-prune":
            return try RemotePrune.imagePrune(parsed(ImagePruneCommand.self), client: try EngineAPIClient(host: host))
        case "save":
            return try RemoteArchives.save(parsed(SaveCommand.self), client: try EngineAPIClient(host: host))
        case "load":
            return try RemoteArchives.load(parsed(LoadCommand.self), client: try EngineAPIClient(host: host))
        case "import":
            return try RemoteArchives.importImage(parsed(ImportCommand.self), client: try EngineAPIClient(host: host))
        case "export":
            return try RemoteArchives.export(parsed(ExportCommand.self), client: try EngineAPIClient(host: host))
        case "push":
            return try RemoteRegistry.push(parsed(PushCommand.self), client: try EngineAPIClient(host: host))
        case "login":
            return try RemoteRegistry.login(parsed(LoginCommand.self), client: try EngineAPIClient(host: host))
        case "cp":
            return try RemoteCopy.cp(parsed(CpCommand.self), client: try EngineAPIClient(host: host))
        case "commit":
            return try RemotePrune.commit(parsed(CommitCommand.self), client: try EngineAPIClient(host: host))
        case "system":
            let words = Array(rest.dropFirst())
            switch rest.first {
            case "df": return try RemoteDiskUsage.df(parsed(SystemDfCommand.self, words), client: try EngineAPIClient(host: host))
            case "prune": return try RemotePrune.system(parsed(SystemPruneCommand.self, words), client: try EngineAPIClient(host: host))
            case "events": return try RemoteUsage.events(parsed(EventsCommand.self, words), client: try EngineAPIClient(host: host))
            case "info": return try RemoteSystem.info(parsed(InfoCommand.self, words), client: try EngineAPIClient(host: host))
            default: refuse(spelled, host)
            }
        default:
            refuse(spelled, host)
        }
    }

    /// Exit 125 naming the command that has no remote path yet.
    static func refuse(_ spelled: String, _ host: RemoteHost) -> Never {
        Console.error("lighter: `\(spelled)` against a remote daemon (\(host.text)) is not supported yet; use `docker -H \(host.text) \(spelled) …`, or run it on the board itself")
        POSIX.exit(125)
    }

    /// Docker's CLI wording: the daemon's message as it sent it, or "Cannot connect …"; exit 1.
    static func report(_ error: LighterError) -> Never {
        if case let .registry(host, message) = error, host == EngineAPIClient.daemonHost {
            Console.error(message)
        } else {
            Console.error("lighter: \(error)")
        }
        POSIX.exit(1)
    }
}
