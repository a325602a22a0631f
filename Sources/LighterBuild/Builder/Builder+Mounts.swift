#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterEngine
import LighterOCI
import LighterSystem

/// BuildKit's `RUN --mount=…`, as far as the engine's mounts can give it: `type=cache` (a directory
/// kept under ROOT/build-mounts from build to build, by `id` (default: the target); never part of a
/// layer; `builder prune -a` removes it), `type=tmpfs` and `type=bind` (a path of the build context,
/// read-only), `type=secret` (Builder+Secrets) and `type=ssh` (Builder+SSH). The rest (a bind `from`
/// a stage, `rw` binds, `sharing=locked|private`) is refused, not ignored.
struct RunMounts {
    var binds: [BindMount] = []
    var tmpfs: [String: String] = [:]
    /// Context paths bound in: their contents are part of the step's cache key.
    var contextSources: [String] = []
    /// The private directory of this RUN's secret files (removed when it ends).
    var secretDirectory: String?
    /// Where secrets and ssh agent sockets are mounted: their empty mount points are not committed.
    var mountPoints: [String] = []
    /// The first ssh mount's target: the RUN's SSH_AUTH_SOCK.
    var sshAuthSock: String?
    /// The relays behind this RUN's ssh sockets (stopped when it ends).
    var sshForwarders: [SSHForwarder] = []
}

extension Builder {
    static func mountsDirectory(root: String) -> String { "\(root)/build-mounts" }

    func runMounts(_ instruction: Instruction, create: Bool) throws(LighterError) -> RunMounts {
        var result = RunMounts()
        var sshMounts = 0
        for text in instruction.flags("mount") {
            var fields: [String: String] = [:]
            for item in text.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                fields[parts[0].lowercased()] = parts.count > 1 ? Dockerfile.unquoted(parts[1]) : "true"
            }
            let type = fields["type"] ?? "bind"
            if type == "secret" {
                try secretMount(fields, text: text, instruction: instruction, create: create, into: &result)
                continue
            }
            if type == "ssh" {
                try sshMount(fields, text: text, index: sshMounts, instruction: instruction, create: create, into: &result)
                sshMounts += 1
                continue
            }
            guard ["cache", "tmpfs", "bind"].contains(type) else {
                throw .unsupported(feature: "RUN --mount=type=\(type)", fix: "Lighter's builder mounts type=cache, tmpfs, bind (from the context), secret and ssh")
            }
            let target = fields["target"] ?? fields["dst"] ?? fields["destination"]
            guard let target, target.hasPrefix("/"), target != "/" else {
                throw position(instruction).error("--mount=\(text): give an absolute target= other than /")
            }
            let readOnly = ["ro", "readonly"].contains { fields[$0] == "true" }
            switch type {
            case "cache":
                let sharing = fields["sharing"] ?? "shared"
                guard sharing == "shared" else {
                    throw .unsupported(feature: "RUN --mount=type=cache,sharing=\(sharing)", fix: "use sharing=shared (the default)")
                }
                let id = fields["id"] ?? target
                let directory = "\(Self.mountsDirectory(root: engine.images.paths.root))/cache-\(Digest.of(Array(id.utf8)).hex.prefix(32))"
                if create && !FileSystem.isDirectory(directory) {
                    try FileSystem.makeDirectories(directory, mode: 0o755)
                    let mode = fields["mode"].flatMap { mode_t($0, radix: 8) } ?? 0o755
                    let uid = fields["uid"].flatMap { UInt32($0) } ?? 0
                    let gid = fields["gid"].flatMap { UInt32($0) } ?? 0
                    try syscall("chmod", directory) { chmod(directory, mode) }
                    try syscall("chown", directory) { chown(directory, uid, gid) }
                }
                if create { result.binds.append(try BindMount(parsing: "\(directory):\(target)\(readOnly ? ":ro" : "")")) }
            case "tmpfs":
                result.tmpfs[target] = fields["size"].map { "size=\($0)" } ?? ""
            case "bind":
                guard fields["from"] == nil else {
                    throw .unsupported(feature: "RUN --mount=type=bind,from=…", fix: "COPY --from the files into the stage first")
                }
                guard fields["rw"] != "true", fields["readwrite"] != "true" else {
                    throw .unsupported(feature: "RUN --mount=type=bind,rw", fix: "bind it read-only and copy what RUN must change")
                }
                let tree = try contextTree()
                let source = try tree.clean(fields["source"] ?? fields["src"] ?? ".")
                result.contextSources.append(source)
                if create {
                    let opened = try tree.open(source, flags: openPathOnly)
                    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                    let n = try syscall("readlink", source) { readlink("/proc/self/fd/\(opened.rawValue)", &buffer, buffer.count - 1) }
                    let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    result.binds.append(try BindMount(parsing: "\(path):\(target):ro"))
                }
            default:
                throw .unsupported(feature: "RUN --mount=type=\(type)", fix: "Lighter's builder mounts type=cache, tmpfs and bind (from the context)")
            }
        }
        return result
    }
}
