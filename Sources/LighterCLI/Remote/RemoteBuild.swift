#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterBuild
import LighterHTTP
import LighterSystem

/// `build` against an Engine API: the classic builder's `POST /build`, the context a tar made here
/// (`.dockerignore` applied, as Docker's CLI does; `-` sends standard input's tar as it is), the
/// options in the query, the daemon's JSON stream printed as it comes (`stream` lines; `error` ends it,
/// exit 1). What only the local builder has (`-o`, `--push`, `--secret`, `--check`, `--compression`)
/// is refused by name.
enum RemoteBuild {
    static func build(_ command: BuildCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var refused: [String] = []
        if command.output != nil { refused.append("--output") }
        if command.push { refused.append("--push") }
        if !command.secret.isEmpty { refused.append("--secret") }
        if command.check { refused.append("--check") }
        if command.compression != "gzip" { refused.append("--compression") }
        guard refused.isEmpty else {
            throw .unsupported(feature: "\(refused.joined(separator: ", ")) with a remote daemon (the Engine API's build has no form for \(refused.count == 1 ? "it" : "them"))",
                               fix: "run `lighter build` on the board itself")
        }
        let (scratch, file) = try scratchFile()
        defer {
            try? file.close()
            _ = unlink(scratch)
        }
        var query: [(String, String)] = [("rm", "1")]
        for tag in command.tag { query.append(("t", tag)) }
        if command.context == "-" {
            guard command.file == nil || command.file == "Dockerfile" else {
                throw .invalidArgument("-f with a context on standard input: name the Dockerfile inside the tar (a path in it)")
            }
            try copyStandardInput(to: file)
        } else {
            let dockerfile = try writeContext(command.context, file: command.file, to: file)
            query.append(("dockerfile", dockerfile))
        }
        func object(_ items: [String], fromEnvironment: Bool) -> String? {
            guard !items.isEmpty else { return nil }
            var fields: [String: JSONNode] = [:]
            for item in items {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                if parts.count == 2 { fields[parts[0]] = .string(parts[1]) } else if fromEnvironment {
                    if let value = getenv(parts[0]) { fields[parts[0]] = .string(String(cString: value)) }
                } else {
                    fields[parts[0]] = .string("")
                }
            }
            return String(decoding: JSONNode.object(fields).serialized(), as: UTF8.self)
        }
        if let args = object(command.buildArg, fromEnvironment: true) { query.append(("buildargs", args)) }
        if let labels = object(command.label, fromEnvironment: false) { query.append(("labels", labels)) }
        if let target = command.target { query.append(("target", target)) }
        if let platform = command.platform { query.append(("platform", platform)) }
        if let network = command.network { query.append(("networkmode", network)) }
        if command.noCache { query.append(("nocache", "1")) }
        if command.pull { query.append(("pull", "1")) }
        if command.quiet { query.append(("q", "1")) }
        var size = stat()
        guard stat(scratch, &size) == 0 else { throw .system(call: "stat", path: scratch, errno: lighter_errno()) }
        let response = try client.upload("/build", query: query, file: scratch, size: Int64(size.st_size), contentType: "application/x-tar")
        var failure: String?
        var id: String?
        try JSONStream.each(response) { message in
            if let error = message[field: "error"]?.text, !error.isEmpty { failure = error; return }
            if let built = message[field: "aux"]?[field: "ID"]?.text { id = built }
            if let text = message[field: "stream"]?.text, !text.isEmpty {
                RemoteContainers.write(1, Array(text.utf8))
            }
        }
        if let failure {
            Console.error(failure)
            return 1
        }
        if let iidfile = command.iidfile, let id { try FileSystem.writeAtomically(Array(id.utf8), to: iidfile, mode: 0o644) }
        return 0
    }

    /// The context directory as a tar at `path`, `.dockerignore` applied (the Dockerfile and
    /// `.dockerignore` always go, as Docker's CLI sends them); the Dockerfile's name in it.
    static func writeContext(_ context: String, file: String?, to output: FileDescriptor) throws(LighterError) -> String {
        guard FileSystem.isDirectory(context) else { throw .invalidArgument("unable to prepare context: path \"\(context)\" not found") }
        let ignore = DockerIgnore((try? FileSystem.readString("\(context)/.dockerignore")) ?? "")
        let tar = try TarWriter(writingTo: output)
        var dockerfile = "Dockerfile"
        var outside: String?
        if let file {
            let cwd = currentDirectory()
            let absolute = file.hasPrefix("/") ? file : "\(cwd)/\(file)"
            let base = context.hasPrefix("/") ? context : "\(cwd)/\(context)"
            let inside = clean(absolute), root = clean(base)
            if inside.count > root.count, Array(inside.prefix(root.count)) == root {
                dockerfile = inside.dropFirst(root.count).joined(separator: "/")
            } else {
                // Outside the context: sent beside it under a name of its own, as Docker's CLI does.
                outside = absolute
                dockerfile = ".dockerfile.\(getpid())"
            }
        }
        try add(context, relative: "", ignore: ignore, keep: [dockerfile, ".dockerignore"], into: tar)
        if let outside { try tar.addFile(dockerfile, contentsOf: outside) }
        try tar.finish()
        return dockerfile
    }

    private static func add(_ directory: String, relative: String, ignore: DockerIgnore, keep: [String], into tar: TarWriter) throws(LighterError) {
        for name in try FileSystem.list(directory).sorted() {
            let member = relative.isEmpty ? name : "\(relative)/\(name)"
            let full = "\(directory)/\(name)"
            var st = stat()
            guard lstat(full, &st) == 0 else { throw .system(call: "lstat", path: full, errno: lighter_errno()) }
            let isDirectory = st.st_mode & S_IFMT == S_IFDIR
            if ignore.excludes(member) && !keep.contains(member) {
                if !isDirectory || ignore.skipsDirectory(member) { continue }
            }
            let mtime = Int64(st.st_mtim.tv_sec)
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                if !ignore.excludes(member) { try tar.addDirectory(member, mtime: mtime, permissions: st.st_mode & 0o7777) }
                try add(full, relative: member, ignore: ignore, keep: keep, into: tar)
            case S_IFREG:
                try tar.addFile(member, contentsOf: full, mtime: mtime, permissions: st.st_mode & 0o7777)
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: 4096)
                let n = readlink(full, &buffer, buffer.count)
                guard n >= 0 else { throw .system(call: "readlink", path: full, errno: lighter_errno()) }
                try tar.addSymlink(member, target: String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self), mtime: mtime)
            default:
                continue   // sockets, fifos and devices: Docker's CLI leaves them out too
            }
        }
    }

    /// Path elements without ".", "" and with ".." applied.
    static func clean(_ path: String) -> [String] {
        var out: [String] = []
        for element in path.split(separator: "/") where element != "." {
            if element == ".." { if !out.isEmpty { out.removeLast() } } else { out.append(String(element)) }
        }
        return out
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A new file of this process's own (mkstemp, mode 0600) under $TMPDIR or /tmp, for the context's tar.
    static func scratchFile() throws(LighterError) -> (String, FileDescriptor) {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/lighter-build-context-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .system(call: "mkstemp", path: directory, errno: lighter_errno()) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)   // not into ssh, for an ssh:// host
        return (String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self), FileDescriptor(adopting: fd))
    }

    static func copyStandardInput(to output: FileDescriptor) throws(LighterError) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && lighter_errno() == EINTR { continue }
            guard n >= 0 else { throw .system(call: "read", path: "standard input", errno: lighter_errno()) }
            if n == 0 { return }
            RemoteContainers.write(output.rawValue, Array(buffer[0..<n]))
        }
    }
}
