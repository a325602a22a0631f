import LighterSystem

/// A layer entry's path inside the snapshot, cleaned lexically: no empty, "." or ".." components,
/// never above the root. The empty path is the snapshot root itself.
struct LayerPath: Hashable, CustomStringConvertible {
    let components: [String]

    init(components: [String]) { self.components = components }

    /// Clean a tar member name (or hardlink target, which names another member).
    ///
    /// A leading "/" is stripped, as Docker does for `/etc/x`: member names are always relative to the
    /// snapshot root. ".." components are resolved lexically; one that would climb above the root is
    /// refused with `.unsafeArchive`, so `../x`, `/../x` and `a/../../x` never reach the file system.
    init(member name: String, entry: String, what: String = "path") throws(LighterError) {
        var stack: [String] = []
        for component in name.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                guard !stack.isEmpty else {
                    throw .unsafeArchive(entry: entry, reason: "\(what) climbs above the layer root")
                }
                stack.removeLast()
                continue
            }
            stack.append(String(component))
        }
        components = stack
    }

    var isRoot: Bool { components.isEmpty }
    var parent: LayerPath { LayerPath(components: Array(components.dropLast())) }
    var base: String { components.last ?? "." }
    /// The path relative to the root ("." for the root), as openat2 wants it.
    var relative: String { components.isEmpty ? "." : components.joined(separator: "/") }
    var description: String { "/" + components.joined(separator: "/") }

    func isSame(orBeneath other: LayerPath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    /// Refuse a relative symlink target that, resolved lexically from the link's directory, climbs above
    /// the root. Absolute targets are fine: they resolve inside the container's root when it runs, and
    /// extraction itself never follows a symlink.
    func checkSymlinkTarget(_ target: String, entry: String) throws(LighterError) {
        guard !target.isEmpty else { throw .malformed(what: "layer entry \"\(entry)\"", reason: "symlink with an empty target") }
        if target.hasPrefix("/") { return }
        var depth = components.count - 1
        for component in target.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                depth -= 1
                if depth < 0 {
                    throw .unsafeArchive(entry: entry, reason: "symlink target \"\(target)\" climbs above the layer root")
                }
            } else {
                depth += 1
            }
        }
    }
}
