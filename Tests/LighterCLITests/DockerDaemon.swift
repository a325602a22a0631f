#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport

/// Debian's dockerd (20.10) for a test: in a network namespace of its own (`unshare --net`), with no
/// bridge and no iptables, its data, exec root, socket and client config under a test directory and
/// its containers' cgroups under a parent of their own. `stop()` ends it and removes what it leaves
/// on the host (its cgroup parent, the /run directories that were not there before).
final class DockerDaemon: @unchecked Sendable {
    static var installed: Bool { FileSystem.exists("/usr/sbin/dockerd") && FileSystem.exists("/usr/bin/docker") }

    let directory: TestDirectory
    let socket: String
    private let pid: pid_t
    private let cgroupParent: String
    private let runDirectories: [String]
    private var running = true

    init(label: String) throws(LighterError) {
        directory = TestDirectory("lighter-dockerd")
        let dir = directory.path
        socket = "unix://\(dir)/docker.sock"
        cgroupParent = "lighter-test-\(label)-\(getpid())"
        runDirectories = ["/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd"].filter { !FileSystem.exists($0) }
        try directory.write("daemon.json", "{}")
        _ = try directory.directory("client")
        pid = Run.spawn(["unshare", "--net", "/usr/sbin/dockerd", "-H", socket, "--config-file", "\(dir)/daemon.json",
                         "--data-root", "\(dir)/data", "--exec-root", "\(dir)/exec", "--pidfile", "\(dir)/dockerd.pid",
                         "--bridge=none", "--iptables=false", "--ip6tables=false", "--storage-driver", "overlay2",
                         "--cgroup-parent", "/\(cgroupParent)"],
                        stdout: "\(dir)/dockerd.log", stderr: "\(dir)/dockerd.log")
        for _ in 0..<300 {
            if client(["version"]).status == 0 { return }
            usleep(100_000)
        }
        let log = (try? FileSystem.readString("\(dir)/dockerd.log")) ?? ""
        stop()
        throw LighterError.invalidArgument("dockerd did not come up: \(log)")
    }

    /// The environment that makes `/usr/bin/docker` talk to this daemon with a private client config.
    var clientEnvironment: [String: String] { ["DOCKER_HOST": socket, "DOCKER_CONFIG": directory.sub("client")] }

    func client(_ arguments: [String]) -> ProcessResult {
        Run.capture(["timeout", "60", "/usr/bin/docker"] + arguments, environment: clientEnvironment)
    }

    func stop() {
        guard running else { return }
        running = false
        kill(pid, SIGTERM)
        _ = Run.wait(pid)
        for hierarchy in (try? FileSystem.list("/sys/fs/cgroup")) ?? [] { _ = rmdir("/sys/fs/cgroup/\(hierarchy)/\(cgroupParent)") }
        // A shim leaves shortly after its task is deleted, its socket in /run/containerd/s with it.
        for _ in 0..<100 where !((try? FileSystem.list("/run/containerd/s")) ?? []).isEmpty { usleep(50_000) }
        for path in runDirectories { _ = rmdir(path) }
    }

    deinit { stop() }
}
