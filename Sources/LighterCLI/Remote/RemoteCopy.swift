#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterArchive
import LighterEngine
import LighterSystem

/// `cp` against an Engine API (`HEAD`/`GET`/`PUT /containers/{id}/archive`): out of a container, the
/// daemon's tar unpacked in a private staging directory and copied into place by the local `cp`'s rules;
/// into one, the host path archived under the name the destination needs and unpacked by the daemon.
/// `-` reads or writes the tar itself; `-a` keeps the archive's owners; `-L` follows a symlink at SRC.
enum RemoteCopy {
    static func cp(_ command: CpCommand, client: EngineAPIClient) throws(LighterError) -> Int32 {
        switch (CpCommand.split(command.source), CpCommand.split(command.destination)) {
        case (.some, .some): throw .invalidArgument("copying between containers is not supported")
        case (nil, nil): throw .invalidArgument("must specify at least one container source (CONTAINER:PATH)")
        case let (.some(container), nil): try copyOut(container, to: command.destination, command, client)
        case let (nil, .some(container)): try copyIn(command.source, to: container, command, client)
        }
        return 0
    }

    /// The stat the daemon gives for a path in the container: (is a directory, link target); nil when absent.
    static func stat(_ client: EngineAPIClient, _ container: String, _ path: String) throws(LighterError) -> (directory: Bool, link: String)? {
        let response = try client.request("HEAD", "/containers/\(EngineAPIClient.escape(container))/archive", query: [("path", path)], tolerating: [404])
        defer { response.discard() }
        if response.status == 404 { return nil }
        guard let header = response.headers["X-Docker-Container-Path-Stat"], let json = Base64.decode(header),
              let node = try? JSONNode.parse(json, what: "X-Docker-Container-Path-Stat") else { return (false, "") }
        let mode = node[field: "mode"]?.integer ?? 0
        return ((mode >> 31) & 1 == 1, node[field: "linkTarget"]?.text ?? "")
    }

    private static func copyOut(_ container: (name: String, path: String), to destination: String, _ command: CpCommand,
                                _ client: EngineAPIClient) throws(LighterError) {
        var path = container.path
        if command.followLink, let found = try stat(client, container.name, path), !found.link.isEmpty {
            path = found.link    // the daemon resolves it in the container's root
        }
        let response = try client.request("GET", "/containers/\(EngineAPIClient.escape(container.name))/archive", query: [("path", path)])
        if destination == "-" {
            try RemoteArchives.receive(response, into: nil)
            return
        }
        let staging = try stagingDirectory()
        defer { try? FileSystem.removeTree(staging) }
        let tar = "\(staging)/archive.tar"
        try RemoteArchives.receive(response, into: tar)
        let tree = "\(staging)/tree"
        try FileSystem.makeDirectories(tree, mode: 0o700)
        let input = try FileDescriptor(path: tar, flags: O_RDONLY | O_CLOEXEC)
        defer { try? input.close() }
        _ = try LayerApplier.apply(from: input, into: tree, expectedDigest: nil, limits: LayerLimits())
        let contentsOnly = container.path.hasSuffix("/.") || base(container.path).isEmpty
        var source = "\(tree)/."
        if !contentsOnly {
            // Named as SRC was, even when -L fetched what its link points to.
            source = "\(tree)/\(base(container.path))"
            if base(path) != base(container.path) { try FileSystem.rename("\(tree)/\(base(path))", to: source) }
        }
        try Engine.copyOnHost(source, to: destination)
    }

    private static func copyIn(_ source: String, to container: (name: String, path: String), _ command: CpCommand,
                               _ client: EngineAPIClient) throws(LighterError) {
        var query: [(String, String)] = []
        if command.archive { query.append(("copyUIDGID", "1")) }
        let target = "/containers/\(EngineAPIClient.escape(container.name))/archive"
        if source == "-" {
            try RemoteArchives.withBody(nil) { (file, size) throws(LighterError) in
                try client.upload(target, method: "PUT", query: query + [("path", container.path)], file: file, size: size, contentType: "application/x-tar").discard()
            }
            return
        }
        guard let sourceIsDirectory = Engine.hostPathIsDirectory(source, followLink: command.followLink) else {
            throw .notFound(kind: "file or directory on the host", name: source)
        }
        let contentsOnly = source.hasSuffix("/.")
        let whole = contentsOnly ? String(source.dropLast(2)) : source
        var archived = whole, member = base(whole), into = container.path
        if let existing = try stat(client, container.name, container.path) {
            if existing.directory {
                if contentsOnly { archived = source }    // ./NAME entries, into DEST itself
            } else {
                guard !sourceIsDirectory else { throw .conflict("cannot copy a directory to a file: \(container.name):\(container.path)") }
                member = base(container.path)
                into = parent(container.path)
            }
        } else {
            if container.path.hasSuffix("/") && !sourceIsDirectory {
                throw .notFound(kind: "directory in container \(container.name)", name: container.path)
            }
            member = base(container.path)
            into = parent(container.path)
        }
        let (scratch, file) = try RemoteBuild.scratchFile()
        defer {
            try? file.close()
            _ = unlink(scratch)
        }
        try Engine.archiveHostPath(archived, as: member, followLink: command.followLink, to: file)
        let size = Int64(FileSystem.lstatOrNil(scratch)?.st_size ?? 0)
        try client.upload(target, method: "PUT", query: query + [("path", into)], file: scratch, size: size, contentType: "application/x-tar").discard()
    }

    /// "/a/b/" → "b"; "/" → "".
    static func base(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed.split(separator: "/").last ?? "")
    }

    /// "/a/b" → "/a"; "b" → "/".
    static func parent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex else { return "/" }
        return String(trimmed[..<slash])
    }

    /// A private directory (mkdtemp, 0700) under $TMPDIR or /tmp.
    private static func stagingDirectory() throws(LighterError) -> String {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/lighter-cp-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw .system(call: "mkdtemp", path: directory, errno: lighter_errno())
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
