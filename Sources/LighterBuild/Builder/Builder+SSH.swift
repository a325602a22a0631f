#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterEngine
import LighterSystem

/// `RUN --mount=type=ssh[,id=ID][,target=PATH][,required=true][,mode=0600][,uid=0][,gid=0]`: a socket
/// of that owner and mode relaying to the agent given with `--ssh ID=…` (`default` when no id;
/// SSHForwarder) bound at PATH (default `/run/buildkit/ssh_agent.N`, N counting the RUN's ssh mounts)
/// for that RUN only (the forwarder ends and its socket goes when the RUN does), with
/// `SSH_AUTH_SOCK` naming the first one in its environment (unless the image's ENV sets it). The empty
/// mount point is removed before the commit, so nothing of the agent lands in a layer; the socket's
/// path is no part of the cache key or the history (the mount's flags, with the id, are, as BuildKit's).
/// A mount whose id was not given is skipped unless `required=true`, which fails as BuildKit does.
extension Builder {
    func sshMount(_ fields: [String: String], text: String, index: Int, instruction: Instruction, create: Bool,
                  into result: inout RunMounts) throws(LighterError) {
        let known: Set<String> = ["type", "id", "target", "dst", "destination", "required", "mode", "uid", "gid"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unsupported(feature: "RUN --mount=type=ssh,\(unknown)=…",
                               fix: "Lighter mounts an ssh agent socket with id, target, required, mode, uid, gid; line \(instruction.line)")
        }
        let id = fields["id"] ?? "default"
        let target = fields["target"] ?? fields["dst"] ?? fields["destination"] ?? "/run/buildkit/ssh_agent.\(index)"
        guard target.hasPrefix("/"), target != "/" else {
            throw position(instruction).error("--mount=\(text): give an absolute target= other than /")
        }
        guard let mode = mode_t(fields["mode"] ?? "0600", radix: 8), mode <= 0o7777,
              let uid = UInt32(fields["uid"] ?? "0"), let gid = UInt32(fields["gid"] ?? "0") else {
            throw position(instruction).error("--mount=\(text): mode is octal (0600), uid and gid are numbers")
        }
        guard let socket = options.ssh[id] else {
            guard fields["required"] != "true" else {
                throw .buildFailed("\(file.name):\(instruction.line): no SSH key \"\(id)\" forwarded from the client (give --ssh \(id)[=SOCKET|KEYFILE])")
            }
            return  // as BuildKit: an agent not given and not required is not mounted
        }
        guard create else { return }
        // A socket of the mount's owner and mode that relays to the agent (whose own socket stays as it is).
        let forwarder = try SSHForwarder(agent: socket, uid: uid, gid: gid, mode: mode)
        result.sshForwarders.append(forwarder)
        result.binds.append(try BindMount(parsing: "\(forwarder.socket):\(target)"))
        result.mountPoints.append(target)
        if result.sshAuthSock == nil { result.sshAuthSock = target }
    }
}
