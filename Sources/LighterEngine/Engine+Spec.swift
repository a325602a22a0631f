#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterOCI
import LighterRuntime
import LighterSystem

extension Engine {
    /// The OCI runtime spec for a container, Docker's defaults plus what `run` asked for.
    /// Called after the root filesystem is mounted (the user is looked up in its /etc/passwd).
    func runtimeSpec(for record: ContainerRecord) throws(LighterError) -> RuntimeSpec {
        let spec = record.spec
        let image = try images.config(of: spec.imageID).config ?? LighterOCI.ContainerConfig()
        // `--network container:ID`: its network namespace, and its hostname, hosts and resolv.conf (as Docker).
        let donor = try networkDonor(of: record)
        let hostname = donor.map { $0.spec.hostname ?? String($0.id.prefix(12)) } ?? spec.hostname ?? String(record.id.prefix(12))
        var runtimeSpec = RuntimeSpec.dockerDefault(args: [record.path] + record.args, rootfs: rootfsPath(record.id),
                                                    hostname: hostname, env: [], cgroupsPath: "\(record.spec.cgroupParent)/\(record.id)")
        guard var process = runtimeSpec.process, var linux = runtimeSpec.linux else { return runtimeSpec }

        process.env = Engine.environment(image: image.Env ?? [], overrides: try linkEnvironment(record) + spec.env,
                                          hostname: hostname, tty: spec.tty)
        process.cwd = spec.workingDir ?? (image.WorkingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/")
        let users = UserResolver(rootfs: rootfsPath(record.id))
        process.user = try users.resolve(spec.user ?? image.User ?? "")
        process.env = users.environment(process.env ?? [], user: process.user)
        process.terminal = spec.tty ? true : nil
        if spec.tty, let size = spec.consoleSize, size.count == 2 {
            process.consoleSize = RuntimeSpec.ConsoleSize(height: UInt16(clamping: size[0]), width: UInt16(clamping: size[1]))
        }
        process.noNewPrivileges = spec.noNewPrivileges
        if !spec.ulimits.isEmpty {
            process.rlimits = spec.ulimits.map { RuntimeSpec.Rlimit(type: "RLIMIT_\($0.name.uppercased())", hard: $0.hard, soft: $0.soft) }
        }
        let capabilities = try Engine.capabilities(add: spec.capAdd, drop: spec.capDrop, privileged: spec.privileged)
        process.capabilities = RuntimeSpec.Capabilities(bounding: capabilities, effective: capabilities, permitted: capabilities)

        var mounts = runtimeSpec.mounts ?? []
        let nameFiles = directory(donor?.id ?? record.id)
        for file in ["hostname", "hosts", "resolv.conf"] {
            mounts.append(RuntimeSpec.Mount(destination: "/etc/\(file)", type: "bind", source: "\(nameFiles)/\(file)", options: ["rbind", "rprivate"]))
        }
        if spec.initProcess {
            guard StaticExecutable.check(executable) else {
                throw .unsupported(feature: "--init with \(executable)", fix: "--init mounts the lighter binary into the container, so it must be the static build (scripts/build-release.sh)")
            }
            mounts.append(RuntimeSpec.Mount(destination: ContainerReaper.path, type: "bind", source: executable, options: ["bind", "ro", "nosuid", "nodev"]))
            process.args = [ContainerReaper.path, "--"] + process.args
        }
        for bind in spec.binds {
            mounts.append(RuntimeSpec.Mount(destination: bind.destination, type: "bind", source: bind.source,
                                            options: ["rbind", "rprivate"] + (bind.readOnly ? ["ro"] : [])))
        }
        for (path, options) in spec.tmpfs.sorted(by: { $0.key < $1.key }) {
            let extra = options.split(separator: ",").map(String.init).filter { !$0.isEmpty }
            mounts.append(RuntimeSpec.Mount(destination: path, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec"] + extra))
        }
        if spec.readOnly { runtimeSpec.root?.readonly = true }

        if spec.network == "host" {
            linux.namespaces = linux.namespaces?.filter { $0.type != "network" }
        } else if let donor {
            linux.namespaces = (linux.namespaces ?? []).filter { $0.type != "network" } + [RuntimeSpec.Namespace(type: "network", path: "/proc/\(donor.state.pid)/ns/net")]
        }
        if let remap = spec.userNamespace {
            linux.namespaces = (linux.namespaces ?? []) + [RuntimeSpec.Namespace(type: "user")]
            linux.uidMappings = [RuntimeSpec.IDMapping(containerID: 0, hostID: remap.uid, size: remap.size)]
            linux.gidMappings = [RuntimeSpec.IDMapping(containerID: 0, hostID: remap.gid, size: remap.size)]
        }
        if spec.privileged {
            linux.maskedPaths = []
            linux.readonlyPaths = []
            mounts = mounts.map { mount in
                var m = mount
                if m.destination == "/sys" { m.options = m.options?.filter { $0 != "ro" } }
                return m
            }
        }
        if !spec.resources.isEmpty {
            var resources = linux.resources ?? RuntimeSpec.Resources()
            let limits = spec.resources
            if limits.memory != nil || limits.memorySwap != nil {
                resources.memory = RuntimeSpec.Memory(limit: limits.memory, swap: limits.memorySwap)
            }
            if limits.cpuQuota != nil || limits.cpuShares != nil || limits.cpusetCpus != nil {
                resources.cpu = RuntimeSpec.CPU(shares: limits.cpuShares, quota: limits.cpuQuota, period: limits.cpuPeriod, cpus: limits.cpusetCpus)
            }
            if let pids = limits.pidsLimit { resources.pids = RuntimeSpec.Pids(limit: pids) }
            linux.resources = resources
        }
        if let profile = spec.seccompProfile, profile != "unconfined" {
            linux.seccomp = try RuntimeSpec.Seccomp(jsonBytes: Array(profile.utf8), what: "seccomp profile")
        } else if spec.seccompProfile == nil && !spec.privileged {
            // Docker's default profile, opened up for the capabilities the container holds.
            linux.seccomp = RuntimeSpec.dockerSeccompProfile(capabilities: capabilities)
        }
        runtimeSpec.process = process
        runtimeSpec.linux = linux
        runtimeSpec.mounts = mounts
        if !spec.kernel.isEmpty || Engine.cgroupV2 { try apply(spec.kernel, of: record, to: &runtimeSpec) }
        return runtimeSpec
    }

    /// This process's capability bounding set (CapBnd in /proc/self/status), read once per call site.
    static var boundingSet: UInt64 {
        guard let status = try? FileSystem.readString("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }) else { return UInt64.max }
        return UInt64(line.dropFirst("CapBnd:".count).trimmed, radix: 16) ?? UInt64.max
    }

    /// Image Env, then `-e` overrides by name; PATH and HOSTNAME as Docker sets them.
    static func environment(image: [String], overrides: [String], hostname: String, tty: Bool) -> [String] {
        var environment = EnvironmentList()
        environment.set("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        environment.set("HOSTNAME=\(hostname)")
        if tty { environment.set("TERM=xterm") }
        environment.set(contentsOf: image)
        environment.set(contentsOf: overrides)
        return environment.entries
    }

    /// Docker's default capability set with --cap-add/--cap-drop (ALL allowed in both); everything with --privileged.
    static func capabilities(add: [String], drop: [String], privileged: Bool) throws(LighterError) -> [String] {
        func normalize(_ name: String) throws(LighterError) -> String {
            let upper = name.uppercased()
            if upper == "ALL" { return upper }
            let full = upper.hasPrefix("CAP_") ? upper : "CAP_\(upper)"
            guard Capability.names.contains(full) else {
                throw .invalidArgument("unknown capability \"\(name)\"")
            }
            return full
        }
        // "All" means all that this process may hand out: root here may lack some (e.g. CAP_SYS_RESOURCE).
        let bounding = Engine.boundingSet
        let grantable = Capability.names.filter { name in
            guard let bit = try? Capability.number(of: name) else { return false }
            return bounding & (UInt64(1) << UInt64(bit)) != 0
        }
        if privileged { return grantable }
        var set = Capability.dockerDefault
        let drops = try drop.map(normalize)
        let adds = try add.map(normalize)
        if drops.contains("ALL") { set = [] }
        set.removeAll { drops.contains($0) }
        if adds.contains("ALL") { set = grantable } else {
            for cap in adds where !set.contains(cap) { set.append(cap) }
        }
        return set
    }
}

extension Engine {
    /// The running container whose network namespace `--network container:ID` joins; nil for other modes.
    func networkDonor(of record: ContainerRecord) throws(LighterError) -> ContainerRecord? {
        guard record.spec.network.hasPrefix("container:") else { return nil }
        let name = String(record.spec.network.dropFirst(10))
        let donor = try inspect(try resolve(name))
        guard isRunning(donor), donor.state.pid > 0 else {
            throw .conflict("cannot join the network of container \(donor.name): it is not running")
        }
        return donor
    }
}
