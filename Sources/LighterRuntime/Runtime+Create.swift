#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem

extension Runtime {
    /// What `create` hands back.
    public struct Created: Sendable {
        public var state: ContainerState
        /// With `process.terminal`: the pseudo-terminal master (the container's stdio is the slave).
        public var terminal: FileDescriptor?
    }

    /// Create the container from `bundle`/config.json: namespaces, cgroups, mounts, everything up to
    /// the exec. The container process starts on `start(id:)`.
    @discardableResult
    public func create(id: String, bundle: String, stdio: Stdio = .inherit) throws(LighterError) -> Created {
        try create(id: id, bundle: bundle, stdio: stdio, waitForStart: true)
    }

    /// `given`: the spec the caller already holds, so that config.json is neither read nor decoded.
    /// `meanwhile`: the caller's own work, run while the init sets itself up (after it got its spec,
    /// before its report is awaited); an error there stops the container.
    func create(id: String, bundle: String, stdio: Stdio, waitForStart: Bool,
                spec given: RuntimeSpec? = nil, meanwhile: (() throws(LighterError) -> Void)? = nil) throws(LighterError) -> Created {
        try Self.validate(id: id)
        let bundle = Self.absolute(bundle)
        // config.json's bytes, when it was read: sent to the init as they are.
        let (spec, specBytes): (RuntimeSpec, [UInt8]?)
        if let given { (spec, specBytes) = (given, nil) } else { (spec, specBytes) = try Self.loadSpec(bundle: bundle) }
        try spec.validate()
        let rootPath = spec.root!.path
        let rootfs = rootPath.hasPrefix("/") ? rootPath : "\(bundle)/\(rootPath)"
        // A root in a mount namespace the container joins is looked up there, by the init.
        let joinsMountNamespace = spec.linux?.namespaces?.contains { $0.type == "mount" && $0.path != nil } ?? false
        guard joinsMountNamespace || FileSystem.isDirectory(rootfs) else { throw .notFound(kind: "root filesystem directory", name: rootfs) }
        let passedFds = try checkPassedDescriptors()

        try FileSystem.makeDirectories(root, mode: 0o711)
        let dir = directory(id)
        if try syscallTolerating("mkdir", dir, [EEXIST], { mkdir(dir, 0o711) }) != nil {
            throw .conflict("container \(id) already exists")
        }
        let cgroupsPath = spec.linux?.cgroupsPath ?? "/lighter/\(id)"
        let cgroup = Cgroups.manager(path: cgroupsPath)
        var pid: Int32 = 0
        do {
            if waitForStart {
                let fifo = fifoPath(id)
                try syscall("mkfifo", fifo) { mkfifo(fifo, 0o622) }
                // Not narrowed by the umask: the init may be the root of a user namespace (another host uid).
                try syscall("chmod", fifo) { chmod(fifo, 0o622) }
            }
            let config = InitConfig(rootfs: rootfs, bundle: bundle, execFifo: waitForStart ? fifoPath(id) : nil, cgroupMountSources: [:],
                                    terminalSize: spec.process?.consoleSize.map { TerminalSize(rows: $0.height, columns: $0.width) }
                                        ?? TerminalSize(of: stdio.input),
                                    sessionKeyring: noNewKeyring ? nil : "_ses.\(id)",
                                    noPivot: noPivot ? true : nil, passedFds: passedFds > 0 ? passedFds : nil,
                                    listenFds: listenFds > 0 ? listenFds : nil)
            let terminal: FileDescriptor?
            (pid, terminal) = try spawnInit(config, spec: spec, specBytes: specBytes, stdio: stdio, meanwhile: meanwhile, cgroup: cgroup, id: id)
            var state = ContainerState(
                ociVersion: spec.ociVersion, id: id, status: waitForStart ? .created : .running, pid: pid,
                bundle: bundle, rootfs: rootfs, created: Time.nowRFC3339(), annotations: spec.annotations,
                pidStartTime: ProcessStat.stat(pid)?.startTime ?? 0, cgroupsPath: cgroupsPath)
            if let hooks = spec.hooks, hooks.poststart != nil || hooks.poststop != nil {
                state.hooks = RuntimeSpec.Hooks(poststart: hooks.poststart, poststop: hooks.poststop)
            }
            try save(state)
            return Created(state: state, terminal: terminal)
        } catch {
            if pid > 0 {
                _ = POSIX.kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = waitpid(pid, &status, 0)
            }
            try? cgroup.destroy()
            try? FileSystem.removeTree(dir)
            throw error
        }
    }

    /// clone straight into `lighter __init`, create the cgroups and place it (uid/gid maps, cgroups),
    /// hand it the config and wait for its report. Returns the init's pid (host pid namespace).
    private func spawnInit(_ config: InitConfig, spec: RuntimeSpec, specBytes: [UInt8]?, stdio: Stdio, meanwhile: (() throws(LighterError) -> Void)?,
                           cgroup: any CgroupManager, id: String) throws(LighterError) -> (Int32, FileDescriptor?) {
        let (parentEnd, childEnd) = try InitChannel.socketPair()
        let namespaces = spec.linux?.namespaces ?? []
        var flags: Int32 = 0
        for namespace in namespaces where namespace.path == nil && namespace.type != "cgroup" {
            flags |= NamespaceKind.flags[namespace.type] ?? 0
        }
        // The seccomp filter is compiled (or taken from the cache) here, and the init gets the BPF and
        // a spec without the profile: it neither decodes ~370 rules nor hashes them again.
        let seccomp = try spec.linux?.seccomp.map { (profile) throws(LighterError) in try SeccompFilter.prepare(profile) }
        let initSpecBytes: [UInt8]
        if seccomp != nil {
            var stripped = spec
            stripped.linux?.seccomp = nil
            initSpecBytes = stripped.jsonBytes()
        } else if let specBytes {
            initSpecBytes = specBytes
        } else {
            initSpecBytes = spec.jsonBytes()
        }
        // cgroup v2: the cgroup is made first and the init is born in it (clone3 CLONE_INTO_CGROUP), so
        // nothing of the container ever runs outside it and no move through cgroup.procs waits for an
        // RCU grace period. Where clone3 is refused (kernels before 5.7, seccomp), the move as on v1.
        // Without the exec fifo (launch, run) the caller waits for the container: it dies with the caller.
        var directory: FileDescriptor?
        if let unified = cgroup as? CgroupV2 {
            try cgroup.create(resources: spec.linux?.resources)
            directory = try FileDescriptor(path: unified.directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        let (pid, bornInCgroup) = try spawnSelf(ContainerInit.command, namespaces: flags, stdio: stdio, keeping: childEnd,
                                                dieWithParent: config.execFifo == nil,
                                                pidNamespace: namespaces.first { $0.type == "pid" }?.path, into: directory,
                                                passing: config.passedFds ?? 0)
        try directory?.close()
        try childEnd.close()
        do throws(LighterError) {
            // v1: the cgroups are made while the child execs and loads lighter (on another CPU, if any):
            // it waits for the config before doing anything.
            if !(cgroup is CgroupV2) { try cgroup.create(resources: spec.linux?.resources) }
            var config = config
            config.cgroupMountSources = cgroup.mountSources()
            config.seccompFlags = seccomp?.flags
            let hooks = spec.hooks
            let runtimeHooks = (hooks?.prestart ?? []) + (hooks?.createRuntime ?? [])
            let hookState = hooks == nil ? nil : HookRunner.state(ociVersion: spec.ociVersion, id: id, status: "creating", pid: pid,
                                                                  bundle: config.bundle, annotations: spec.annotations)
            config.hookState = hookState.map { String(decoding: $0, as: UTF8.self) }
            if !runtimeHooks.isEmpty { config.waitForHooks = true }
            // A single-threaded init outside any user namespace may move itself (cgroup v1 `tasks`):
            // no grace period to wait for. In a user namespace its root cannot write host files.
            if !namespaces.contains(where: { $0.type == "user" }) { config.cgroupJoinFiles = cgroup.selfJoinFiles() }
            if namespaces.contains(where: { $0.type == "user" && $0.path == nil }) {
                try writeIDMap(spec.linux?.uidMappings ?? [], to: "/proc/\(pid)/uid_map")
                try writeIDMap(spec.linux?.gidMappings ?? [], to: "/proc/\(pid)/gid_map")
                try parentEnd.write([0x31])   // maps written: the child may become root of its namespace
            }
            let channel = InitChannel(fd: parentEnd.rawValue)
            try channel.send(config)
            try channel.send(bytes: initSpecBytes)
            if let seccomp { try channel.send(bytes: seccomp.program) }
            if let hookState, !runtimeHooks.isEmpty {
                // prestart (deprecated) then createRuntime, in the runtime's namespaces, the container's made.
                try HookRunner.run(hooks?.prestart, phase: "prestart", state: hookState)
                try HookRunner.run(hooks?.createRuntime, phase: "createRuntime", state: hookState)
                try channel.send(bytes: InitChannel.hooksDone)
            }
            if config.cgroupJoinFiles == nil {
                // The init mounts its root while this waits for the move into the cgroups.
                do {
                    if !bornInCgroup { try cgroup.add(pid: pid) }
                } catch {
                    // The init may have failed first (and told why): its word beats ours.
                    _ = POSIX.kill(pid, SIGKILL)
                    if let report = try? channel.receive(InitReport.self), !report.created {
                        throw LighterError.containerStart(message: report.message ?? "container init failed", exitCode: report.exitCode ?? 125)
                    }
                    throw error
                }
                // A send to an init that already failed finds a closed socket: its report follows.
                try? channel.send(bytes: InitChannel.placed)
            }
            try meanwhile?()
            var terminal: FileDescriptor?
            var report: InitReport?
            while true {
                let received = try channel.receiveWithDescriptor(InitReport.self)
                report = received?.value
                guard let received, received.value.terminal == true else { break }
                terminal = received.descriptor
            }
            if let report, !report.created {
                throw LighterError.containerStart(message: report.message ?? "container init failed", exitCode: report.exitCode ?? 125)
            }
            if spec.process?.terminal == true && terminal == nil {
                throw LighterError.containerStart(message: "container init sent no terminal", exitCode: 125)
            }
            if report == nil && config.execFifo != nil {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG) == pid
                let detail = reaped ? " (status \(ExitStatus(waitStatus: status, oomKilled: false).code))" : ""
                throw LighterError.containerStart(message: "container init exited during set-up\(detail)", exitCode: 125)
            }
            return (pid, terminal)
        } catch {
            _ = POSIX.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            throw error
        }
    }

    /// `listenFds` + `preserveFds`, after checking that the caller holds each of 3, 4, … open, as runc
    /// checks them ("unable to stat preserved-fd"). A descriptor inherited across the caller's exec is
    /// never close-on-exec: one that is was opened by this process (a library's), not passed.
    private func checkPassedDescriptors() throws(LighterError) -> Int32 {
        guard listenFds >= 0, preserveFds >= 0 else {
            throw .invalidArgument("--preserve-fds \(preserveFds): the number of descriptors to pass cannot be negative")
        }
        let count = listenFds + preserveFds
        for fd in 3..<(3 + count) where fcntl(fd, F_GETFD) != 0 {
            let what = fd - 3 < listenFds ? "LISTEN_FDS=\(listenFds)" : "--preserve-fds \(preserveFds)"
            throw .invalidArgument("\(what): descriptor \(fd) is not open in the caller; pass descriptors 3 to \(2 + count) or lower the number")
        }
        return count
    }

    private func writeIDMap(_ mappings: [RuntimeSpec.IDMapping], to path: String) throws(LighterError) {
        guard !mappings.isEmpty else { return }
        let text = mappings.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
        let fd = try FileDescriptor(path: path, flags: O_WRONLY)
        try fd.write(text)
        try fd.close()
    }
}
