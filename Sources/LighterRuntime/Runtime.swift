#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

/// Lighter's OCI runtime, called in-process by the engine and by `lighter runtime …`.
///
/// The calling process may be multi-threaded: the runtime never forks it. `create` clones a child straight
/// into `execve(initExecutable, ["lighter", "__init", fd])`, and that fresh single-threaded process
/// (`ContainerInit`) sets the container up and execs the container process.
public struct Runtime: Sendable {
    public static let defaultRoot = "/run/lighter/runtime"

    /// The state directory: <root>/<id>/state.json (and exec.fifo between create and start).
    public let root: String
    /// The lighter binary that handles `__init`; "/proc/self/exe" when the caller is lighter itself.
    public let initExecutable: String
    /// Containers keep the caller's session keyring instead of joining a new one of their own
    /// (runc's `--no-new-keyring`).
    public var noNewKeyring = false
    /// Enter the root with MS_MOVE and chroot instead of pivot_root (runc's `--no-pivot`, for a root
    /// file system pivot_root refuses, such as an initramfs). Weaker: the old root stays in the
    /// container's mount namespace, hidden under the new one, and a process with CAP_SYS_CHROOT can
    /// reach it.
    public var noPivot = false
    /// Descriptors of the caller passed to the container process after stdio, as runc passes them: first
    /// `listenFds` (systemd socket activation; the process gets LISTEN_FDS=N and LISTEN_PID=1), then
    /// `preserveFds` more (`--preserve-fds N`). They are the caller's 3, 4, … and must be open.
    public var listenFds: Int32 = 0
    public var preserveFds: Int32 = 0

    public init(root: String = Runtime.defaultRoot, initExecutable: String = "/proc/self/exe") {
        self.root = root
        self.initExecutable = initExecutable
    }

    /// The container's stdin/stdout/stderr: descriptors of the caller, dup'ed onto 0, 1, 2 of the init.
    public struct Stdio: Sendable, Equatable {
        public var input: Int32
        public var output: Int32
        public var error: Int32

        public init(input: Int32, output: Int32, error: Int32) {
            self.input = input
            self.output = output
            self.error = error
        }

        /// The caller's own 0, 1, 2.
        public static let inherit = Stdio(input: 0, output: 1, error: 2)
    }

    /// How the container's init ended.
    public struct ExitStatus: Sendable, Equatable {
        /// The exit code, or 128 + signal number when killed by a signal (Docker's convention).
        public var code: Int32
        /// The signal that killed it, if any.
        public var signal: Int32?
        /// True when the kernel's OOM killer killed a process of the container's cgroup.
        public var oomKilled: Bool

        public init(code: Int32, signal: Int32?, oomKilled: Bool) {
            self.code = code
            self.signal = signal
            self.oomKilled = oomKilled
        }

        /// Decode a waitpid(2) status.
        init(waitStatus: Int32, oomKilled: Bool) {
            let signal = waitStatus & 0x7f
            self.init(code: ContainerExitCode.of(waitStatus: waitStatus), signal: signal == 0 ? nil : signal, oomKilled: oomKilled)
        }
    }

    func directory(_ id: String) -> String { "\(root)/\(id)" }
    func statePath(_ id: String) -> String { "\(root)/\(id)/state.json" }
    func fifoPath(_ id: String) -> String { "\(root)/\(id)/exec.fifo" }

    static func validate(id: String) throws(LighterError) {
        let allowed = id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f || c == 0x2e
        }
        guard !id.isEmpty, id.utf8.count <= 1024, allowed, id != ".", id != ".." else {
            throw .invalidArgument("container id \"\(id)\": use letters, digits, '.', '_' and '-'")
        }
    }

    /// The stored state with its status refreshed from the live process (paused: its cgroup is frozen).
    public func state(id: String) throws(LighterError) -> ContainerState {
        try Self.validate(id: id)
        guard FileSystem.exists(statePath(id)) else { throw .notFound(kind: "container", name: id) }
        var state = try ContainerState(jsonBytes: try FileSystem.readFile(statePath(id)), what: "state of container \(id)")
        if !ProcessStat.isAlive(state.pid, startTime: state.pidStartTime) {
            state.status = .stopped
        } else if FileSystem.exists(fifoPath(id)) {
            state.status = .created
        } else {
            state.status = cgroup(of: state).isFrozen() ? .paused : .running
        }
        return state
    }

    func save(_ state: ContainerState) throws(LighterError) {
        try FileSystem.writeAtomically(state.jsonBytes(pretty: true), to: statePath(state.id), mode: 0o600)
    }

    /// The container's cgroup manager (v1 or v2 as the host mounts them).
    public func cgroup(of state: ContainerState) -> any CgroupManager {
        Cgroups.manager(path: state.cgroupsPath)
    }

    /// config.json decoded, and its bytes as read.
    static func loadSpec(bundle: String) throws(LighterError) -> (RuntimeSpec, [UInt8]) {
        let path = "\(bundle)/config.json"
        guard FileSystem.exists(path) else { throw .notFound(kind: "config.json in bundle", name: bundle) }
        let bytes = try FileSystem.readFile(path)
        return (try RuntimeSpec(jsonBytes: bytes, what: path), bytes)
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path == "." ? cwd : "\(cwd)/\(path)"
    }
}

extension Runtime {
    /// clone (into new `namespaces`: CLONE_NEW* flags) straight into `lighter COMMAND FD` — the init or
    /// the exec helper — with `stdio` as its 0/1/2 and `channel` kept open across the exec. Every
    /// string is prepared here: the child only calls async-signal-safe C before execve.
    /// The binary is exec'd through its read-only bind (`ProtectedExecutable`): these processes enter the
    /// container, where its processes may find them. With `dieWithParent` the child is SIGKILLed when
    /// the calling thread ends (PR_SET_PDEATHSIG): a container never outlives the process that waits for it.
    /// `pidNamespace`: an existing pid namespace the child is born in. setns(CLONE_NEWPID) changes only
    /// where this thread's children go, so this thread joins it for the clone and returns to its own
    /// active namespace (/proc/thread-self/ns/pid) at once; nothing else runs on this thread meanwhile.
    func spawnSelf(_ command: String, namespaces: Int32, stdio: Stdio, keeping channel: FileDescriptor,
                   dieWithParent: Bool = false, pidNamespace: String? = nil) throws(LighterError) -> Int32 {
        try spawnSelf(command, namespaces: namespaces, stdio: stdio, keeping: channel, dieWithParent: dieWithParent,
                      pidNamespace: pidNamespace, into: nil).pid
    }

    /// `into`: a cgroup v2 directory the child is born in (clone3 CLONE_INTO_CGROUP); where the kernel
    /// or a seccomp filter refuses clone3 or the flag, a plain clone (`bornInCgroup` false: move it).
    /// `passing`: descriptors 3 … 3+passing-1 of the caller stay open in the child.
    func spawnSelf(_ command: String, namespaces: Int32, stdio: Stdio, keeping channel: FileDescriptor,
                   dieWithParent: Bool, pidNamespace: String?, into cgroup: FileDescriptor?,
                   passing extraFds: Int32 = 0) throws(LighterError) -> (pid: Int32, bornInCgroup: Bool) {
        let executable = try ProtectedExecutable.path(of: initExecutable)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("lighter"), strdup(command), strdup(String(channel.rawValue)), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        defer { for pointer in argv { free(pointer) } }
        let stdioFds: [Int32] = [stdio.input, stdio.output, stdio.error]
        var own: FileDescriptor?
        if let pidNamespace {
            let pidFlag = NamespaceKind.flags["pid"]!
            own = try FileDescriptor(path: "/proc/thread-self/ns/pid", flags: O_RDONLY)
            let target = try FileDescriptor(path: pidNamespace, flags: O_RDONLY)
            try syscall("setns(pid)", pidNamespace) { lighter_setns(target.rawValue, pidFlag) }
        }
        defer {
            if let own { _ = lighter_setns(own.rawValue, NamespaceKind.flags["pid"]!) }
        }
        let deathSignal = dieWithParent ? SIGKILL : 0
        if let cgroup {
            var pid: Int32 = -1
            let refused = try syscallTolerating("clone3", executable, [ENOSYS, E2BIG, EINVAL]) { () -> Int32 in
                pid = lighter_clone3_exec_into_cgroup_passing(UInt(UInt32(bitPattern: namespaces)), cgroup.rawValue, executable,
                                                              argv, envp, stdioFds, channel.rawValue, deathSignal, extraFds)
                return pid
            }
            if refused == nil { return (pid, true) }
        }
        let pid = try syscall("clone", executable) {
            lighter_clone_exec_passing(UInt(UInt32(bitPattern: namespaces)), executable, argv, envp, stdioFds, channel.rawValue,
                                       deathSignal, extraFds)
        }
        return (pid, false)
    }
}
