/// A type an option or argument's text converts to.
public protocol ExpressibleByArgument: SendableMetatype {
    init?(argument: String)
    /// The default value as help shows it.
    var defaultValueDescription: String { get }
    /// Every accepted value, when they are few (enumerations); help and errors list them.
    static var allValueStrings: [String] { get }
}

extension ExpressibleByArgument {
    public var defaultValueDescription: String { "\(self)" }
    public static var allValueStrings: [String] { [] }
}

extension ExpressibleByArgument where Self: RawRepresentable, RawValue: ExpressibleByArgument {
    public init?(argument: String) {
        guard let raw = RawValue(argument: argument) else { return nil }
        self.init(rawValue: raw)
    }
    public var defaultValueDescription: String { rawValue.defaultValueDescription }
}

extension ExpressibleByArgument where Self: CaseIterable, Self: RawRepresentable, RawValue == String {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension String: ExpressibleByArgument {
    public init?(argument: String) { self = argument }
}

extension Int: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension Int8: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension Int16: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension Int32: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension Int64: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension UInt: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension UInt8: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension UInt16: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension UInt32: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension UInt64: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }
extension Double: ExpressibleByArgument { public init?(argument: String) { self.init(argument) } }

extension Bool: ExpressibleByArgument {
    /// Go's strconv.ParseBool, as Docker's flags read `--rm=false`.
    public init?(argument: String) {
        switch argument {
        case "1", "t", "T", "true", "TRUE", "True": self = true
        case "0", "f", "F", "false", "FALSE", "False": self = false
        default: return nil
        }
    }
}
