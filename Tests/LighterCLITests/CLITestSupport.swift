#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport

/// Runs the built `lighter` binary against a private data root. Containers default to
/// `--network none` here: bridge tests run the binary inside a test-made network namespace.
struct Lighter {
    let root: TestDirectory

    init() { root = TestDirectory("lighter-cli") }

    @discardableResult
    func run(_ arguments: String...) -> ProcessResult { run(arguments) }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) -> ProcessResult {
        Run.capture([Repository.lighterBinary] + arguments, stdin: stdin,
                    environment: ["LIGHTER_ROOT": root.path, "LIGHTER_DEFAULT_NETWORK": "none"].merging(environment) { $1 })
    }

    /// Poll a container's logs until they contain `text` (at most `seconds`): no fixed sleeps, so a
    /// loaded machine only makes the test slower, never wrong.
    func waitForLog(_ container: String, containing text: String, seconds: Int = 30) -> Bool {
        for _ in 0..<(seconds * 20) {
            if run("logs", container).stdout.contains(text) { return true }
            usleep(50_000)
        }
        return false
    }

    /// Import the busybox fixture under `name`.
    func importBusybox(_ name: String = "busybox:latest", arch: String = "amd64") -> ProcessResult {
        run(["import", "--platform", "linux/\(arch)", "-c", "CMD [\"/bin/sh\"]", Repository.busyboxTarball(arch), name])
    }
}
