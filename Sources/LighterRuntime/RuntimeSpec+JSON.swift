import LighterSystem

// config.json field by field (see JSONConvertible: no Codable on the start path). Field names are
// the OCI runtime-spec's; nil fields are left out; unknown fields are ignored.

extension RuntimeSpec: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        try f.refuseUnknown(["ociVersion", "process", "root", "hostname", "domainname", "mounts", "linux", "annotations", "hooks",
                             "solaris", "windows", "vm", "zos"])
        try f.refuseSet(["solaris", "windows", "vm", "zos"], why: "Lighter runs Linux containers only")
        self.init(ociVersion: try f.required("ociVersion"), process: try f.optional("process"), root: try f.optional("root"),
                  hostname: try f.optional("hostname"), mounts: try f.optional("mounts"), linux: try f.optional("linux"),
                  annotations: try f.optional("annotations"), hooks: try f.optional("hooks"), domainname: try f.optional("domainname"))
    }

    public var json: JSONNode {
        .object(["ociVersion": ociVersion, "process": process, "root": root, "hostname": hostname, "mounts": mounts,
                 "linux": linux, "annotations": annotations, "hooks": hooks, "domainname": domainname])
    }
}

extension RuntimeSpec.Hooks: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(prestart: try f.optional("prestart"), createRuntime: try f.optional("createRuntime"),
                  createContainer: try f.optional("createContainer"), startContainer: try f.optional("startContainer"),
                  poststart: try f.optional("poststart"), poststop: try f.optional("poststop"))
    }

    public var json: JSONNode {
        .object(["prestart": prestart, "createRuntime": createRuntime, "createContainer": createContainer,
                 "startContainer": startContainer, "poststart": poststart, "poststop": poststop])
    }
}

extension RuntimeSpec.Hook: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(path: try f.required("path"), args: try f.optional("args"), env: try f.optional("env"), timeout: try f.optional("timeout"))
        guard self.path.hasPrefix("/") else { throw path.appending("path").badValue("a hook's path must be absolute, not \"\(self.path)\"") }
        if let timeout, timeout <= 0 { throw path.appending("timeout").badValue("must be greater than zero") }
    }

    public var json: JSONNode { .object(["path": path, "args": args, "env": env, "timeout": timeout]) }
}

extension RuntimeSpec.Process: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        try f.refuseUnknown(["terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities", "rlimits",
                             "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "selinuxLabel", "scheduler", "ioPriority", "execCPUAffinity"])
        try f.refuseSet(["apparmorProfile"], why: "Lighter cannot load AppArmor profiles; remove the field")
        try f.refuseSet(["selinuxLabel"], why: "Lighter cannot apply SELinux labels; remove the field")
        try f.refuseSet(["scheduler", "ioPriority", "execCPUAffinity", "commandLine"], why: "Lighter does not apply this setting yet; remove the field")
        self.init(user: try f.required("user"), args: try f.required("args"), env: try f.optional("env"), cwd: try f.required("cwd"),
                  capabilities: try f.optional("capabilities"), rlimits: try f.optional("rlimits"),
                  noNewPrivileges: try f.optional("noNewPrivileges"), oomScoreAdj: try f.optional("oomScoreAdj"),
                  terminal: try f.optional("terminal"), consoleSize: try f.optional("consoleSize"))
    }

    public var json: JSONNode {
        .object(["terminal": terminal, "user": user, "args": args, "env": env, "cwd": cwd, "capabilities": capabilities,
                 "rlimits": rlimits, "noNewPrivileges": noNewPrivileges, "oomScoreAdj": oomScoreAdj, "consoleSize": consoleSize])
    }
}

extension RuntimeSpec.ConsoleSize: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(height: try f.required("height"), width: try f.required("width"))
    }

    public var json: JSONNode { .object(["height": height, "width": width]) }
}

extension RuntimeSpec.User: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(uid: try f.required("uid"), gid: try f.required("gid"), additionalGids: try f.optional("additionalGids"),
                  umask: try f.optional("umask"))
    }

    public var json: JSONNode { .object(["uid": uid, "gid": gid, "additionalGids": additionalGids, "umask": umask]) }
}

extension RuntimeSpec.Capabilities: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(bounding: try f.optional("bounding"), effective: try f.optional("effective"), inheritable: try f.optional("inheritable"),
                  permitted: try f.optional("permitted"), ambient: try f.optional("ambient"))
    }

    public var json: JSONNode {
        .object(["bounding": bounding, "effective": effective, "inheritable": inheritable, "permitted": permitted, "ambient": ambient])
    }
}

extension RuntimeSpec.Rlimit: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(type: try f.required("type"), hard: try f.required("hard"), soft: try f.required("soft"))
    }

    public var json: JSONNode { .object(["type": type, "hard": hard, "soft": soft]) }
}

extension RuntimeSpec.Root: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(path: try f.required("path"), readonly: try f.optional("readonly"))
    }

    public var json: JSONNode { .object(["path": path, "readonly": readonly]) }
}

extension RuntimeSpec.Mount: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(destination: try f.required("destination"), type: try f.optional("type"), source: try f.optional("source"),
                  options: try f.optional("options"))
    }

    public var json: JSONNode { .object(["destination": destination, "type": type, "source": source, "options": options]) }
}

extension RuntimeSpec.Linux: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        try f.refuseUnknown(["namespaces", "uidMappings", "gidMappings", "timeOffsets", "devices", "netDevices", "cgroupsPath", "rootfsPropagation",
                             "seccomp", "sysctl", "resources", "intelRdt", "personality", "maskedPaths", "readonlyPaths", "mountLabel",
                             "memoryPolicy"])
        try f.refuseSet(["mountLabel"], why: "Lighter cannot apply SELinux labels; remove the field")
        try f.refuseSet(["timeOffsets", "netDevices", "intelRdt", "personality", "memoryPolicy"], why: "Lighter does not apply this setting yet; remove the field")
        self.init(namespaces: try f.optional("namespaces"), uidMappings: try f.optional("uidMappings"),
                  gidMappings: try f.optional("gidMappings"), resources: try f.optional("resources"),
                  cgroupsPath: try f.optional("cgroupsPath"), maskedPaths: try f.optional("maskedPaths"),
                  readonlyPaths: try f.optional("readonlyPaths"), seccomp: try f.optional("seccomp"), sysctl: try f.optional("sysctl"),
                  devices: try f.optional("devices"), rootfsPropagation: try f.optional("rootfsPropagation"))
    }

    public var json: JSONNode {
        .object(["namespaces": namespaces, "uidMappings": uidMappings, "gidMappings": gidMappings, "resources": resources,
                 "cgroupsPath": cgroupsPath, "maskedPaths": maskedPaths, "readonlyPaths": readonlyPaths, "seccomp": seccomp,
                 "sysctl": sysctl, "devices": devices, "rootfsPropagation": rootfsPropagation])
    }
}

extension RuntimeSpec.Namespace: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(type: try f.required("type"), path: try f.optional("path"))
    }

    public var json: JSONNode { .object(["type": type, "path": path]) }
}

extension RuntimeSpec.IDMapping: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(containerID: try f.required("containerID"), hostID: try f.required("hostID"), size: try f.required("size"))
    }

    public var json: JSONNode { .object(["containerID": containerID, "hostID": hostID, "size": size]) }
}

extension RuntimeSpec.Resources: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        try f.refuseUnknown(["memory", "cpu", "pids", "devices", "blockIO", "hugepageLimits", "network", "rdma", "unified"])
        try f.refuseSet(["rdma", "unified"], why: "Lighter does not apply this setting yet; remove the field")
        self.init(memory: try f.optional("memory"), cpu: try f.optional("cpu"), pids: try f.optional("pids"), devices: try f.optional("devices"),
                  blockIO: try f.optional("blockIO"), hugepageLimits: try f.optional("hugepageLimits"), network: try f.optional("network"))
    }

    public var json: JSONNode {
        .object(["memory": memory, "cpu": cpu, "pids": pids, "devices": devices, "blockIO": blockIO, "hugepageLimits": hugepageLimits,
                 "network": network])
    }
}

extension RuntimeSpec.HugepageLimit: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(pageSize: try f.required("pageSize"), limit: try f.required("limit"))
    }

    public var json: JSONNode { .object(["pageSize": pageSize, "limit": limit]) }
}

extension RuntimeSpec.Network: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(classID: try f.optional("classID"), priorities: try f.optional("priorities"))
    }

    public var json: JSONNode { .object(["classID": classID, "priorities": priorities]) }
}

extension RuntimeSpec.Network.Priority: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(name: try f.required("name"), priority: try f.required("priority"))
    }

    public var json: JSONNode { .object(["name": name, "priority": priority]) }
}

extension RuntimeSpec.BlockIO: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(weight: try f.optional("weight"), weightDevice: try f.optional("weightDevice"),
                  throttleReadBpsDevice: try f.optional("throttleReadBpsDevice"), throttleWriteBpsDevice: try f.optional("throttleWriteBpsDevice"),
                  throttleReadIOPSDevice: try f.optional("throttleReadIOPSDevice"), throttleWriteIOPSDevice: try f.optional("throttleWriteIOPSDevice"))
    }

    public var json: JSONNode {
        .object(["weight": weight, "weightDevice": weightDevice, "throttleReadBpsDevice": throttleReadBpsDevice,
                 "throttleWriteBpsDevice": throttleWriteBpsDevice, "throttleReadIOPSDevice": throttleReadIOPSDevice,
                 "throttleWriteIOPSDevice": throttleWriteIOPSDevice])
    }
}

extension RuntimeSpec.BlockIO.WeightDevice: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(major: try f.required("major"), minor: try f.required("minor"), weight: try f.required("weight"))
    }

    public var json: JSONNode { .object(["major": major, "minor": minor, "weight": weight]) }
}

extension RuntimeSpec.BlockIO.ThrottleDevice: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(major: try f.required("major"), minor: try f.required("minor"), rate: try f.required("rate"))
    }

    public var json: JSONNode { .object(["major": major, "minor": minor, "rate": rate]) }
}

extension RuntimeSpec.Memory: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        try f.refuseUnknown(["limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate"])
        try f.refuseSet(["useHierarchy", "checkBeforeUpdate"], why: "Lighter does not apply this setting yet; remove the field")
        self.init(limit: try f.optional("limit"), reservation: try f.optional("reservation"), swap: try f.optional("swap"),
                  swappiness: try f.optional("swappiness"), disableOOMKiller: try f.optional("disableOOMKiller"),
                  kernel: try f.optional("kernel"), kernelTCP: try f.optional("kernelTCP"))
    }

    public var json: JSONNode {
        .object(["limit": limit, "reservation": reservation, "swap": swap, "swappiness": swappiness, "disableOOMKiller": disableOOMKiller,
                 "kernel": kernel, "kernelTCP": kernelTCP])
    }
}

extension RuntimeSpec.CPU: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        try f.refuseUnknown(["shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"])
        try f.refuseSet(["burst", "idle"], why: "Lighter does not apply this setting yet; remove the field")
        self.init(shares: try f.optional("shares"), quota: try f.optional("quota"), period: try f.optional("period"),
                  cpus: try f.optional("cpus"), mems: try f.optional("mems"), realtimePeriod: try f.optional("realtimePeriod"),
                  realtimeRuntime: try f.optional("realtimeRuntime"))
    }

    public var json: JSONNode {
        .object(["shares": shares, "quota": quota, "period": period, "cpus": cpus, "mems": mems,
                 "realtimePeriod": realtimePeriod, "realtimeRuntime": realtimeRuntime])
    }
}

extension RuntimeSpec.Pids: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        self.init(limit: try JSONFields(json, path).required("limit"))
    }

    public var json: JSONNode { .object(["limit": limit]) }
}

extension RuntimeSpec.DeviceRule: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(allow: try f.required("allow"), type: try f.optional("type"), major: try f.optional("major"), minor: try f.optional("minor"),
                  access: try f.optional("access"))
    }

    public var json: JSONNode { .object(["allow": allow, "type": type, "major": major, "minor": minor, "access": access]) }
}

extension RuntimeSpec.Seccomp: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(defaultAction: try f.required("defaultAction"), defaultErrnoRet: try f.optional("defaultErrnoRet"),
                  architectures: try f.optional("architectures"), flags: try f.optional("flags"), syscalls: try f.optional("syscalls"))
    }

    public var json: JSONNode {
        .object(["defaultAction": defaultAction, "defaultErrnoRet": defaultErrnoRet, "architectures": architectures, "flags": flags,
                 "syscalls": syscalls])
    }
}

extension RuntimeSpec.SyscallRule: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(names: try f.required("names"), action: try f.required("action"), errnoRet: try f.optional("errnoRet"),
                  args: try f.optional("args"))
    }

    /// Written without `JSONNode.object`'s existentials: Docker's profile has ~60 rules, encoded on every start.
    public var json: JSONNode {
        var fields: [String: JSONNode] = ["names": .array(names.map { .string($0) }), "action": .string(action)]
        if let errnoRet { fields["errnoRet"] = .number(String(errnoRet)) }
        if let args { fields["args"] = .array(args.map { $0.json }) }
        return .object(fields)
    }
}

extension RuntimeSpec.SyscallArg: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(index: try f.required("index"), value: try f.required("value"), valueTwo: try f.optional("valueTwo"), op: try f.required("op"))
    }

    public var json: JSONNode {
        var fields: [String: JSONNode] = ["index": .number(String(index)), "value": .number(String(value)), "op": .string(op)]
        if let valueTwo { fields["valueTwo"] = .number(String(valueTwo)) }
        return .object(fields)
    }
}

extension RuntimeSpec.Device: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(type: try f.required("type"), path: try f.required("path"), major: try f.required("major"), minor: try f.required("minor"),
                  fileMode: try f.optional("fileMode"), uid: try f.optional("uid"), gid: try f.optional("gid"))
    }

    public var json: JSONNode {
        .object(["type": type, "path": path, "major": major, "minor": minor, "fileMode": fileMode, "uid": uid, "gid": gid])
    }
}
