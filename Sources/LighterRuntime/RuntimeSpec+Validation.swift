import LighterSystem

extension RuntimeSpec {
    /// Reject what the runtime cannot honour, naming the field.
    public func validate() throws(LighterError) {
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
            if namespace.path != nil && (namespace.type == "mount" || namespace.type == "user") {
                throw .unsupported(feature: "joining an existing \(namespace.type) namespace",
                                   fix: "remove linux.namespaces[\(namespace.type)].path")
            }
        }
        let newNamespaces = Set((linux?.namespaces ?? []).filter { $0.path == nil }.map(\.type))
        guard newNamespaces.contains("mount") else {
            throw .unsupported(feature: "a container without its own mount namespace",
                               fix: "add {\"type\": \"mount\"} to linux.namespaces")
        }
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
}
