import LighterSystem

extension Runtime {
    /// What this runtime supports, in the shape of runc 1.1's `runc features` (the OCI runtime-spec
    /// features document): spec versions, hooks, mount options, namespaces, capabilities, cgroup
    /// drivers and seccomp.
    public static func features() -> JSONNode {
        let hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
        let namespaces = NamespaceKind.flags.keys.sorted()
        let seccompActions = ["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                              "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"]
        let operators = ["SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"]
        let archs = ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"]
        let seccomp = JSONNode.object(["enabled": true, "actions": seccompActions, "operators": operators, "archs": archs,
                                       "knownFlags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]])
        let cgroup = JSONNode.object(["v1": true, "v2": true, "systemd": false, "systemdUser": false])
        let linux = JSONNode.object(["namespaces": namespaces, "capabilities": Capability.names, "cgroup": cgroup, "seccomp": seccomp,
                                     "apparmor": JSONNode.object(["enabled": false]), "selinux": JSONNode.object(["enabled": false])])
        return .object(["ociVersionMin": RuntimeSpec.supportedVersions.min, "ociVersionMax": RuntimeSpec.supportedVersions.max,
                        "hooks": hooks, "mountOptions": MountOptions.knownNames, "linux": linux])
    }
}
