#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterSystem

extension Engine {
    /// What interrupted operations left of containers: a directory under `containers/` whose create was
    /// killed before its record was committed (no database row or no container.json), a database row
    /// without its directory, and the `.rm-<id>` directories of removals killed midway. A create in
    /// progress holds the container's lock from its directory's mkdir to its record's commit, so it is
    /// never taken for a leftover. With `remove`, each is removed like a container (mounts, runtime
    /// state and cgroups, network addresses and ports, row, directory). Returns the IDs (or, for an
    /// interrupted removal, the directory's name).
    public func leftovers(remove: Bool) throws(LighterError) -> [String] {
        let containers = images.paths.containers
        guard FileSystem.isDirectory(containers) else { return [] }
        let rows = Set(try allIDs())
        var found: [String] = []
        for name in try FileSystem.list(containers) {
            if name.hasPrefix(".rm-") {
                found.append(name)
                if remove { try? FileSystem.removeTree("\(containers)/\(name)") }
                continue
            }
            guard Self.isContainerID(name) else { continue }
            if rows.contains(name) && FileSystem.exists(recordPath(name)) { continue }
            guard let lock = try? FileLock(trying: "\(directory(name))/lock", mode: .exclusive) else { continue }
            defer { lock.release() }
            // Committed meanwhile (the lock was taken between its create's mkdir and its own)?
            if (try allIDs()).contains(name) && FileSystem.exists(recordPath(name)) { continue }
            found.append(name)
            if remove { try removeFiles(name) }
        }
        for id in rows where !FileSystem.exists(directory(id)) {
            found.append(id)
            if remove { try removeFiles(id) }
        }
        return found
    }

    static func isContainerID(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
