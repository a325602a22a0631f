import LighterSystem

// The messages between the runtime and `lighter __init` / `lighter __exec`, field by field (no Codable:
// a fresh init would otherwise pay Codable's first-use cost on every start).

extension InitConfig: JSONConvertible {
    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        rootfs = try f.required("rootfs")
        bundle = try f.required("bundle")
        execFifo = try f.optional("execFifo")
        cgroupMountSources = try f.required("cgroupMountSources")
        terminalSize = try f.optional("terminalSize")
        seccompFlags = try f.optional("seccompFlags")
        cgroupJoinFiles = try f.optional("cgroupJoinFiles")
        hookState = try f.optional("hookState")
        waitForHooks = try f.optional("waitForHooks")
        sessionKeyring = try f.optional("sessionKeyring")
        noPivot = try f.optional("noPivot")
        passedFds = try f.optional("passedFds")
        listenFds = try f.optional("listenFds")
    }

    var json: JSONNode {
        .object(["rootfs": rootfs, "bundle": bundle, "execFifo": execFifo, "cgroupMountSources": cgroupMountSources,
                 "terminalSize": terminalSize, "seccompFlags": seccompFlags, "cgroupJoinFiles": cgroupJoinFiles,
                 "hookState": hookState, "waitForHooks": waitForHooks, "sessionKeyring": sessionKeyring,
                 "noPivot": noPivot, "passedFds": passedFds, "listenFds": listenFds])
    }
}

extension InitReport: JSONConvertible {
    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        created = try f.required("created")
        message = try f.optional("message")
        exitCode = try f.optional("exitCode")
        terminal = try f.optional("terminal")
    }

    var json: JSONNode { .object(["created": created, "message": message, "exitCode": exitCode, "terminal": terminal]) }
}

extension TerminalSize: JSONConvertible {
    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        rows = try f.required("rows")
        columns = try f.required("columns")
    }

    var json: JSONNode { .object(["rows": rows, "columns": columns]) }
}

extension ExecConfig: JSONConvertible {
    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        namespaces = try f.required("namespaces")
        process = try f.required("process")
        seccomp = try f.optional("seccomp")
        inUserNamespace = try f.required("inUserNamespace")
        terminalSize = try f.optional("terminalSize")
        detached = try f.optional("detached")
        callerReaps = try f.optional("callerReaps")
        rootOf = try f.optional("rootOf")
    }

    var json: JSONNode {
        .object(["namespaces": namespaces, "process": process, "seccomp": seccomp, "inUserNamespace": inUserNamespace,
                 "terminalSize": terminalSize, "detached": detached,
                 "callerReaps": callerReaps, "rootOf": rootOf])
    }
}

extension ExecReport: JSONConvertible {
    init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        pid = try f.optional("pid")
        terminal = try f.optional("terminal")
        message = try f.optional("message")
        exitCode = try f.optional("exitCode")
    }

    var json: JSONNode { .object(["pid": pid, "terminal": terminal, "message": message, "exitCode": exitCode]) }
}
