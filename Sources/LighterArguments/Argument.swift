/// A positional argument: one word, an optional one, or the rest of them.
@propertyWrapper
public struct Argument<Value>: ArgumentDeclaration {
    let help: ArgumentHelp
    let repeats: Bool
    let required: Bool
    let strategy: ArgumentArrayParsingStrategy
    let defaultText: String?
    let accept: @Sendable (String, Value?) -> Value?
    let reason: @Sendable (String) -> String
    var box: ArgumentBox<Value>

    public var wrappedValue: Value {
        get {
            guard let value = box.value else { fatalError("argument read before it was parsed") }
            return value
        }
        set { box = ArgumentBox(newValue) }
    }

    init(value: Value?, help: ArgumentHelp?, repeats: Bool = false, required: Bool, strategy: ArgumentArrayParsingStrategy = .remaining,
         defaultText: String? = nil, reason: @escaping @Sendable (String) -> String, accept: @escaping @Sendable (String, Value?) -> Value?) {
        self.help = help ?? ""
        self.repeats = repeats
        self.required = required
        self.strategy = strategy
        self.defaultText = defaultText
        self.accept = accept
        self.reason = reason
        self.box = ArgumentBox(value)
    }

    func definition(key: String) -> ArgumentDefinition {
        let box = self.box
        let accept = self.accept
        let reason = self.reason
        let positional: ArgumentDefinition.Positional = switch strategy {
        case .remaining: .plain
        case .captureForPassthrough, .unconditionalRemaining: .passthrough
        case .allUnrecognized: .allUnrecognized
        }
        var definition = ArgumentDefinition(kind: .positional, key: key, help: help, valueName: help.valueName ?? Names.kebab(key), repeats: repeats,
                                  required: required, positional: positional, defaultText: defaultText,
                                  set: { text in
                                      guard let value = accept(text, box.given ? box.value : nil) else { return false }
                                      box.value = value
                                      box.given = true
                                      return true
                                  }, given: { box.given })
        definition.reason = reason
        return definition
    }
}

extension Argument: Sendable where Value: Sendable {}

extension Argument where Value: ExpressibleByArgument {
    public init(wrappedValue: Value, help: ArgumentHelp? = nil) {
        let text = wrappedValue.defaultValueDescription
        self.init(value: wrappedValue, help: help, required: false, defaultText: text.isEmpty ? nil : text,
                  reason: { ValueErrors.reason(Value.self, $0) }, accept: { text, _ in Value(argument: text) })
    }

    public init(help: ArgumentHelp? = nil) {
        self.init(value: nil, help: help, required: true, reason: { ValueErrors.reason(Value.self, $0) }, accept: { text, _ in Value(argument: text) })
    }
}

extension Argument {
    public init<T: ExpressibleByArgument>(wrappedValue: T? = nil, help: ArgumentHelp? = nil) where Value == T? {
        self.init(value: .some(wrappedValue), help: help, required: false, reason: { ValueErrors.reason(T.self, $0) }, accept: { text, _ in T(argument: text).map { Optional($0) } })
    }

    /// The remaining words, none needed.
    public init<T: ExpressibleByArgument>(wrappedValue: [T], parsing: ArgumentArrayParsingStrategy = .remaining, help: ArgumentHelp? = nil) where Value == [T] {
        self.init(value: wrappedValue, help: help, repeats: true, required: false, strategy: parsing,
                  defaultText: wrappedValue.isEmpty ? nil : wrappedValue.map(\.defaultValueDescription).joined(separator: " "),
                  reason: { ValueErrors.reason(T.self, $0) }, accept: { text, current in T(argument: text).map { (current ?? []) + [$0] } })
    }

    /// The remaining words, at least one.
    public init<T: ExpressibleByArgument>(parsing: ArgumentArrayParsingStrategy = .remaining, help: ArgumentHelp? = nil) where Value == [T] {
        self.init(value: nil, help: help, repeats: true, required: true, strategy: parsing,
                  reason: { ValueErrors.reason(T.self, $0) }, accept: { text, current in T(argument: text).map { (current ?? []) + [$0] } })
    }
}
