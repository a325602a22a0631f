import LighterArguments
import LighterEngine
import LighterSystem

extension StoreOptions {
    func openEngine() throws(LighterError) -> Engine { try Engine(root: resolvedRoot) }
}

/// Run a container command body; engine errors exit 125 (or 126/127 for a process that could not
/// start), as `docker run` does.
func guardedRun(_ body: () throws(LighterError) -> Int32) throws(ExitCode) {
    let code: Int32
    do {
        code = try body()
    } catch {
        if case let .containerStart(_, exitCode) = error { throw reportAndExit(error, code: exitCode) }
        throw reportAndExit(error, code: 125)
    }
    if code != 0 { throw ExitCode(code) }
}
