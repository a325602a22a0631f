/// One option, flag or positional argument as the parser and the help see it, whatever its type.
struct ArgumentDefinition {
    enum Kind { case option, flag, positional }
    enum Positional { case plain, passthrough, allUnrecognized }

    var kind: Kind
    /// The property's name (without the wrapper's underscore).
    var key: String
    var longs: [String] = []
    var shorts: [Character] = []
    /// `no-…` spellings that set a Bool flag to false.
    var inverted: [String] = []
    var help: ArgumentHelp
    var valueName: String
    /// Takes a value per occurrence and keeps them all (arrays).
    var repeats = false
    /// Must be given (no default, not optional).
    var required = false
    var upToNextOption = false
    var positional = Positional.plain
    var defaultText: String?
    var allowedValues: [String] = []
    /// Parse and store one value; false when the text is not a valid value.
    var set: (String) -> Bool
    /// Whether the command line gave a value.
    var given: () -> Bool
    /// Why a text is not a valid value (Go's strconv texts for numbers, as Docker's CLI prints them).
    var reason: (String) -> String = { _ in "invalid value" }

    var hidden: Bool { help.visibility != .default }

    /// `-n, --last` as Docker's errors name a flag.
    var flagNames: String {
        (shorts.map { "-\($0)" } + longs.map { "--\($0)" }).joined(separator: ", ")
    }

    /// The spelling usage lines show: the first long name, else the first short one.
    var preferredName: String {
        if let long = longs.first { return "--" + long }
        return shorts.first.map { "-\($0)" } ?? key
    }
}

/// A property wrapper the parser reads (`@Option`, `@Flag`, `@Argument`).
protocol ArgumentDeclaration {
    func definition(key: String) -> ArgumentDefinition
}

/// `@OptionGroup`: the nested arguments struct.
protocol OptionGroupDeclaration {
    var group: any ParsableArguments { get }
}

/// The value of one property, shared by the copies Mirror hands out so that the parser can fill
/// it in. The parser writes it once, before the command runs; assigning the property replaces the
/// box, so copies of a parsed command stay independent values.
final class ArgumentBox<Value>: @unchecked Sendable {
    var value: Value?
    var given = false
    init(_ value: Value?) { self.value = value }
}

/// The definitions of `arguments`' properties, nested groups flattened in declaration order, and
/// the groups themselves (for `validate()`).
enum Declarations {
    static func collect(_ arguments: any ParsableArguments) -> (definitions: [ArgumentDefinition], groups: [any ParsableArguments]) {
        var definitions: [ArgumentDefinition] = []
        var groups: [any ParsableArguments] = []
        for child in Mirror(reflecting: arguments).children {
            guard let label = child.label else { continue }
            let key = label.hasPrefix("_") ? String(label.dropFirst()) : label
            if let declaration = child.value as? any ArgumentDeclaration {
                definitions.append(declaration.definition(key: key))
            } else if let group = child.value as? any OptionGroupDeclaration {
                let nested = collect(group.group)
                definitions += nested.definitions
                groups += nested.groups + [group.group]
            }
        }
        return (definitions, groups)
    }
}

enum ValueErrors {
    /// Why `text` is no `type`: Go's strconv wording for numbers and Bools, the accepted values of an enumeration.
    static func reason<T: ExpressibleByArgument>(_ type: T.Type, _ text: String) -> String {
        if let integer = type as? any FixedWidthInteger.Type {
            let digits = text.dropFirst(text.first == "-" || text.first == "+" ? 1 : 0)
            let wellFormed = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber } && (integer.isSigned || text.first != "-")
            return "strconv.\(integer.isSigned ? "ParseInt" : "ParseUint"): parsing \"\(text)\": \(wellFormed ? "value out of range" : "invalid syntax")"
        }
        if type == Bool.self { return "strconv.ParseBool: parsing \"\(text)\": invalid syntax" }
        if type == Double.self { return "strconv.ParseFloat: parsing \"\(text)\": invalid syntax" }
        if !T.allValueStrings.isEmpty { return "use one of: " + T.allValueStrings.joined(separator: ", ") }
        return "invalid value"
    }
}
