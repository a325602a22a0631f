#if canImport(Glibc)
import Glibc
#endif
import LighterSystem

/// A network namespace made for one test (`ip netns add lt-<random>`), deleted when released.
/// Bridge and NAT tests run everything inside one, so the host's links and firewall are never touched.
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    public var path: String { "/run/netns/\(name)" }

    public init() {
        name = "lt-" + (0..<6).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        let result = Run.capture(["ip", "netns", "add", name])
        precondition(result.status == 0, "ip netns add \(name): \(result.stderr)")
        _ = Run.capture(["ip", "-n", name, "link", "set", "lo", "up"])
    }

    /// Run a command inside (nsenter --net, which keeps /sys and the cgroup mounts as they are).
    @discardableResult
    public func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) -> ProcessResult {
        Run.capture(["nsenter", "--net=\(path)"] + arguments, stdin: stdin, environment: Run.bridgeByDefault(environment))
    }

    /// Start a command inside in the background; returns its pid (stop it with `Run.stop`).
    public func spawn(_ arguments: [String], log: String, environment: [String: String] = [:]) -> pid_t {
        Run.spawn(["nsenter", "--net=\(path)"] + arguments, stdout: log, stderr: log, environment: Run.bridgeByDefault(environment))
    }

    @discardableResult
    public func sh(_ command: String) -> ProcessResult { run(["/bin/sh", "-c", command]) }

    deinit { _ = Run.capture(["ip", "netns", "del", name]) }
}

extension Run {
    /// SIGKILL a spawned process and reap it.
    public static func stop(_ pid: pid_t) {
        kill(pid, SIGKILL)
        _ = wait(pid)
    }

    /// Inside a test-made namespace the default bridge is safe: containers use it unless told otherwise
    /// (outside one, test processes default to `--network none`; see Run.spawn).
    static func bridgeByDefault(_ environment: [String: String]) -> [String: String] {
        var environment = environment
        if environment["LIGHTER_DEFAULT_NETWORK"] == nil { environment["LIGHTER_DEFAULT_NETWORK"] = "bridge" }
        return environment
    }
}
