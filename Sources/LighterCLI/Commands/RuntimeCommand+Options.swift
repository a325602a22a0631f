#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterArguments
import LighterOCI
import LighterRuntime
import LighterSystem

extension RuntimeCommand {
    /// runc's global options. Callers put them before the subcommand (`runc --root R --log F
    /// --log-format json create …`); `RuntimeCommandLine` moves them after it, where every subcommand
    /// takes them.
    struct Options: ParsableArguments {
        @Option(help: "Directory for container state.")
        var root: String = Runtime.defaultRoot
        @Option(help: "Append errors (and, with --debug, each command) to this file instead of only stderr.")
        var log: String?
        @Option(help: "The --log format: text or json (JSON lines {\"level\",\"msg\",\"time\"}, as runc writes).")
        var logFormat: String = "text"
        @Flag(help: "Log each command at debug level.")
        var debug = false
        @Flag(help: "Use systemd cgroup paths (refused: Lighter manages cgroupfs directly).")
        var systemdCgroup = false

        var runtime: Runtime { Runtime(root: root) }

        func validate() throws {
            guard logFormat == "text" || logFormat == "json" else {
                throw ValidationError("--log-format \(logFormat): use text or json")
            }
        }

        /// Run `body`; a LighterError is logged, prints as "lighter: …" and exits with its exit code.
        func perform(_ body: () throws(LighterError) -> Void) throws {
            do throws(LighterError) {
                if debug { record(level: "debug", message: "lighter runtime " + CommandLine.arguments.dropFirst().joined(separator: " ")) }
                if systemdCgroup {
                    throw .unsupported(feature: "--systemd-cgroup",
                                                   fix: "Lighter writes cgroupfs directly; use the cgroupfs driver (drop --systemd-cgroup / SystemdCgroup)")
                }
                try body()
            } catch {
                record(level: "error", message: error.description)
                let line = Array("lighter: \(error.description)\n".utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                throw ExitCode(error.exitCode)
            }
        }

        /// Append one line to --log (nothing without it). JSON lines are what containerd's shim reads
        /// back when a runtime command fails.
        func record(level: String, message: String) {
            guard let log else { return }
            RuntimeCommand.appendLog(to: log, json: logFormat == "json", level: level, message: message)
        }
    }

    /// One log line, JSON ({"level","msg","time"}) or logrus's text, appended to `path` (errors ignored:
    /// the message goes to stderr as well).
    static func appendLog(to log: String, json: Bool, level: String, message: String) {
        let time = Time.nowRFC3339()
        let line: String
        if json {
            let node = JSONNode.object(["level": level, "msg": message, "time": time])
            line = String(decoding: node.serialized(), as: UTF8.self)
        } else {
            line = "time=\"\(time)\" level=\(level) msg=\(String(decoding: JSONNode.string(message).serialized(), as: UTF8.self))"
        }
        let fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// runc's create/run flags about the container's set-up.
    struct SetUpFlags: ParsableArguments {
        @Flag(help: "Keep the caller's session keyring instead of a new one for the container.")
        var noNewKeyring = false
        @Flag(help: "Enter the root with MS_MOVE and chroot instead of pivot_root (for a root pivot_root refuses, such as an initramfs; weaker isolation).")
        var noPivot = false
        @Option(help: "Pass this many more descriptors of the caller (3, 4, …, after any LISTEN_FDS ones) to the container process.")
        var preserveFds: Int = 0

        /// The runtime of `options` with these flags applied. Descriptors are passed as runc passes them:
        /// with LISTEN_FDS=N and LISTEN_PID naming this process (systemd's socket activation), 3 … 3+N-1
        /// first (the container gets LISTEN_FDS=N, LISTEN_PID=1), then --preserve-fds more.
        func runtime(_ options: Options) throws(LighterError) -> Runtime {
            guard preserveFds >= 0, preserveFds <= 1024 else {
                throw .invalidArgument("--preserve-fds \(preserveFds): give a number of descriptors from 0 to 1024")
            }
            var runtime = options.runtime
            runtime.noNewKeyring = noNewKeyring
            runtime.noPivot = noPivot
            runtime.preserveFds = Int32(preserveFds)
            runtime.listenFds = Self.listenFds()
            return runtime
        }

        /// LISTEN_FDS when LISTEN_PID is this process (else 0), as runc reads systemd's activation.
        static func listenFds() -> Int32 {
            guard let count = getenv("LISTEN_FDS").flatMap({ Int32(String(cString: $0)) }), count > 0,
                  let pid = getenv("LISTEN_PID").flatMap({ Int32(String(cString: $0)) }), pid == getpid() else { return 0 }
            return count
        }
    }

    /// Write `pid` to `path` as runc does (decimal, no newline; temp file then rename).
    static func writePidFile(_ pid: Int32, to path: String?) throws(LighterError) {
        guard let path else { return }
        try FileSystem.writeAtomically(Array(String(pid).utf8), to: path)
    }
}
