/// An option that takes a value: `--name VALUE`, `--name=VALUE`, `-n VALUE`, `-nVALUE`.
@propertyWrapper
public struct Option<Value>: ArgumentDeclaration {
    let names: NameSpecification
    let help: ArgumentHelp
    let repeats: Bool
    let upToNextOption: Bool
    let required: Bool
    let defaultText: String?
    let allowedValues: [String]
    /// The new value from a word and the value so far (nil: none given yet).
    let accept: @Sendable (String, Value?) -> Value?
    let reason: @Sendable (String) -> String
    var box: ArgumentBox<Value>

    public var wrappedValue: Value {
        get {
            guard let value = box.value else { fatalError("option read before it was parsed") }
            return value
        }
        set { box = ArgumentBox(newValue) }
    }

    init(value: Value?, names: NameSpecification, help: ArgumentHelp?, repeats: Bool = false, upToNextOption: Bool = false,
         defaultText: String?, allowedValues: [String], reason: @escaping @Sendable (String) -> String, accept: @escaping @Sendable (String, Value?) -> Value?) {
        self.names = names
        self.help = help ?? ""
        self.repeats = repeats
        self.upToNextOption = upToNextOption
        self.required = value == nil
        self.defaultText = defaultText
        self.allowedValues = allowedValues
        self.accept = accept
        self.reason = reason
        self.box = ArgumentBox(value)
    }

    func definition(key: String) -> ArgumentDefinition {
        let (longs, shorts) = names.resolve(key: key)
        let box = self.box
        let accept = self.accept
        let reason = self.reason
        var definition = ArgumentDefinition(kind: .option, key: key, longs: longs, shorts: shorts, help: help,
                                  valueName: help.valueName ?? Names.kebab(key), repeats: repeats, required: required,
                                  upToNextOption: upToNextOption, defaultText: defaultText, allowedValues: allowedValues,
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

extension Option: Sendable where Value: Sendable {}

extension Option where Value: ExpressibleByArgument {
    /// A single value with a default (`var signal = "KILL"`).
    public init(wrappedValue: Value, name: NameSpecification = .long, parsing: SingleValueParsingStrategy = .next, help: ArgumentHelp? = nil) {
        self.init(value: wrappedValue, names: name, help: help, defaultText: Self.describe(wrappedValue),
                  allowedValues: Value.allValueStrings, reason: { ValueErrors.reason(Value.self, $0) }, accept: { text, _ in Value(argument: text) })
    }

    /// A single value that must be given.
    public init(name: NameSpecification = .long, parsing: SingleValueParsingStrategy = .next, help: ArgumentHelp? = nil) {
        self.init(value: nil, names: name, help: help, defaultText: nil, allowedValues: Value.allValueStrings,
                  reason: { ValueErrors.reason(Value.self, $0) }, accept: { text, _ in Value(argument: text) })
    }

    static func describe(_ value: Value) -> String? {
        let text = value.defaultValueDescription
        return text.isEmpty ? nil : text
    }
}

extension Option {
    /// An optional value (`var format: String?`).
    public init<T: ExpressibleByArgument>(wrappedValue: T? = nil, name: NameSpecification = .long, parsing: SingleValueParsingStrategy = .next,
                                          help: ArgumentHelp? = nil) where Value == T? {
        self.init(value: .some(wrappedValue), names: name, help: help, defaultText: wrappedValue.flatMap(Option<T>.describe),
                  allowedValues: T.allValueStrings, reason: { ValueErrors.reason(T.self, $0) }, accept: { text, _ in T(argument: text).map { Optional($0) } })
    }

    /// Repeated values (`-e A -e B`); values given replace the default.
    public init<T: ExpressibleByArgument>(wrappedValue: [T] = [], name: NameSpecification = .long, parsing: ArrayParsingStrategy = .singleValue,
                                          help: ArgumentHelp? = nil) where Value == [T] {
        let defaultText = wrappedValue.isEmpty ? nil : wrappedValue.map(\.defaultValueDescription).joined(separator: ", ")
        self.init(value: wrappedValue, names: name, help: help, repeats: true, upToNextOption: parsing == .upToNextOption,
                  defaultText: defaultText, allowedValues: T.allValueStrings,
                  reason: { ValueErrors.reason(T.self, $0) }, accept: { text, current in T(argument: text).map { (current ?? []) + [$0] } })
    }
}
