import LighterSystem

/// A value during execution: the value, and whether Go would hold it in an `interface {}`
/// (an element of a `[]interface {}` or `map[string]interface {}`), which decides a few of
/// Go's behaviours (a nil there is a nil interface) and the type its errors name.
struct ExecValue: Sendable {
    var value: TemplateValue
    var boxed = false

    static let missing = ExecValue(value: .missing)

    /// Go's type of the reflect.Value.
    var goType: String { boxed ? "interface {}" : value.goType }

    /// indirectInterface: the value inside an interface; a nil interface becomes invalid.
    var unboxed: ExecValue {
        guard boxed else { return self }
        if case .null = value { return .missing }
        return ExecValue(value: value)
    }

    /// Go's isTrue (the "ok" is always true for JSON values).
    var truth: Bool {
        switch unboxed.value {
        case .missing, .null: return false
        case let .bool(b): return b
        case let .int(n): return n != 0
        case let .uint(n): return n != 0
        case let .float(f): return f != 0
        case let .string(s): return !s.isEmpty
        case let .array(items): return !items.isEmpty
        case let .object(fields): return !fields.isEmpty
        }
    }

    /// An element taken out of a container: held in an interface unless the container is
    /// `[]string` / `map[string]string`.
    static func element(_ value: TemplateValue, of container: TemplateValue) -> ExecValue {
        ExecValue(value: value, boxed: !(container.isStringArray || container.isStringMap))
    }
}

/// The Go type a function's parameter has, which decides how its arguments are evaluated.
enum ParameterType: Sendable {
    /// reflect.Value: anything, unconverted.
    case value
    /// interface {}: anything; an invalid value becomes nil.
    case any
    case string
    case int
    case stringSlice

    var goName: String {
        switch self {
        case .value: return "reflect.Value"
        case .any: return "interface {}"
        case .string: return "string"
        case .int: return "int"
        case .stringSlice: return "[]string"
        }
    }
}

extension LighterError {
    /// The text of a template error (a function's own error is reported as
    /// `error calling NAME: MESSAGE`).
    var templateMessage: String {
        if case let .invalidArgument(message) = self { return message }
        return description
    }
}

struct TemplateFunction: Sendable {
    let fixed: [ParameterType]
    let variadic: ParameterType?
    let body: @Sendable ([ExecValue]) throws(LighterError) -> ExecValue

    init(_ fixed: [ParameterType], variadic: ParameterType? = nil, _ body: @escaping @Sendable ([ExecValue]) throws(LighterError) -> ExecValue) {
        self.fixed = fixed
        self.variadic = variadic
        self.body = body
    }
}

/// Which functions a template may call.
public enum TemplateFunctions: Sendable {
    /// Go's builtins and Docker's (`json`, `split`, `join`, `title`, `lower`, `upper`, `pad`,
    /// `truncate`), as `docker --format` has them.
    case docker
    /// Docker's functions for a table's header row: those that would change the header text
    /// (`json`, `split`, `join`, `title`, `lower`, `upper`, `truncate`) give it unchanged.
    case dockerHeader

    var table: [String: TemplateFunction] {
        switch self {
        case .docker: return TemplateFunctionTable.docker
        case .dockerHeader: return TemplateFunctionTable.dockerHeader
        }
    }
}

enum TemplateFunctionTable {
    static let docker: [String: TemplateFunction] = builtins.merging(dockerFunctions) { $1 }
    static let dockerHeader: [String: TemplateFunction] = docker.merging(headerFunctions) { $1 }

    static func string(_ s: String) -> ExecValue { ExecValue(value: .string(s)) }
    static func bool(_ b: Bool) -> ExecValue { ExecValue(value: .bool(b)) }

    /// What an `interface {}` argument holds (a nil for an invalid value).
    static func any(_ v: ExecValue) -> TemplateValue {
        if case .missing = v.value { return .null }
        return v.value
    }

    static func stringValue(_ v: ExecValue) -> String {
        if case let .string(s) = v.value { return s }
        return ""
    }

    static func intValue(_ v: ExecValue) -> Int {
        if case let .int(n) = v.value { return n }
        return 0
    }

    static let builtins: [String: TemplateFunction] = [
        "and": TemplateFunction([.value], variadic: .value) { args in args.last ?? .missing },
        "or": TemplateFunction([.value], variadic: .value) { args in args.last ?? .missing },
        "not": TemplateFunction([.value]) { args in bool(!args[0].truth) },
        "len": TemplateFunction([.value]) { args throws(LighterError) in try length(args[0]) },
        "index": TemplateFunction([.value], variadic: .value) { args throws(LighterError) in
            try index(args[0], Array(args.dropFirst()))
        },
        "slice": TemplateFunction([.value], variadic: .value) { args throws(LighterError) in
            try slice(args[0], Array(args.dropFirst()))
        },
        "call": TemplateFunction([.value], variadic: .value) { args throws(LighterError) in
            let fn = args[0].unboxed
            if case .missing = fn.value { throw LighterError.invalidArgument("call of nil") }
            throw LighterError.invalidArgument("non-function of type \(fn.goType)")
        },
        "print": TemplateFunction([], variadic: .any) { args in string(GoFormat.sprint(args.map(any))) },
        "println": TemplateFunction([], variadic: .any) { args in string(GoFormat.sprintln(args.map(any))) },
        "printf": TemplateFunction([.string], variadic: .any) { args in
            string(GoFormat.sprintf(stringValue(args[0]), args.dropFirst().map(any)))
        },
        "html": TemplateFunction([], variadic: .any) { args in string(Escaping.html(escapedArgument(args))) },
        "js": TemplateFunction([], variadic: .any) { args in string(Escaping.js(escapedArgument(args))) },
        "urlquery": TemplateFunction([], variadic: .any) { args in string(Escaping.urlQuery(escapedArgument(args))) },
        "eq": TemplateFunction([.value], variadic: .value) { args throws(LighterError) in
            bool(try Comparison.eq(args[0], Array(args.dropFirst())))
        },
        "ne": TemplateFunction([.value, .value]) { args throws(LighterError) in
            bool(!(try Comparison.eq(args[0], [args[1]])))
        },
        "lt": TemplateFunction([.value, .value]) { args throws(LighterError) in bool(try Comparison.lt(args[0], args[1])) },
        "le": TemplateFunction([.value, .value]) { args throws(LighterError) in bool(try Comparison.le(args[0], args[1])) },
        "gt": TemplateFunction([.value, .value]) { args throws(LighterError) in bool(!(try Comparison.le(args[0], args[1]))) },
        "ge": TemplateFunction([.value, .value]) { args throws(LighterError) in bool(!(try Comparison.lt(args[0], args[1]))) },
    ]

    /// text/template's evalArgs for html/js/urlquery: one string as is, otherwise Sprint of the
    /// arguments with nil shown as `<no value>`.
    static func escapedArgument(_ args: [ExecValue]) -> String {
        if args.count == 1, case let .string(s) = args[0].value { return s }
        return GoFormat.sprint(args.map { arg in
            switch arg.value {
            case .missing, .null: return .string("<no value>")
            default: return arg.value
            }
        })
    }

    static let dockerFunctions: [String: TemplateFunction] = [
        "json": TemplateFunction([.any]) { args in string(any(args[0]).json) },
        "split": TemplateFunction([.string, .string]) { args in
            ExecValue(value: .array(GoStrings.split(stringValue(args[0]), stringValue(args[1])).map(TemplateValue.string)))
        },
        "join": TemplateFunction([.stringSlice, .string]) { args in
            guard case let .array(items) = args[0].value else { return string("") }
            return string(items.map { if case let .string(s) = $0 { return s } else { return "" } }.joined(separator: stringValue(args[1])))
        },
        "title": TemplateFunction([.string]) { args in string(GoStrings.title(stringValue(args[0]))) },
        "lower": TemplateFunction([.string]) { args in string(GoStrings.lower(stringValue(args[0]))) },
        "upper": TemplateFunction([.string]) { args in string(GoStrings.upper(stringValue(args[0]))) },
        "pad": TemplateFunction([.string, .int, .int]) { args throws(LighterError) in
            let source = stringValue(args[0])
            guard !source.isEmpty else { return string(source) }
            let prefix = intValue(args[1]), suffix = intValue(args[2])
            guard prefix >= 0, suffix >= 0 else { throw LighterError.invalidArgument("strings: negative Repeat count") }
            return string(String(repeating: " ", count: prefix) + source + String(repeating: " ", count: suffix))
        },
        "truncate": TemplateFunction([.string, .int]) { args throws(LighterError) in
            let source = stringValue(args[0])
            let length = intValue(args[1])
            let bytes = Array(source.utf8)
            if bytes.count < length { return string(source) }
            guard length >= 0 else { throw LighterError.invalidArgument("runtime error: slice bounds out of range [:\(length)]") }
            return string(String(decoding: bytes[0..<length], as: UTF8.self))
        },
    ]

    static let headerFunctions: [String: TemplateFunction] = [
        "json": TemplateFunction([.string]) { args in args[0].unboxed },
        "split": TemplateFunction([.string, .string]) { args in args[0].unboxed },
        "join": TemplateFunction([.string, .string]) { args in args[0].unboxed },
        "title": TemplateFunction([.string]) { args in args[0].unboxed },
        "lower": TemplateFunction([.string]) { args in args[0].unboxed },
        "upper": TemplateFunction([.string]) { args in args[0].unboxed },
        "truncate": TemplateFunction([.string, .int]) { args in args[0].unboxed },
    ]

    // MARK: - len, index, slice

    static func length(_ item: ExecValue) throws(LighterError) -> ExecValue {
        if item.boxed, case .null = item.value { throw LighterError.invalidArgument("len of nil pointer") }
        switch item.value {
        case .missing: throw LighterError.invalidArgument("reflect: call of reflect.Value.Type on zero Value")
        case let .string(s): return ExecValue(value: .int(s.utf8.count))
        case let .array(items): return ExecValue(value: .int(items.count))
        case let .object(fields): return ExecValue(value: .int(fields.count))
        default: throw LighterError.invalidArgument("len of type \(item.unboxed.goType)")
        }
    }

    static func indexArgument(_ index: ExecValue, cap: Int) throws(LighterError) -> Int {
        let x: Int
        switch index.value {
        case let .int(n): x = n
        case let .uint(n): x = Int(truncatingIfNeeded: n)
        case .missing, .null: throw LighterError.invalidArgument("cannot index slice/array with nil")
        default: throw LighterError.invalidArgument("cannot index slice/array with type \(index.goType)")
        }
        guard x >= 0, x <= cap else { throw LighterError.invalidArgument("index out of range: \(x)") }
        return x
    }

    static func index(_ start: ExecValue, _ indexes: [ExecValue]) throws(LighterError) -> ExecValue {
        var item = start.unboxed
        if case .missing = item.value { throw LighterError.invalidArgument("index of untyped nil") }
        for raw in indexes {
            let index = raw.unboxed
            if item.boxed, case .null = item.value { throw LighterError.invalidArgument("index of nil pointer") }
            let container = item.value
            switch container {
            case let .array(items):
                let x = try indexArgument(index, cap: items.count)
                guard x < items.count else { throw LighterError.invalidArgument("reflect: slice index out of range") }
                item = .element(items[x], of: container)
            case let .string(s):
                let bytes = Array(s.utf8)
                let x = try indexArgument(index, cap: bytes.count)
                guard x < bytes.count else { throw LighterError.invalidArgument("reflect: string index out of range") }
                item = ExecValue(value: .int(Int(bytes[x])))
            case let .object(fields):
                let key: String
                switch index.value {
                case .missing: throw LighterError.invalidArgument("value is nil; should be of type string")
                case let .string(s): key = s
                default: throw LighterError.invalidArgument("value has type \(index.goType); should be string")
                }
                if let found = fields[key] {
                    item = .element(found, of: container)
                } else {
                    item = container.isStringMap ? ExecValue(value: .string("")) : ExecValue(value: .null, boxed: true)
                }
            default:
                throw LighterError.invalidArgument("can't index item of type \(item.unboxed.goType)")
            }
        }
        return item
    }

    static func slice(_ start: ExecValue, _ indexes: [ExecValue]) throws(LighterError) -> ExecValue {
        let item = start.unboxed
        if case .missing = item.value { throw LighterError.invalidArgument("slice of untyped nil") }
        guard indexes.count <= 3 else { throw LighterError.invalidArgument("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch item.value {
        case let .string(s):
            guard indexes.count < 3 else { throw LighterError.invalidArgument("cannot 3-index slice a string") }
            count = s.utf8.count
        case let .array(items): count = items.count
        default: throw LighterError.invalidArgument("can't slice item of type \(item.goType)")
        }
        var idx = [0, count, count]
        for (i, index) in indexes.enumerated() {
            // Unlike index, Go's slice takes its indexes as they come: one held in an interface fails.
            if index.boxed { throw LighterError.invalidArgument("cannot index slice/array with type interface {}") }
            idx[i] = try indexArgument(index, cap: count)
        }
        guard idx[0] <= idx[1] else { throw LighterError.invalidArgument("invalid slice index: \(idx[0]) > \(idx[1])") }
        if indexes.count == 3, idx[1] > idx[2] { throw LighterError.invalidArgument("invalid slice index: \(idx[1]) > \(idx[2])") }
        switch item.value {
        case let .string(s): return ExecValue(value: .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self)))
        case let .array(items): return ExecValue(value: .array(Array(items[idx[0]..<idx[1]])))
        default: return item
        }
    }
}
