#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterHTTP
import LighterOCI
import LighterSystem

/// `save`, `load`, `import` and `export` against an Engine API: tars streamed from the daemon into a
/// file (`-o`) or standard output, and tars sent to it from a file or standard input.
enum RemoteArchives {
    /// A request body from a file, or from standard input (`nil` or `-`) spooled into a scratch file
    /// first (the client's requests carry a length). The scratch file is removed by `body`'s end.
    static func withBody<T>(_ path: String?, _ body: (String, Int64) throws(LighterError) -> T) throws(LighterError) -> T {
        if let path, path != "-" {
            guard FileSystem.exists(path) else { throw .notFound(kind: "file", name: path) }
            guard !FileSystem.isDirectory(path) else {
                throw .invalidArgument("\(path) is a directory; a remote daemon takes a tar archive (tar the directory first)")
            }
            let size = try FileDescriptor(path: path, flags: O_RDONLY | O_CLOEXEC).stat().st_size
            return try body(path, Int64(size))
        }
        guard isatty(0) == 0 else {
            throw .invalidArgument("standard input is a terminal, not a tar: give the archive through a pipe or a redirect (or name a file)")
        }
        let (scratch, file) = try RemoteBuild.scratchFile()
        defer {
            try? file.close()
            _ = unlink(scratch)
        }
        try RemoteBuild.copyStandardInput(to: file)
        return try body(scratch, Int64(try file.stat().st_size))
    }

    /// The body of `response` into `output` (written beside it, synced, then renamed over it), or onto
    /// standard output, which must not be a terminal (Docker's "cowardly refusing").
    static func receive(_ response: HTTPResponse, into output: String?) throws(LighterError) {
        guard let output, output != "-" else {
            let stdout = FileDescriptor(adopting: 1)
            stdout.forget()
            try copy(response, to: stdout)
            return
        }
        let temporary = "\(output).lighter-\(getpid())"
        let file = try FileDescriptor(path: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
        do throws(LighterError) {
            try copy(response, to: file)
            try file.sync()
            try file.close()
            try FileSystem.rename(temporary, to: output)
            try FileSystem.syncDirectory(FileSystem.dirname(of: output))
        } catch {
            try? file.close()
            _ = unlink(temporary)
            throw error
        }
    }

    private static func copy(_ response: HTTPResponse, to output: FileDescriptor) throws(LighterError) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = try response.read(into: chunk)
            if n == 0 { return }
            try output.write(UnsafeRawBufferPointer(rebasing: chunk[..<n]))
        }
    }

    static func refuseTerminal(_ output: String?) throws(LighterError) {
        if output == nil || output == "-", isatty(1) != 0 {
            throw .invalidArgument("cowardly refusing to save to a terminal. Use the -o flag or redirect")
        }
    }

    /// `save [-o FILE] IMAGE…`: the daemon's docker-archive (`GET /images/get`).
    static func save(_ command: SaveCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        guard !command.images.isEmpty else { throw .invalidArgument("\"save\" requires at least 1 argument") }
        guard command.format == "docker", command.deltaFrom == nil else {
            throw .unsupported(feature: "save --format \(command.format)\(command.deltaFrom == nil ? "" : " --delta-from") with a remote daemon (the Engine API saves docker-archives only)",
                               fix: "save without them, or run `lighter save` on the board itself")
        }
        try refuseTerminal(command.output)
        try receive(try client.request("GET", "/images/get", query: command.images.map { ("names", $0) }), into: command.output)
        return 0
    }

    /// `load [-i FILE] [-q] [--platform]`: the tar as `POST /images/load`'s body; the daemon's lines printed.
    static func load(_ command: LoadCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var query: [(String, String)] = [("quiet", command.quiet ? "1" : "0")]
        if let platform = command.platform { query.append(("platform", platform)) }
        let response = try withBody(command.input) { (path, size) throws(LighterError) in
            try client.upload("/images/load", query: query, file: path, size: size, contentType: "application/x-tar")
        }
        try JSONStream.each(response) { (message) throws(LighterError) in
            if let error = message[field: "error"]?.text, !error.isEmpty { throw .registry(host: EngineAPIClient.daemonHost, message: error) }
            if !command.quiet, let text = message[field: "stream"]?.text, !text.isEmpty { Console.out(String(text.dropLast(text.hasSuffix("\n") ? 1 : 0))) }
        }
        return 0
    }

    /// `import FILE|- [REPOSITORY[:TAG]] [-c]… [-m] [--platform]`: `POST /images/create?fromSrc=-`, the new ID printed.
    static func importImage(_ command: ImportCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        var query: [(String, String)] = [("fromSrc", "-")]
        if let reference = command.reference {
            let parsed = try Reference(parsing: reference)
            query.append(("repo", parsed.familiarName))
            if let tag = parsed.tag { query.append(("tag", tag)) }
        }
        for change in command.change { query.append(("changes", change)) }
        if let message = command.message { query.append(("message", message)) }
        if let platform = command.platform { query.append(("platform", platform)) }
        let response = try withBody(command.file) { (path, size) throws(LighterError) in
            try client.upload("/images/create", query: query, file: path, size: size, contentType: "application/x-tar")
        }
        try JSONStream.each(response) { (message) throws(LighterError) in
            if let error = message[field: "error"]?.text, !error.isEmpty { throw .registry(host: EngineAPIClient.daemonHost, message: error) }
            if let status = message[field: "status"]?.text, !status.isEmpty { Console.out(status) }
        }
        return 0
    }

    /// `export [-o FILE] CONTAINER`: the container's filesystem as a tar.
    static func export(_ command: ExportCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        try refuseTerminal(command.output)
        try receive(try client.request("GET", "/containers/\(EngineAPIClient.escape(command.container))/export"), into: command.output)
        return 0
    }
}
