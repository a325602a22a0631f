import LighterEngine
import LighterSystem

extension ContainerFlags {
    /// `--volumes-from CONTAINER[:ro|rw]`: the other container's binds and volumes at the same
    /// paths, in their own mode or the one given (Docker's meaning); a path mounted twice is an error.
    static func applyVolumesFrom(_ entries: [String], engine: Engine, to spec: inout ContainerSpec) throws(LighterError) {
        for entry in entries {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, !parts[0].isEmpty, parts.count == 1 || ["ro", "rw"].contains(parts[1]) else {
                throw .invalidArgument("--volumes-from \(entry): expected CONTAINER[:ro|rw]")
            }
            let source = try engine.inspect(try engine.resolve(parts[0]))
            for var bind in source.spec.binds {
                if parts.count == 2 { bind.readOnly = parts[1] == "ro" }
                guard !spec.binds.contains(where: { $0.destination == bind.destination }), spec.tmpfs[bind.destination] == nil else {
                    throw .invalidArgument("--volumes-from \(entry): duplicate mount point: \(bind.destination)")
                }
                spec.binds.append(bind)
            }
        }
    }
}
