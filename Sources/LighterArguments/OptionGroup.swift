/// Another arguments struct's options, flags and arguments, parsed as if declared here.
@propertyWrapper
public struct OptionGroup<Value: ParsableArguments>: OptionGroupDeclaration {
    public var wrappedValue: Value

    public init(title: String = "", visibility: ArgumentVisibility = .default) {
        wrappedValue = Value()
    }

    var group: any ParsableArguments { wrappedValue }
}

extension OptionGroup: Sendable where Value: Sendable {}
