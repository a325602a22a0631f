#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

/// How Lighter reaches registries: where credentials and per-registry certificates live, which
/// registries may be spoken to without TLS verification, and how hard to try on a bad link.
public struct RegistryOptions: Sendable {
    /// Lighter's own credentials file (written 0600 by `login`).
    public var authFile: String
    /// Docker's `config.json`, read (never written) for credentials Lighter's file lacks.
    public var dockerConfigFile: String?
    /// Per-registry CA and client certificates: `<dir>/<host[:port]>/{*.crt, *.cert + *.key}`.
    public var certsDirectory: String
    /// Registries (`host[:port]`) allowed over plain HTTP or with unverified TLS. Loopback
    /// addresses (127.0.0.0/8, ::1) are always allowed, as in Docker.
    public var insecureRegistries: Set<String>
    /// Layers downloaded at the same time.
    public var maxConcurrentDownloads: Int
    /// Attempts for one blob or request before giving up (resuming with Range in between).
    public var attempts: Int
    /// First retry delay in milliseconds; doubles each time up to 8 s.
    public var retryDelayMilliseconds: Int
    /// Push blobs larger than this in chunks (PATCH), resuming after a failed chunk; nil: one PUT.
    public var uploadChunkSize: Int64?
    /// Credentials given with the request (the daemon's `X-Registry-Auth`), used instead of the files.
    public var credentials: Credentials?

    public init(authFile: String = RegistryOptions.defaultAuthFile, dockerConfigFile: String? = RegistryOptions.defaultDockerConfig,
                certsDirectory: String = "/etc/lighter/certs.d", insecureRegistries: Set<String> = [],
                maxConcurrentDownloads: Int = 3, attempts: Int = 5, retryDelayMilliseconds: Int = 500, uploadChunkSize: Int64? = nil) {
        self.authFile = authFile
        self.dockerConfigFile = dockerConfigFile
        self.certsDirectory = certsDirectory
        self.insecureRegistries = insecureRegistries
        self.maxConcurrentDownloads = max(1, maxConcurrentDownloads)
        self.attempts = max(1, attempts)
        self.retryDelayMilliseconds = max(0, retryDelayMilliseconds)
        self.uploadChunkSize = uploadChunkSize.map { max(1, $0) }
    }

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }

    /// `$LIGHTER_AUTH_FILE`, else `$HOME/.lighter/config.json` (`/root/...` without HOME).
    public static var defaultAuthFile: String {
        if let file = environment("LIGHTER_AUTH_FILE") { return file }
        return "\(environment("HOME") ?? "/root")/.lighter/config.json"
    }

    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
    public static var defaultDockerConfig: String {
        if let dir = environment("DOCKER_CONFIG") { return "\(dir)/config.json" }
        return "\(environment("HOME") ?? "/root")/.docker/config.json"
    }

    /// Is `host` (as in a reference: `name[:port]`) allowed without verified TLS?
    public func isInsecure(_ host: String) -> Bool {
        insecureRegistries.contains(host) || RegistryHost.isLoopback(host)
    }
}
