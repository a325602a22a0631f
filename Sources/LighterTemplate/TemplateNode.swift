/// The parse tree of a template (text/template/parse's nodes). `offset` is the byte offset in
/// the template's text, for the `line:column` of execution errors; `description` writes a node
/// back as Go's `String()` does, for the `at <...>` of execution errors.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipe, offset: Int)
    case branch(TemplateBranch)
    case template(name: String, pipe: TemplatePipe?, offset: Int)
    case breakLoop(offset: Int)
    case continueLoop(offset: Int)

    var offset: Int {
        switch self {
        case .text: return 0
        case let .action(_, offset), let .template(_, _, offset), let .breakLoop(offset), let .continueLoop(offset): return offset
        case let .branch(branch): return branch.pipe.offset
        }
    }

    var description: String {
        switch self {
        case let .text(text): return text
        case let .action(pipe, _): return "{{\(pipe.description)}}"
        case let .branch(branch): return branch.description
        case let .template(name, pipe, _):
            guard let pipe else { return "{{template \(GoQuote.quote(name))}}" }
            return "{{template \(GoQuote.quote(name)) \(pipe.description)}}"
        case .breakLoop: return "{{break}}"
        case .continueLoop: return "{{continue}}"
        }
    }
}

/// `if`, `with` or `range`: a pipeline, the list run when it holds, and the `else` list.
struct TemplateBranch: Sendable {
    enum Kind: String, Sendable { case `if`, with, range }
    let kind: Kind
    let pipe: TemplatePipe
    let list: [TemplateNode]
    let elseList: [TemplateNode]?

    var description: String {
        let body = list.map(\.description).joined()
        guard let elseList else { return "{{\(kind.rawValue) \(pipe.description)}}\(body){{end}}" }
        return "{{\(kind.rawValue) \(pipe.description)}}\(body){{else}}\(elseList.map(\.description).joined()){{end}}"
    }
}

/// `$x := cmd | cmd`.
struct TemplatePipe: Sendable {
    var isAssign = false
    var declarations: [(name: String, offset: Int)] = []
    var commands: [TemplateCommand] = []
    let offset: Int

    var description: String {
        var out = ""
        if !declarations.isEmpty {
            out += declarations.map(\.name).joined(separator: ", ") + " := "
        }
        out += commands.map(\.description).joined(separator: " | ")
        return out
    }
}

struct TemplateCommand: Sendable {
    var args: [TemplateArgument] = []
    let offset: Int

    var description: String {
        args.map { arg in
            if case let .pipe(pipe) = arg { return "(\(pipe.description))" }
            return arg.description
        }.joined(separator: " ")
    }
}

/// A number literal with every reading Go's parser found valid for it.
struct TemplateNumber: Sendable {
    let text: String
    var int: Int64?
    var uint: UInt64?
    var float: Double?
    var isChar = false
}

indirect enum TemplateArgument: Sendable {
    case identifier(String, offset: Int)
    case dot(offset: Int)
    case nil_(offset: Int)
    /// `$x.A.B` as ["$x", "A", "B"].
    case variable([String], offset: Int)
    /// `.A.B` as ["A", "B"].
    case field([String], offset: Int)
    /// `(pipe).A.B`, `$x` never: what fields follow a term that is not a field or variable.
    case chain(TemplateArgument, [String], offset: Int)
    case bool(Bool, offset: Int)
    case number(TemplateNumber, offset: Int)
    case string(quoted: String, value: String, offset: Int)
    case pipe(TemplatePipe)

    var offset: Int {
        switch self {
        case let .identifier(_, offset), let .dot(offset), let .nil_(offset), let .variable(_, offset),
             let .field(_, offset), let .chain(_, _, offset), let .bool(_, offset), let .number(_, offset),
             let .string(_, _, offset):
            return offset
        case let .pipe(pipe): return pipe.offset
        }
    }

    var description: String {
        switch self {
        case let .identifier(name, _): return name
        case .dot: return "."
        case .nil_: return "nil"
        case let .variable(idents, _): return idents.joined(separator: ".")
        case let .field(idents, _): return idents.map { "." + $0 }.joined()
        case let .chain(node, fields, _):
            let head: String
            if case let .pipe(pipe) = node { head = "(\(pipe.description))" } else { head = node.description }
            return head + fields.map { "." + $0 }.joined()
        case let .bool(value, _): return value ? "true" : "false"
        case let .number(number, _): return number.text
        case let .string(quoted, _, _): return quoted
        case let .pipe(pipe): return pipe.description
        }
    }
}
