import LighterNetwork
import LighterOCI
import LighterSystem

// `containers/<id>/container.json` field by field (no Codable: `run` writes the record several times
// and pays no first-use cost for it). Fields added after the format was first written are read with a
// default when a record lacks them.

extension ContainerStatus: JSONConvertible {}

extension ContainerRecord: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        id = try f.required("id")
        name = try f.required("name")
        created = try f.required("created")
        spec = try f.required("spec")
        self.path = try f.required("path")
        args = try f.required("args")
        state = try f.required("state")
        previousImageID = try f.optional("previousImageID")
    }

    public var json: JSONNode {
        .object(["id": id, "name": name, "created": created, "spec": spec, "path": path, "args": args, "state": state,
                 "previousImageID": previousImageID])
    }
}

extension ContainerRuntimeState: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init()
        status = try f.required("status")
        pid = try f.value("pid", default: pid)
        pidStartTime = try f.value("pidStartTime", default: pidStartTime)
        monitorPid = try f.value("monitorPid", default: monitorPid)
        exitCode = try f.value("exitCode", default: exitCode)
        oomKilled = try f.value("oomKilled", default: oomKilled)
        error = try f.value("error", default: error)
        startedAt = try f.optional("startedAt")
        finishedAt = try f.optional("finishedAt")
        restartCount = try f.value("restartCount", default: restartCount)
        stoppedByUser = try f.value("stoppedByUser", default: stoppedByUser)
        bootID = try f.value("bootID", default: bootID)
    }

    public var json: JSONNode {
        .object(["status": status, "pid": pid, "pidStartTime": pidStartTime, "monitorPid": monitorPid, "exitCode": exitCode,
                 "oomKilled": oomKilled, "error": error, "startedAt": startedAt, "finishedAt": finishedAt,
                 "restartCount": restartCount, "stoppedByUser": stoppedByUser, "bootID": bootID])
    }
}

extension ContainerSpec: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(image: try f.required("image"), imageID: try f.required("imageID"))
        entrypoint = try f.optional("entrypoint")
        command = try f.value("command", default: command)
        env = try f.value("env", default: env)
        workingDir = try f.optional("workingDir")
        user = try f.optional("user")
        hostname = try f.optional("hostname")
        tty = try f.value("tty", default: tty)
        interactive = try f.value("interactive", default: interactive)
        binds = try f.value("binds", default: binds)
        tmpfs = try f.value("tmpfs", default: tmpfs)
        resources = try f.value("resources", default: resources)
        capAdd = try f.value("capAdd", default: capAdd)
        capDrop = try f.value("capDrop", default: capDrop)
        privileged = try f.value("privileged", default: privileged)
        readOnly = try f.value("readOnly", default: readOnly)
        seccompProfile = try f.optional("seccompProfile")
        noNewPrivileges = try f.value("noNewPrivileges", default: noNewPrivileges)
        network = try f.value("network", default: network)
        restart = try f.value("restart", default: restart)
        log = try f.value("log", default: log)
        autoRemove = try f.value("autoRemove", default: autoRemove)
        ulimits = try f.value("ulimits", default: ulimits)
        stopSignal = try f.optional("stopSignal")
        stopTimeout = try f.optional("stopTimeout")
        cgroupParent = try f.value("cgroupParent", default: cgroupParent)
        initProcess = try f.value("initProcess", default: initProcess)
        platform = try f.optional("platform")
        ports = try f.value("ports", default: ports)
        publishAll = try f.value("publishAll", default: publishAll)
        dns = try f.value("dns", default: dns)
        extraHosts = try f.value("extraHosts", default: extraHosts)
        ipAddress = try f.optional("ipAddress")
        macAddress = try f.optional("macAddress")
        networkAliases = try f.value("networkAliases", default: networkAliases)
        userNamespace = try f.optional("userNamespace")
        labels = try f.value("labels", default: labels)
        consoleSize = try f.optional("consoleSize")
        kernel = try f.value("kernel", default: kernel)
        exposedPorts = try f.value("exposedPorts", default: exposedPorts)
        dnsSearch = try f.value("dnsSearch", default: dnsSearch)
        dnsOptions = try f.value("dnsOptions", default: dnsOptions)
        healthcheck = try f.optional("healthcheck")
        links = try f.value("links", default: links)
    }

    public var json: JSONNode {
        .object(["image": image, "imageID": imageID, "entrypoint": entrypoint, "command": command, "env": env,
                 "workingDir": workingDir, "user": user, "hostname": hostname, "tty": tty, "interactive": interactive,
                 "binds": binds, "tmpfs": tmpfs, "resources": resources, "capAdd": capAdd, "capDrop": capDrop,
                 "privileged": privileged, "readOnly": readOnly, "seccompProfile": seccompProfile,
                 "noNewPrivileges": noNewPrivileges, "network": network, "restart": restart, "log": log,
                 "autoRemove": autoRemove, "ulimits": ulimits, "stopSignal": stopSignal, "stopTimeout": stopTimeout,
                 "cgroupParent": cgroupParent, "initProcess": initProcess, "platform": platform, "ports": ports,
                 "publishAll": publishAll, "dns": dns, "extraHosts": extraHosts, "ipAddress": ipAddress,
                 "macAddress": macAddress, "networkAliases": networkAliases, "userNamespace": userNamespace,
                 "labels": labels, "consoleSize": consoleSize, "kernel": kernel, "exposedPorts": exposedPorts, "dnsSearch": dnsSearch, "dnsOptions": dnsOptions,
                 "healthcheck": healthcheck, "links": links])
    }
}

extension BindMount: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        source = try f.required("source")
        destination = try f.required("destination")
        readOnly = try f.value("readOnly", default: false)
        volume = try f.optional("volume")
    }

    public var json: JSONNode { .object(["source": source, "destination": destination, "readOnly": readOnly, "volume": volume]) }
}

extension ResourceLimits: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init()
        memory = try f.optional("memory")
        memorySwap = try f.optional("memorySwap")
        cpuQuota = try f.optional("cpuQuota")
        cpuPeriod = try f.optional("cpuPeriod")
        cpuShares = try f.optional("cpuShares")
        cpusetCpus = try f.optional("cpusetCpus")
        pidsLimit = try f.optional("pidsLimit")
        nanoCpus = try f.optional("nanoCpus")
    }

    public var json: JSONNode {
        .object(["memory": memory, "memorySwap": memorySwap, "cpuQuota": cpuQuota, "cpuPeriod": cpuPeriod,
                 "cpuShares": cpuShares, "cpusetCpus": cpusetCpus, "pidsLimit": pidsLimit, "nanoCpus": nanoCpus])
    }
}

extension Ulimit: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        name = try f.required("name")
        soft = try f.required("soft")
        hard = try f.required("hard")
    }

    public var json: JSONNode { .object(["name": name, "soft": soft, "hard": hard]) }
}

extension RestartPolicy: JSONConvertible {
    /// `{"no":{}}`, `{"always":{}}`, `{"unlessStopped":{}}`, `{"onFailure":{"maxRetries":N}}` (the
    /// form Swift's synthesized Codable gave enums with associated values, kept for stored records).
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        guard f.fields.count == 1, let (key, value) = f.fields.first else {
            throw path.badValue("expected one of no, onFailure, always, unlessStopped")
        }
        switch key {
        case "no": self = .no
        case "always": self = .always
        case "unlessStopped": self = .unlessStopped
        case "onFailure": self = .onFailure(maxRetries: try JSONFields(value, path.appending(key)).required("maxRetries"))
        default: throw path.badValue("unknown restart policy \"\(key)\"")
        }
    }

    public var json: JSONNode {
        switch self {
        case .no: return .object(["no": .object([:])])
        case .always: return .object(["always": .object([:])])
        case .unlessStopped: return .object(["unlessStopped": .object([:])])
        case let .onFailure(maxRetries): return .object(["onFailure": .object(["maxRetries": maxRetries])])
        }
    }
}

extension LogOptions: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        self.init(maxSize: try f.required("maxSize"), maxFiles: try f.required("maxFiles"))
        driver = try f.value("driver", default: driver)
    }

    public var json: JSONNode { .object(["maxSize": maxSize, "maxFiles": maxFiles, "driver": driver]) }
}

extension UserNamespaceRemap: JSONConvertible {
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        uid = try f.required("uid")
        gid = try f.required("gid")
        size = try f.required("size")
    }

    public var json: JSONNode { .object(["uid": uid, "gid": gid, "size": size]) }
}
