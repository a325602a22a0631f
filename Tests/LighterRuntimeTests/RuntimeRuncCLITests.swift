#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Testing
import LighterOCI
@testable import LighterRuntime
import LighterSystem
import LighterTestSupport

/// The binary as runc's callers (containerd's shim, dockerd) run it: through a link named `runc`,
/// global options before the subcommand, --pid-file, --log with JSON lines, list, ps, kill --all, features.
@Suite struct RuntimeRuncCLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `<bundle>/runc` → the lighter binary.
    func runcLink(in bundle: BusyboxBundle) throws -> String {
        let link = "\(bundle.directory)/runc"
        if !FileSystem.exists(link) { try syscall("symlink", link) { symlink(BusyboxBundle.lighterBinary, link) } }
        return link
    }

    func runc(_ arguments: [String], in bundle: BusyboxBundle) throws -> Result {
        let out = "\(bundle.directory)/cli-stdout", err = "\(bundle.directory)/cli-stderr"
        try FileSystem.writeDurably([], to: out)
        let status = Run.wait(Run.spawn([try runcLink(in: bundle)] + arguments, stdout: out, stderr: err))
        return Result(status: status, stdout: try FileSystem.readString(out), stderr: try FileSystem.readString(err))
    }

    static func field(_ node: JSONNode, _ key: String) -> JSONNode? {
        if case .object(let fields) = node { return fields[key] }
        return nil
    }

    static func strings(_ node: JSONNode?) -> [String] {
        guard case .array(let items)? = node else { return [] }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    @Test func globalOptionsBeforeTheSubcommandPidFileListPsAndForcedDelete() throws {
        let bundle = try BusyboxBundle(args: ["sleep", "30"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let log = "\(bundle.directory)/log.json", pidFile = "\(bundle.directory)/init.pid"
        let global = ["--root", bundle.runtime.root, "--log", log, "--log-format", "json"]
        // containerd's shim: runc --root … --log … --log-format json create --bundle … --pid-file … ID
        let create = try runc(global + ["create", "--bundle", bundle.directory, "--pid-file", pidFile, bundle.id], in: bundle)
        #expect(create.status == 0, "\(create.stderr)")
        let state = try bundle.runtime.state(id: bundle.id)
        #expect(state.status == .created)
        #expect(try FileSystem.readString(pidFile) == String(state.pid))

        let quiet = try runc(global + ["list", "-q"], in: bundle)
        #expect(quiet.stdout == "\(bundle.id)\n", "\(quiet.stderr)")
        let listed = try JSONNode.parse(Array(try runc(global + ["list", "--format", "json"], in: bundle).stdout.utf8), what: "list")
        guard case .array(let items) = listed, let first = items.first else { Issue.record("list --format json: \(listed)"); return }
        #expect(items.count == 1)
        #expect(Self.field(first, "id") == .string(bundle.id))
        #expect(Self.field(first, "status") == .string("created"))
        #expect(Self.field(first, "pid") == .number(String(state.pid)))
        #expect(Self.field(first, "owner") == .string("root"))
        let table = try runc(global + ["list"], in: bundle).stdout.split(separator: "\n")
        #expect(table.count == 2 && table[0].hasPrefix("ID") && table[1].hasPrefix(Substring(bundle.id)), "\(table)")

        #expect(try runc(global + ["start", bundle.id], in: bundle).status == 0)
        #expect(try runc(global + ["ps", "--format", "json", bundle.id], in: bundle).stdout == "[\(state.pid)]\n")
        let ps = try runc(global + ["ps", bundle.id], in: bundle)
        #expect(ps.status == 0, "\(ps.stderr)")
        let psLines = ps.stdout.split(separator: "\n")
        #expect(psLines.count == 2 && psLines[0].contains("PID") && psLines[1].contains("sleep 30"), "\(ps.stdout)")

        // exec -d --pid-file (the shim's exec): the pid is the process's own, not a reaper's.
        let execPidFile = "\(bundle.directory)/exec.pid"
        let exec = try runc(global + ["exec", "-d", "--pid-file", execPidFile, bundle.id, "sleep", "51"], in: bundle)
        #expect(exec.status == 0, "\(exec.stderr)")
        let execPid = try FileSystem.readString(execPidFile)
        #expect(try FileSystem.readString("/proc/\(execPid)/cmdline") == "sleep\u{0}51\u{0}")

        // Paused shows in state and list, as runc's; delete --force thaws and kills it.
        #expect(try runc(global + ["pause", bundle.id], in: bundle).status == 0)
        #expect(try bundle.runtime.state(id: bundle.id).status == .paused)
        let paused = try runc(global + ["state", bundle.id], in: bundle).stdout
        #expect(try ContainerState(jsonBytes: Array(paused.utf8), what: "state").status == .paused, "\(paused)")

        // delete --force of a paused (or running) container kills it, and leaves nothing behind.
        let delete = try runc(global + ["delete", "--force", bundle.id], in: bundle)
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(!ProcessStat.isAlive(state.pid, startTime: state.pidStartTime))
        #expect(!FileSystem.exists("\(bundle.runtime.root)/\(bundle.id)"))
        #expect(!FileSystem.exists("/sys/fs/cgroup/memory\(bundle.cgroupsPath)"))
        #expect(try runc(global + ["list", "-q"], in: bundle).stdout == "")
        #expect(try runc(global + ["list", "--format", "json"], in: bundle).stdout == "[]\n")
        #expect(BusyboxBundle.hostMounts(mentioning: bundle.directory).isEmpty)
        // No error happened, so nothing was logged.
        #expect(((try? FileSystem.readString(log)) ?? "") == "")
    }

    @Test func errorsGoToTheLogAsJSONLines() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        let log = "\(bundle.directory)/log.json"
        let result = try runc(["--root", bundle.runtime.root, "--log", log, "--log-format", "json", "state", "nosuch"], in: bundle)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such container: nosuch"))
        let lines = try FileSystem.readString(log).split(separator: "\n")
        #expect(lines.count == 1)
        let entry = try JSONNode.parse(Array((lines.first ?? "").utf8), what: "log line")
        #expect(Self.field(entry, "level") == .string("error"))
        #expect(Self.field(entry, "msg") == .string("no such container: nosuch"))
        guard case .string(let time)? = Self.field(entry, "time") else { Issue.record("no time in \(entry)"); return }
        #expect(Time.parseRFC3339(time) != nil, "\(time)")

        // Text format (logrus's), and --debug logs the command itself.
        let textLog = "\(bundle.directory)/log.txt"
        _ = try runc(["--root", bundle.runtime.root, "--log", textLog, "--debug", "state", "nosuch"], in: bundle)
        let text = try FileSystem.readString(textLog)
        #expect(text.contains("level=debug msg=\"lighter runtime --root"), "\(text)")
        #expect(text.contains("level=error msg=\"no such container: nosuch\""), "\(text)")

        // Usage errors are logged too; delete --force of a container that is gone succeeds, as runc's.
        let usageLog = "\(bundle.directory)/usage.json"
        let usage = try runc(["--root", bundle.runtime.root, "--log", usageLog, "--log-format", "json", "exec", "--bogus", "x"], in: bundle)
        #expect(usage.status != 0)
        #expect(try FileSystem.readString(usageLog).contains("\"level\":\"error\""), "\(usage.stderr)")
        #expect(try runc(["--root", bundle.runtime.root, "delete", "--force", "nosuch"], in: bundle).status == 0)
        #expect(try runc(["--root", bundle.runtime.root, "delete", "nosuch"], in: bundle).status == 1)

        let systemd = try runc(["--root", bundle.runtime.root, "--systemd-cgroup", "list"], in: bundle)
        #expect(systemd.status == 125 && systemd.stderr.contains("--systemd-cgroup is not available"), "\(systemd.stderr)")
        let format = try runc(["--log-format", "xml", "list"], in: bundle)
        #expect(format.status != 0 && format.stderr.contains("--log-format xml"), "\(format.stderr)")
    }

    @Test func killAllSignalsEveryProcessOfTheContainer() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "sleep 100 & sleep 100 & wait"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let root = ["--root", bundle.runtime.root]
        #expect(try runc(root + ["run", "--help"], in: bundle).status == 0)
        #expect(try runc(root + ["create", "-b", bundle.directory, bundle.id], in: bundle).status == 0)
        #expect(try runc(root + ["start", bundle.id], in: bundle).status == 0)
        var pids: [Int32] = []
        for _ in 0..<500 where pids.count < 3 {
            pids = try bundle.runtime.processes(id: bundle.id)
            if pids.count < 3 { usleep(10_000) }
        }
        #expect(pids.count == 3)
        let kill = try runc(root + ["kill", "--all", bundle.id, "KILL"], in: bundle)
        #expect(kill.status == 0, "\(kill.stderr)")
        var stopped = false
        for _ in 0..<500 where !stopped {
            stopped = try bundle.runtime.state(id: bundle.id).status == .stopped && bundle.runtime.processes(id: bundle.id).isEmpty
            if !stopped { usleep(10_000) }
        }
        #expect(stopped)
        #expect(try runc(root + ["delete", bundle.id], in: bundle).status == 0)
    }

    @Test func runWritesThePidFile() throws {
        let bundle = try BusyboxBundle(args: ["sh", "-c", "echo $$"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let pidFile = "\(bundle.directory)/run.pid"
        let result = try runc(["--root", bundle.runtime.root, "run", "--pid-file", pidFile, "-b", bundle.directory, bundle.id], in: bundle)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1\n")
        #expect(Int32(try FileSystem.readString(pidFile)).map { $0 > 1 } == true)
    }

    @Test func featuresDescribeTheRuntime() throws {
        let bundle = try BusyboxBundle(args: ["true"])
        defer { bundle.cleanUp() }
        let result = try runc(["features"], in: bundle)
        #expect(result.status == 0, "\(result.stderr)")
        let features = try JSONNode.parse(Array(result.stdout.utf8), what: "features")
        #expect(Self.field(features, "ociVersionMin") == .string("1.0.0"))
        #expect(Self.field(features, "ociVersionMax") == .string("1.2.0"))
        #expect(Self.strings(Self.field(features, "hooks")).count == 6)
        #expect(Self.strings(Self.field(features, "mountOptions")).contains("rbind"))
        let linux = Self.field(features, "linux") ?? .null
        #expect(Set(Self.strings(Self.field(linux, "namespaces"))) == ["cgroup", "ipc", "mount", "network", "pid", "user", "uts"])
        #expect(Self.strings(Self.field(linux, "capabilities")).contains("CAP_SYS_ADMIN"))
        #expect(Self.field(Self.field(linux, "cgroup") ?? .null, "systemd") == .bool(false))
        let version = try runc(["--version"], in: bundle)
        #expect(version.status == 0 && version.stdout.contains("spec: 1.2.0"), "\(version.stdout)")
        // `lighter runtime` takes the global options before the subcommand as well.
        let out = "\(bundle.directory)/cli-stdout"
        let status = Run.wait(Run.spawn([BusyboxBundle.lighterBinary, "runtime", "--root", bundle.runtime.root, "list", "-q"],
                                        stdout: out, stderr: "\(bundle.directory)/cli-stderr"))
        #expect(status == 0)
    }

    @Test(arguments: ["1.0.0", "1.0.2-dev", "1.1.0", "1.2.0", "1.2.1"])
    func supportedSpecVersionsAreAccepted(version: String) throws {
        var spec = RuntimeSpec.dockerDefault(args: ["true"], rootfs: "rootfs", hostname: "box")
        spec.ociVersion = version
        try spec.validate()
    }

    @Test(arguments: ["0.9.0", "1.3.0", "2.0.0", "1.0", "one"])
    func otherSpecVersionsAreRefusedByName(version: String) throws {
        var spec = RuntimeSpec.dockerDefault(args: ["true"], rootfs: "rootfs", hostname: "box")
        spec.ociVersion = version
        #expect(throws: LighterError.self) { try spec.validate() }
        do { try spec.validate() } catch { #expect(error.description.contains(version), "\(error)") }
    }

    @Test func updateEventsAndCheckpointRefusal() throws {
        let bundle = try BusyboxBundle(args: ["sleep", "30"])
        defer { bundle.cleanUp() }
        try bundle.writeSpec()
        let root = ["--root", bundle.runtime.root]
        #expect(try runc(root + ["create", "-b", bundle.directory, bundle.id], in: bundle).status == 0)
        #expect(try runc(root + ["start", bundle.id], in: bundle).status == 0)

        // Flags, a resources file, and the resources JSON on stdin (containerd's shim: update -r -, every
        // field given, zeros meaning "unchanged" as Docker sends them).
        let flags = try runc(root + ["update", "--memory", "32m", "--pids-limit", "20", bundle.id], in: bundle)
        #expect(flags.status == 0, "\(flags.stderr)")
        #expect(try bundle.runtime.stats(id: bundle.id).memoryLimit == 32 << 20)
        let file = "\(bundle.directory)/resources.json"
        try FileSystem.writeDurably(Array(#"{"memory":{"limit":50331648}}"#.utf8), to: file)
        #expect(try runc(root + ["update", "-r", file, bundle.id], in: bundle).status == 0)
        #expect(try bundle.runtime.stats(id: bundle.id).memoryLimit == 48 << 20)
        let stdin = Run.capture([try runcLink(in: bundle)] + root + ["update", "-r", "-", bundle.id], stdin: #"{"memory":{"limit":67108864,"reservation":0,"swap":0,"kernel":0,"kernelTCP":0},"cpu":{"shares":0,"quota":0,"cpus":""},"pids":{"limit":0},"blockIO":{"weight":0}}"#)
        #expect(stdin.status == 0, "\(stdin.stderr)")
        #expect(try bundle.runtime.stats(id: bundle.id).memoryLimit == 64 << 20)
        try FileSystem.writeDurably(Array(#"{"devices":[{"allow":false,"access":"rwm"}]}"#.utf8), to: file)
        let devices = try runc(root + ["update", "-r", file, bundle.id], in: bundle)
        #expect(devices.status == 125 && devices.stderr.contains("linux.resources.devices"), "\(devices.stderr)")
        let kernel = try runc(root + ["update", "--kernel-memory", "10m", bundle.id], in: bundle)
        #expect(kernel.status == 125 && kernel.stderr.contains("--kernel-memory"), "\(kernel.stderr)")

        // events --stats: one line in runc's shape.
        let events = try runc(root + ["events", "--stats", bundle.id], in: bundle)
        #expect(events.status == 0, "\(events.stderr)")
        let event = try JSONNode.parse(Array(events.stdout.utf8), what: "events")
        #expect(Self.field(event, "type") == .string("stats"))
        #expect(Self.field(event, "id") == .string(bundle.id))
        let memory = Self.field(Self.field(Self.field(event, "data") ?? .null, "memory") ?? .null, "usage") ?? .null
        #expect(Self.field(memory, "limit") == .number(String(64 << 20)), "\(events.stdout)")
        // Streaming events end when the container stops.
        let out = "\(bundle.directory)/events-stream", err = "\(bundle.directory)/events-err"
        let stream = Run.spawn(["timeout", "20", try runcLink(in: bundle)] + root + ["events", "--interval", "100ms", bundle.id], stdout: out, stderr: err)
        usleep(300_000)
        #expect(try runc(root + ["kill", bundle.id, "KILL"], in: bundle).status == 0)
        #expect(Run.wait(stream) == 0)
        #expect(try FileSystem.readString(out).split(separator: "\n").count >= 1)
        let badInterval = try runc(root + ["events", "--interval", "soon", bundle.id], in: bundle)
        #expect(badInterval.status == 125 && badInterval.stderr.contains("--interval soon"), "\(badInterval.stderr)")

        for command in ["checkpoint", "restore"] {
            let refused = try runc(root + [command, "--image-path", "/tmp/x", bundle.id], in: bundle)
            #expect(refused.status == 125 && refused.stderr.contains("\(command) is not available"), "\(refused.stderr)")
        }
        #expect(try runc(root + ["delete", "--force", bundle.id], in: bundle).status == 0)
    }

    @Test func sessionKeyringAndRefusedSetUpFlags() throws {
        let bundle = try BusyboxBundle(args: ["cat", "/proc/keys"])
        defer { bundle.cleanUp() }
        bundle.spec.linux?.maskedPaths = []   // Docker's default hides /proc/keys
        try bundle.writeSpec()
        let root = ["--root", bundle.runtime.root]
        // --no-new-keyring keeps the caller's keyring; without it the container gets one of its own, named as
        // runc names it. The shared run goes first: a finished container's keyring stays visible in /proc/keys
        // until the kernel's key collector gets to it, so a later run would still see the earlier one.
        let shared = try runc(root + ["run", "--no-new-keyring", "-b", bundle.directory, bundle.id], in: bundle)
        #expect(shared.status == 0, "\(shared.stderr)")
        #expect(!shared.stdout.contains("_ses.\(bundle.id)"), "\(shared.stdout)")
        let own = try runc(root + ["run", "-b", bundle.directory, bundle.id], in: bundle)
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout.contains("_ses.\(bundle.id)"), "\(own.stdout)")

        // (--no-pivot and --preserve-fds work now: RuntimeMountNamespaceTests, RuntimePreserveFdsTests.)
        for (flags, words) in [(["--preserve-fds=-1"], "give a number of descriptors from 0 to 1024"),
                               (["--console-socket", "\(bundle.directory)/console.sock"], "process.terminal is not set")] {
            let refused = try runc(root + ["create"] + flags + ["-b", bundle.directory, bundle.id], in: bundle)
            #expect(refused.status == 125 && refused.stderr.contains(words), "\(flags): \(refused.stderr)")
            #expect(!FileSystem.exists("\(bundle.runtime.root)/\(bundle.id)"), "\(flags) left the container")
        }
    }
}
