#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterAPI
import LighterArchive
import LighterOCI
import LighterSystem

extension DaemonRoutes {
    /// Requests whose body is a tar the handler spools to a file (no JSON body limit).
    static let spoolsBody: @Sendable (HTTPRequestHead) -> Bool = { head in
        (head.method == "POST" && (head.path.hasSuffix("/build") || head.path.hasSuffix("/images/load")))
            || (head.method == "POST" && head.path.hasSuffix("/images/create") && head.target.contains("fromSrc="))
            || (head.method == "PUT" && head.path.hasSuffix("/archive"))
    }

    /// `POST /build`: the classic builder's API — a tar context as the body, the options in the query —
    /// run by `lighter build` (the CLI's builder) as a child process; its output becomes Docker's
    /// build stream (`{"stream": "Step 1/3 : FROM busybox\n"}` … `{"aux": {"ID": …}}`).
    static func addBuild(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/build") { (request, responder) throws(LighterError) in
            if let remote = request.query("remote"), !remote.isEmpty {
                throw .invalidArgument("remote build contexts (\(remote)) are not served by Lighter's daemon; send the context as a tar")
            }
            let scratch = try DaemonScratch(root: context.root, purpose: "build")
            defer { scratch.remove() }
            let tar = try scratch.spool(request, as: "context.tar")
            let directory = "\(scratch.directory)/context"
            try FileSystem.makeDirectories(directory, mode: 0o700)
            let input = FileDescriptor(adopting: try syscall("open", tar) { lighter_open(tar, O_RDONLY | O_CLOEXEC, 0) })
            defer { try? input.close() }
            _ = try LayerApplier.apply(from: input, into: directory, expectedDigest: nil, limits: LayerLimits())
            var arguments = try buildArguments(request, root: context.root)
            let iidfile = "\(scratch.directory)/iid"
            let quiet = request.flag("q")
            arguments += ["--iidfile", iidfile, "--progress", "daemon", "-f", "\(directory)/\(request.query("dockerfile").flatMap { $0.isEmpty ? nil : $0 } ?? "Dockerfile")", directory]
            if quiet { arguments.append("-q") }
            responder.startStream(contentType: "application/json")
            func send(_ fields: [String: JSONNode]) { responder.send(JSONNode.object(fields).serialized() + [0x0a]) }
            // `lighter: <error>` and the lines after it are the build's error (RUN's last output).
            var failure: [String]?
            let status = try DaemonSubcommand.run(arguments) { line in
                let line = line.replacing("\(directory)/", with: "")
                if line.hasPrefix("lighter: ") { failure = [String(line.dropFirst("lighter: ".count))] } else if failure != nil { failure?.append(line) }
                if quiet || failure != nil { return }
                if let shown = classicLine(line) { send(["stream": .string(shown + "\n")]) }
            }
            if status == 0, let id = try? FileSystem.readString(iidfile).trimmed, !id.isEmpty {
                send(["aux": .object(["ID": .string(id)])])
                if quiet {
                    send(["stream": .string(id + "\n")])
                } else {
                    send(["stream": .string("Successfully built \(id.dropFirst("sha256:".count).prefix(12))\n")])
                    for tag in request.query["t"] ?? [] where !tag.isEmpty {
                        send(["stream": .string("Successfully tagged \((try? Reference(parsing: tag).familiar) ?? tag)\n")])
                    }
                }
            } else {
                let text = failure?.joined(separator: "\n").trimmed ?? "the build failed (exit status \(status))"
                send(["errorDetail": .object(["message": .string(text), "code": number(status)]), "error": .string(text)])
            }
            responder.finish()
        }
    }

    /// The classic builder's settings Lighter's builder has none of: refused by name when they hold
    /// anything but the zero value docker CLIs send for every build (a setting never silently ignored).
    static let unsupportedNumbers = ["memory", "memswap", "cpushares", "cpuperiod", "cpuquota", "shmsize"]
    static let unsupportedStrings = ["cpusetcpus", "cpusetmems", "cgroupparent", "extrahosts", "squash", "outputs"]
    static let unsupportedLists = ["cachefrom", "ulimits"]

    static func refuseUnsupported(_ request: APIRequest) throws(LighterError) {
        for key in unsupportedNumbers {
            if let value = request.query(key), !value.isEmpty, value != "0" {
                throw .invalidArgument("build option \(key)=\(value) is not supported by Lighter's builder")
            }
        }
        for key in unsupportedStrings {
            if let value = request.query(key), !value.isEmpty, value != "0", value != "false" {
                throw .invalidArgument("build option \(key)=\(value) is not supported by Lighter's builder")
            }
        }
        for key in unsupportedLists {
            if let value = request.query(key), !["", "null", "[]", "{}"].contains(value) {
                throw .invalidArgument("build option \(key)=\(value) is not supported by Lighter's builder")
            }
        }
        if let isolation = request.query("isolation"), !["", "default"].contains(isolation) {
            throw .invalidArgument("build option isolation=\(isolation) is not supported by Lighter's builder")
        }
    }

    /// `lighter build` options from the query: `t`, `buildargs` and `labels` (JSON objects), `target`,
    /// `nocache`, `pull`, `platform`, `networkmode`; `rm`/`forcerm` (the builder always removes its
    /// containers); the classic builder's resource and cache settings are refused unless zero.
    static func buildArguments(_ request: APIRequest, root: String) throws(LighterError) -> [String] {
        try refuseUnsupported(request)
        var arguments = ["build", "--root", root]
        for tag in request.query["t"] ?? [] where !tag.isEmpty { arguments += ["-t", tag] }
        for (key, option) in [("buildargs", "--build-arg"), ("labels", "--label")] {
            guard let text = request.query(key), !text.isEmpty else { continue }
            guard case let .object(fields) = try JSONNode.parse(Array(text.utf8), what: key) else {
                throw .invalidArgument("\(key) must be a JSON object")
            }
            for name in fields.keys.sorted() {
                switch fields[name] {
                case let .string(value)?: arguments += [option, "\(name)=\(value)"]
                case .null?: if key == "buildargs" { continue } else { arguments += [option, "\(name)="] }
                default: throw .invalidArgument("\(key): the value of \(name) must be a string")
                }
            }
        }
        if let target = request.query("target"), !target.isEmpty { arguments += ["--target", target] }
        if let platform = request.query("platform"), !platform.isEmpty { arguments += ["--platform", platform] }
        if let network = request.query("networkmode"), !network.isEmpty {
            arguments += ["--network", network == "default" ? "default" : network]
        }
        if request.flag("nocache") { arguments.append("--no-cache") }
        if request.flag("pull") { arguments.append("--pull") }
        return arguments
    }

    /// `#3 [2/4] RUN echo hi` → `Step 2/4 : RUN echo hi` (the classic builder's step line); other
    /// lines (RUN's output) as they are, without BuildKit's `#N ` prefix; `CACHED` as the classic
    /// builder's ` ---> Using cache`, `IMAGE sha256:…` (the step's image) as ` ---> ID`, `RUNNING ID` and
    /// `REMOVED ID` (a RUN's container) as ` ---> Running in ID` and `Removing intermediate container ID`
    /// (12 characters of the ID, as dockerd prints them), `DONE` and the final `writing image`/`naming to`
    /// not at all (nil).
    static func classicLine(_ line: String) -> String? {
        guard line.hasPrefix("#"), let space = line.firstIndex(of: " "), line[line.index(after: line.startIndex)..<space].allSatisfy(\.isNumber) else {
            return line
        }
        let rest = line[line.index(after: space)...]
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let step = rest[rest.index(after: rest.startIndex)..<close].split(separator: " ").last ?? ""
            return "Step \(step) : \(rest[rest.index(after: close)...].trimmed)"
        }
        if rest == "CACHED" { return " ---> Using cache" }
        if rest.hasPrefix("RUNNING ") { return " ---> Running in \(rest.dropFirst("RUNNING ".count).prefix(12))" }
        if rest.hasPrefix("REMOVED ") { return "Removing intermediate container \(rest.dropFirst("REMOVED ".count).prefix(12))" }
        if rest.hasPrefix("IMAGE sha256:") { return " ---> \(rest.dropFirst("IMAGE sha256:".count).prefix(12))" }
        if rest.hasPrefix("DONE") { return nil }
        // The final `writing image … done` / `naming to … done`: dockerd's `Successfully built/tagged` say it.
        if rest.hasPrefix("writing image sha256:") || rest.hasPrefix("naming to ") { return nil }
        return String(rest)
    }
}
