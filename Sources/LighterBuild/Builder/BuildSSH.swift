#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// `--ssh default|ID[=SOCKET|KEY[,KEY…]]` (BuildKit's forms): what `RUN --mount=type=ssh,id=ID` reaches.
/// `default` without a value is `$SSH_AUTH_SOCK`. One path naming a socket is that agent; key files
/// go into a private `ssh-agent` the build starts (SSHAgent) and stops when it ends.
public struct BuildSSH: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case socket(String)
        case keys([String])
    }

    public var id: String
    public var source: Source

    /// `environmentSocket`: `$SSH_AUTH_SOCK` (for `default` without a value).
    public init(parsing text: String, environmentSocket: String?) throws(LighterError) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        id = parts[0]
        guard !id.isEmpty, !id.contains(",") else {
            throw .invalidArgument("--ssh \(text): give default or an ID, then optionally =SOCKET or =KEY[,KEY…]")
        }
        var paths = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        if paths.isEmpty {
            guard let socket = environmentSocket, !socket.isEmpty else {
                throw .invalidArgument("--ssh \(text): invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set, or give \(id)=SOCKET|KEYFILE")
            }
            paths = [socket]
        }
        var sockets: [String] = [], keys: [String] = []
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw .notFound(kind: "ssh agent socket or key file", name: "\(path) (--ssh \(text))")
            }
            switch st.st_mode & S_IFMT {
            case S_IFSOCK: sockets.append(path)
            case S_IFREG: keys.append(path)
            default: throw .invalidArgument("--ssh \(text): \(path) is neither an ssh agent socket nor a key file")
            }
        }
        if let socket = sockets.first {
            guard paths.count == 1 else {
                throw .invalidArgument("--ssh \(text): an agent socket goes alone (\(socket)); key files are given without one")
            }
            source = .socket(socket)
        } else {
            source = .keys(keys)
        }
    }
}
