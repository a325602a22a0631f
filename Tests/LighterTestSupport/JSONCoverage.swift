import LighterSystem

/// Proves that a hand-written `JSONConvertible` conversion writes every stored property: walks the
/// value with `Mirror` next to the JSON it produced and lists what is missing. A property added to a
/// type but forgotten in its `json` shows up here; so does an optional left nil in the sample (the
/// sample must set everything, or the check would not cover it).
public enum JSONCoverage {
    public static func gaps(in value: Any, json node: JSONNode, path: String = "") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first?.value else { return ["\(path): nil in the sample"] }
            return gaps(in: wrapped, json: node, path: path)
        case .struct:
            // A struct that writes itself as one value (a digest as its string) has nothing to walk.
            guard case let .object(fields) = node else { return [] }
            var found: [String] = []
            for child in mirror.children {
                guard let label = child.label else { continue }
                let key = path.isEmpty ? label : "\(path).\(label)"
                guard let field = fields[label] else {
                    let inner = Mirror(reflecting: child.value)
                    found.append(inner.displayStyle == .optional && inner.children.isEmpty ? "\(key): nil in the sample" : "\(key): not written")
                    continue
                }
                found += gaps(in: child.value, json: field, path: key)
            }
            return found
        case .collection:
            guard case let .array(items) = node else { return ["\(path): not an array"] }
            let elements = mirror.children.map(\.value)
            guard !elements.isEmpty else { return ["\(path): empty in the sample"] }
            guard elements.count == items.count else { return ["\(path): \(elements.count) elements, \(items.count) written"] }
            return zip(elements, items).enumerated().flatMap { gaps(in: $1.0, json: $1.1, path: "\(path).\($0)") }
        case .dictionary:
            return mirror.children.isEmpty ? ["\(path): empty in the sample"] : []
        default:
            return []
        }
    }
}
