/// The names of an option or flag: `.long` (`--kebab-case-property`), `.short` (its first letter),
/// `.customLong("x")`, `.customShort("x")`, and lists of them.
public struct NameSpecification: ExpressibleByArrayLiteral, Sendable {
    public struct Element: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            case long, short, customLong(String, singleDash: Bool), customShort(Character)
        }
        let kind: Kind
        public static var long: Element { Element(kind: .long) }
        public static var short: Element { Element(kind: .short) }
        public static func customLong(_ name: String, withSingleDash: Bool = false) -> Element {
            Element(kind: .customLong(name, singleDash: withSingleDash))
        }
        public static func customShort(_ letter: Character, allowingJoined: Bool = false) -> Element { Element(kind: .customShort(letter)) }
    }

    let elements: [Element]
    public init(arrayLiteral elements: Element...) { self.elements = elements }
    init(_ elements: [Element]) { self.elements = elements }

    public static var long: NameSpecification { [.long] }
    public static var short: NameSpecification { [.short] }
    public static var shortAndLong: NameSpecification { [.long, .short] }
    public static func customLong(_ name: String, withSingleDash: Bool = false) -> NameSpecification {
        [.customLong(name, withSingleDash: withSingleDash)]
    }
    public static func customShort(_ letter: Character, allowingJoined: Bool = false) -> NameSpecification { [.customShort(letter)] }

    /// The long names (without dashes) and short letters for the property `key`.
    func resolve(key: String) -> (longs: [String], shorts: [Character]) {
        var longs: [String] = []
        var shorts: [Character] = []
        for element in elements {
            switch element.kind {
            case .long: longs.append(Names.kebab(key))
            case .short: if let first = key.first { shorts.append(first) }
            case let .customLong(name, _): longs.append(name)
            case let .customShort(letter): shorts.append(letter)
            }
        }
        return (longs, shorts)
    }
}

enum Names {
    /// `logFormat` → `log-format`, `l3CacheSchema` → `l3-cache-schema`, `URLPath` → `url-path`.
    static func kebab(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { result.append("-") }
            }
            result += character.lowercased()
        }
        return result
    }
}
