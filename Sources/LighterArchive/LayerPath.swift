import LighterSystem

/// A layer entry's path inside the snapshot, cleaned lexically: no empty, "." or ".." components,
/// never above the root. The empty path is the snapshot root itself.
struct LayerPath: Hashable, CustomStringConvertible {
    let components: [RawName]

    init(components: [RawName]) { self.components = components }

    /// Real images nest a few dozen levels; the bound keeps removal of a replaced tree (which recurses) shallow.
    static let maxDepth = 512

    /// Clean a tar member name (or a hardlink target, which names another member).
    ///
    /// A leading "/" is stripped, as Docker does for `/etc/x`: member names are always relative to the
    /// snapshot root. ".." components are resolved lexically; one that would climb above the root is
    /// refused with `.unsafeArchive`, so `../x`, `/../x` and `a/../../x` never reach the file system.
    init(member name: [UInt8], entry: String, what: String = "path") throws(LighterError) {
        var stack: [RawName] = []
        for component in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if component.elementsEqual(".".utf8) { continue }
            if component.elementsEqual("..".utf8) {
                guard !stack.isEmpty else {
                    throw .unsafeArchive(entry: entry, reason: "\(what) climbs above the layer root")
                }
                stack.removeLast()
                continue
            }
            stack.append(RawName(component))
            guard stack.count <= Self.maxDepth else {
                throw .unsafeArchive(entry: entry, reason: "\(what) nests deeper than \(Self.maxDepth) directories")
            }
        }
        components = stack
    }

    var isRoot: Bool { components.isEmpty }
    var parent: LayerPath { LayerPath(components: Array(components.dropLast())) }
    /// The last component (the root has none; callers check `isRoot` first).
    var base: RawName { components.last ?? RawName(".") }
    func appending(_ name: RawName) -> LayerPath { LayerPath(components: components + [name]) }

    /// The path relative to the root ("." for the root), NUL-terminated for openat2.
    var relative: [CChar] {
        guard !components.isEmpty else { return RawName(".").cString }
        var result: [CChar] = []
        for (index, component) in components.enumerated() {
            if index > 0 { result.append(CChar(UInt8(ascii: "/"))) }
            result.append(contentsOf: component.cString.dropLast())
        }
        return result + [0]
    }

    /// The relative path as text ("." for the root); invalid UTF-8 shows as U+FFFD.
    var text: String { components.isEmpty ? "." : components.map(\.text).joined(separator: "/") }
    var description: String { text }

    func isSame(orBeneath other: LayerPath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    /// Refuse a relative symlink target that, resolved lexically from the link's directory, climbs above
    /// the root. Absolute targets are fine: they resolve inside the container's root when it runs, and
    /// extraction itself never follows a symlink.
    func checkSymlinkTarget(_ target: [UInt8], entry: String) throws(LighterError) {
        let shown = String(decoding: target, as: UTF8.self)
        guard !target.isEmpty else { throw .malformed(what: "layer entry \"\(entry)\"", reason: "symlink with an empty target") }
        if target.first == UInt8(ascii: "/") { return }
        var depth = components.count - 1
        for component in target.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if component.elementsEqual(".".utf8) { continue }
            if component.elementsEqual("..".utf8) {
                depth -= 1
                if depth < 0 {
                    throw .unsafeArchive(entry: entry, reason: "symlink target \"\(shown)\" climbs above the layer root")
                }
            } else {
                depth += 1
            }
        }
    }
}
