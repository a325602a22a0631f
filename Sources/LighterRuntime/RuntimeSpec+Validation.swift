import LighterSystem

extension RuntimeSpec {
    /// Reject what the runtime cannot honour, naming the field.
    public func validate() throws(LighterError) {
        try Self.checkVersion(ociVersion)
        if let propagation = linux?.rootfsPropagation, MountOptions.propagationFlags(propagation) == nil {
            throw .invalidArgument("config.json: linux.rootfsPropagation \"\(propagation)\": use shared, slave, private or unbindable (r-prefixed for recursive)")
        }
        guard let process else { throw .invalidArgument("config.json: process is required") }
        guard let first = process.args.first, !first.isEmpty else {
            throw .invalidArgument("config.json: process.args must name a program")
        }
        guard process.cwd.hasPrefix("/") else {
            throw .invalidArgument("config.json: process.cwd \"\(process.cwd)\" must be absolute")
        }
        guard let root, !root.path.isEmpty else { throw .invalidArgument("config.json: root.path is required") }
        let caps = process.capabilities
        for set in [caps?.bounding, caps?.effective, caps?.permitted, caps?.inheritable, caps?.ambient] {
            _ = try Capability.mask(of: set)
        }
        for limit in process.rlimits ?? [] where ContainerInit.rlimitNumber(limit.type) == nil {
            throw .invalidArgument("config.json: unknown rlimit type \"\(limit.type)\"")
        }
        var seen = Set<String>()
        for namespace in linux?.namespaces ?? [] {
            guard NamespaceKind.flags[namespace.type] != nil else {
                throw .unsupported(feature: "namespace type \"\(namespace.type)\"",
                                   fix: "use pid, network, mount, ipc, uts, user or cgroup")
            }
            guard seen.insert(namespace.type).inserted else {
                throw .invalidArgument("config.json: namespace \"\(namespace.type)\" is listed twice")
            }
            if namespace.path != nil && namespace.type == "user" {
                throw .unsupported(feature: "joining an existing \(namespace.type) namespace",
                                   fix: "remove linux.namespaces[\(namespace.type)].path")
            }
        }
        let newNamespaces = Set((linux?.namespaces ?? []).filter { $0.path == nil }.map(\.type))
        if !hasMountNamespace { try validateWithoutMountNamespace(userNamespace: seen.contains("user")) }
        if hostname != nil && !seen.contains("uts") {
            throw .invalidArgument("config.json: hostname needs a uts namespace")
        }
        if domainname != nil && !seen.contains("uts") {
            throw .invalidArgument("config.json: domainname needs a uts namespace")
        }
        let mappings = (linux?.uidMappings ?? []) + (linux?.gidMappings ?? [])
        if !mappings.isEmpty && !newNamespaces.contains("user") {
            throw .invalidArgument("config.json: uidMappings/gidMappings need a new user namespace")
        }
        if newNamespaces.contains("user") && ((linux?.uidMappings ?? []).isEmpty || (linux?.gidMappings ?? []).isEmpty) {
            throw .invalidArgument("config.json: a user namespace needs uidMappings and gidMappings")
        }
        for mount in mounts ?? [] where !mount.destination.hasPrefix("/") {
            throw .invalidArgument("config.json: mount destination \"\(mount.destination)\" must be absolute")
        }
        if let seccomp = linux?.seccomp {
            _ = try SeccompFilter.action(seccomp.defaultAction, errno: seccomp.defaultErrnoRet)
            for rule in seccomp.syscalls ?? [] { _ = try SeccompFilter.action(rule.action, errno: rule.errnoRet) }
        }
    }

    /// The container has a mount namespace of its own making or joins one by path: its mounts and
    /// pivot_root happen there. Without one it runs in the caller's mount namespace, chrooted.
    var hasMountNamespace: Bool { linux?.namespaces?.contains { $0.type == "mount" } ?? false }

    /// Without a mount namespace every mount would be made in the caller's namespace and stay there
    /// (runc and crun make them and leave them behind; runc also turns the host's "/" rslave): what
    /// needs a mount is refused, naming the field.
    private func validateWithoutMountNamespace(userNamespace: Bool) throws(LighterError) {
        let fix = "add {\"type\": \"mount\"} to linux.namespaces, or remove the field"
        if let first = mounts?.first {
            throw .unsupported(feature: "mounts (\(first.destination)) without a mount namespace: they would be mounted in the caller's namespace and left there", fix: fix)
        }
        if !(linux?.maskedPaths ?? []).isEmpty || !(linux?.readonlyPaths ?? []).isEmpty {
            throw .unsupported(feature: "linux.maskedPaths/readonlyPaths without a mount namespace (they are mounts)", fix: fix)
        }
        if root?.readonly == true {
            throw .unsupported(feature: "root.readonly without a mount namespace (it would remount the caller's file system read-only)", fix: fix)
        }
        if let propagation = linux?.rootfsPropagation {
            throw .unsupported(feature: "linux.rootfsPropagation \"\(propagation)\" without a mount namespace", fix: fix)
        }
        if userNamespace && !(linux?.devices ?? []).isEmpty {
            throw .unsupported(feature: "linux.devices in a user namespace without a mount namespace (each device is a bind mount there)", fix: fix)
        }
    }

    /// The spec versions Lighter reads: 1.0.x, 1.1.x and 1.2.x (a pre-release suffix such as
    /// "1.0.2-dev", which containerd writes, included).
    public static let supportedVersions = (min: "1.0.0", max: "1.2.0")

    static func checkVersion(_ version: String) throws(LighterError) {
        let core = version.prefix { $0 != "-" && $0 != "+" }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            throw .invalidArgument("config.json: ociVersion \"\(version)\" is not a version (expected MAJOR.MINOR.PATCH, such as 1.0.2)")
        }
        guard parts[0] == "1", ["0", "1", "2"].contains(parts[1]) else {
            throw .unsupported(feature: "OCI runtime spec version \(version)",
                               fix: "Lighter runs config.json of spec versions 1.0.x to 1.2.x; write one of those in ociVersion")
        }
    }
}
