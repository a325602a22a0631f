#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterAPI
import LighterEngine
import LighterSystem

/// `docker update` (`POST /containers/{id}/update`, the engine's update: the record and, when running, the
/// cgroups at once) and the terminal resizes of `run -t`/`attach` and `exec -t`.
extension DaemonRoutes {
    static func addUpdateAndResize(_ router: inout APIRouter, _ context: DaemonContext) {
        router.add("POST", "/containers/{id}/update") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let id = try engine.resolve(request.parameter("id"))
            let change = try containerUpdate(try body(request))
            do throws(LighterError) {
                try engine.updateContainer(id, change)
            } catch {
                if case .notFound = error { throw error }
                throw .invalidArgument("Cannot update container \(id): \(APIRouter.message(for: error))")
            }
            responder.json(.object(["Warnings": .array([])]))
        }
        router.add("POST", "/containers/{id}/resize") { (request, responder) throws(LighterError) in
            let engine = try context.engine()
            let (rows, columns) = try windowSize(request)
            try engine.resizeTerminal(try engine.resolve(request.parameter("id")), rows: rows, columns: columns)
            responder.respond(status: 200)
        }
        router.add("POST", "/exec/{id}/resize") { (request, responder) throws(LighterError) in
            let execID = request.parameter("id")
            let (rows, columns) = try windowSize(request)
            // Under the lock: the exec's end closes the terminal copy under it too.
            let result: Result<Void, LighterError> = context.execs.withLock { execs in
                guard let exec = execs[execID] else { return .failure(.notFound(kind: "exec instance", name: execID)) }
                guard exec.options.tty else { return .failure(.invalidArgument("exec \(execID) has no terminal to resize (it was not created with Tty)")) }
                guard exec.terminal >= 0 else {
                    // Started, its terminal not there yet: the size waits for it (see `addExec`).
                    if exec.running && exec.exitCode == nil {
                        execs[execID]?.pendingSize = (rows, columns)
                        return .success(())
                    }
                    return .failure(.conflict("exec \(execID) is not running"))
                }
                do throws(LighterError) {
                    try Engine.setWindowSize(exec.terminal, rows: rows, columns: columns, what: "terminal of exec \(execID)")
                    return .success(())
                } catch { return .failure(error) }
            }
            try result.get()
            responder.respond(status: 200)
        }
    }

    /// `h` and `w` of a resize, as Docker reads them (both required, unsigned).
    static func windowSize(_ request: APIRequest) throws(LighterError) -> (UInt16, UInt16) {
        guard let h = request.query("h").flatMap({ UInt16($0) }), let w = request.query("w").flatMap({ UInt16($0) }) else {
            throw .invalidArgument("resize needs a height and width: h= and w= as numbers from 0 to 65535")
        }
        return (h, w)
    }

    /// Docker's UpdateConfig (its Resources and RestartPolicy) as the engine's change: zero values leave a
    /// setting as it is (Docker's rule); a resource Lighter cannot set is refused by name unless zero.
    static func containerUpdate(_ fields: [String: JSONNode]) throws(LighterError) -> ContainerUpdate {
        var change = ContainerUpdate()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "Memory":
                if let bytes = try DockerCreateRequest.nonZero(value, key) {
                    guard bytes >= 6 * 1024 * 1024 else { throw .invalidArgument("Minimum memory limit allowed is 6MB") }
                    change.memory = bytes
                }
            case "MemorySwap": change.memorySwap = try DockerCreateRequest.nonZero(value, key)
            case "NanoCpus", "NanoCPUs":
                if let nano = try DockerCreateRequest.nonZero(value, key) {
                    let online = Int64(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
                    guard nano >= 10_000_000, nano <= online * 1_000_000_000 else {
                        throw .invalidArgument("Range of CPUs is from 0.01 to \(online).00, as there are only \(online) CPUs available")
                    }
                    change.cpuPeriod = 100_000
                    change.cpuQuota = nano / 10_000
                    change.nanoCpus = nano
                }
            case "CpuQuota": if let quota = try DockerCreateRequest.nonZero(value, key) { change.cpuQuota = quota }
            case "CpuPeriod": if let period = try DockerCreateRequest.nonZero(value, key) { change.cpuPeriod = UInt64(max(period, 0)) }
            case "CpuShares":
                if let shares = try DockerCreateRequest.nonZero(value, key) {
                    guard shares >= 2 else { throw .invalidArgument("CpuShares \(shares): the minimum is 2") }
                    change.cpuShares = UInt64(shares)
                }
            case "CpusetCpus":
                if let cpus = try DockerCreateRequest.string(value, key), !cpus.isEmpty {
                    guard cpus.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" }) else {
                        throw .invalidArgument("CpusetCpus \(cpus): expected a list such as 0-2 or 0,1")
                    }
                    change.cpusetCpus = cpus
                }
            case "PidsLimit":
                // null leaves it; 0 and -1 lift it (Docker's "unlimited").
                if value != .null {
                    let limit = try DockerCreateRequest.integer(value, key)
                    change.pidsLimit = limit > 0 ? limit : -1
                }
            case "RestartPolicy":
                let policy = try DockerCreateRequest.object(value, key)
                for (field, setting) in policy where !["Name", "MaximumRetryCount"].contains(field) {
                    try DockerCreateRequest.refuseUnlessZero("RestartPolicy.\(field)", setting)
                }
                if let name = try policy["Name"].flatMap({ (v) throws(LighterError) in try DockerCreateRequest.string(v, "RestartPolicy.Name") }),
                   !name.isEmpty {
                    let retries = try policy["MaximumRetryCount"].flatMap({ (v) throws(LighterError) in try DockerCreateRequest.nonZero(v, "RestartPolicy.MaximumRetryCount") }) ?? 0
                    if retries != 0 && name != "on-failure" {
                        throw .invalidArgument("maximum retry count cannot be used with restart policy '\(name)'")
                    }
                    change.restart = try RestartPolicy(parsing: name == "on-failure" && retries > 0 ? "on-failure:\(retries)" : name)
                }
            case "MemorySwappiness":
                // Docker's CLIs send -1 or null for "not set".
                if value != .null, try DockerCreateRequest.integer(value, key) != -1 { try DockerCreateRequest.refuseUnlessZero(key, value) }
            default:
                try DockerCreateRequest.refuseUnlessZero(key, value)
            }
        }
        return change
    }
}
