import LighterSystem

/// The executor of Go's text/template (text/template/exec.go) over template values. Errors
/// read as Go's: `template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE`.
struct TemplateExecutor {
    /// Nested `{{template}}` calls and `if`/`with`/`range` blocks allowed together (Go allows
    /// 100000 template calls, more than a thread's stack holds).
    static let maxDepth = 100
    /// Nodes evaluated before execution is stopped: a template cannot make Lighter spin.
    static let maxSteps = 1_000_000

    let template: Template
    var output = ""
    private var vars: [(name: String, value: ExecValue)] = []
    private var templateName: String
    private var depth = 0
    private var steps = 0
    /// The node being evaluated (Go's state.node), for errors: its offset and text.
    private var nodeOffset: Int?
    private var nodeText = ""

    private enum Flow { case normal, breakLoop, continueLoop }

    init(template: Template) {
        self.template = template
        self.templateName = template.name
    }

    mutating func run(_ data: TemplateValue) throws(LighterError) {
        // Go's Execute(nil): the dot is an invalid value, not a nil interface.
        let dot = data == .null ? ExecValue.missing : ExecValue(value: data)
        vars = [("$", dot)]
        guard let root = template.trees[template.name] else {
            throw LighterError.invalidArgument("template: \(template.name): \(GoQuote.quote(template.name)) is an incomplete or empty template")
        }
        _ = try walk(dot, root)
    }

    // MARK: - Errors

    private mutating func at(_ offset: Int, _ text: @autoclosure () -> String) {
        nodeOffset = offset
        nodeText = text()
    }

    private func error(_ message: String) -> LighterError {
        guard let offset = nodeOffset else {
            return LighterError.invalidArgument("template: \(templateName): \(message)")
        }
        let bytes = Array(template.text.utf8.prefix(offset))
        let lastNewline = bytes.lastIndex(of: 0x0A)
        let column = lastNewline.map { offset - ($0 + 1) } ?? offset
        let line = 1 + bytes.filter { $0 == 0x0A }.count
        return LighterError.invalidArgument("template: \(template.parseName):\(line):\(column): executing \(GoQuote.quote(templateName)) at <\(nodeText)>: \(message)")
    }

    private mutating func step() throws(LighterError) {
        steps += 1
        if steps > Self.maxSteps { throw error("template execution stopped after \(Self.maxSteps) steps") }
    }

    // MARK: - Walking the tree

    private mutating func walk(_ dot: ExecValue, _ nodes: [TemplateNode]) throws(LighterError) -> Flow {
        for node in nodes {
            let flow = try walk(dot, node)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private mutating func walk(_ dot: ExecValue, _ node: TemplateNode) throws(LighterError) -> Flow {
        try step()
        if case .text = node {} else { at(node.offset, node.description) }
        switch node {
        case let .text(text):
            output += text
        case let .action(pipe, _):
            let value = try evalPipeline(dot, pipe)
            if pipe.declarations.isEmpty { printValue(value) }
        case let .branch(branch):
            guard depth < Self.maxDepth else { throw error("exceeded maximum template depth (\(Self.maxDepth))") }
            depth += 1
            defer { depth -= 1 }
            switch branch.kind {
            case .if, .with: return try walkIfOrWith(dot, branch)
            case .range: return try walkRange(dot, branch)
            }
        case let .template(name, pipe, _):
            try walkTemplate(dot, name: name, pipe: pipe)
        case .breakLoop: return .breakLoop
        case .continueLoop: return .continueLoop
        }
        return .normal
    }

    private mutating func printValue(_ value: ExecValue) {
        if case .missing = value.value {
            output += "<no value>"
        } else {
            output += GoFormat.string(value.value)
        }
    }

    private mutating func walkIfOrWith(_ dot: ExecValue, _ branch: TemplateBranch) throws(LighterError) -> Flow {
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let value = try evalPipeline(dot, branch.pipe)
        if value.truth {
            return try walk(branch.kind == .with ? value : dot, branch.list)
        } else if let elseList = branch.elseList {
            return try walk(dot, elseList)
        }
        return .normal
    }

    private mutating func walkRange(_ dot: ExecValue, _ branch: TemplateBranch) throws(LighterError) -> Flow {
        let outerMark = vars.count
        defer { vars.removeLast(vars.count - outerMark) }
        let value = try evalPipeline(dot, branch.pipe).unboxed
        let mark = vars.count
        let declarations = branch.pipe.declarations.count
        func iteration(_ executor: inout TemplateExecutor, index: ExecValue, element: ExecValue) throws(LighterError) -> Flow {
            if declarations > 0 { executor.vars[executor.vars.count - 1].value = element }
            if declarations > 1 { executor.vars[executor.vars.count - 2].value = index }
            defer { executor.vars.removeLast(executor.vars.count - mark) }
            return try executor.walk(element, branch.list)
        }
        switch value.value {
        case let .array(items) where !items.isEmpty:
            for (i, item) in items.enumerated() {
                if try iteration(&self, index: ExecValue(value: .int(i)), element: .element(item, of: value.value)) == .breakLoop { break }
            }
            return .normal
        case let .object(fields) where !fields.isEmpty:
            for key in TemplateValue.sortedKeys(fields) {
                if try iteration(&self, index: ExecValue(value: .string(key)), element: .element(fields[key]!, of: value.value)) == .breakLoop { break }
            }
            return .normal
        case .array, .object, .missing: break
        default:
            throw error("range can't iterate over \(GoFormat.string(value.value))")
        }
        if let elseList = branch.elseList { return try walk(dot, elseList) }
        return .normal
    }

    private mutating func walkTemplate(_ dot: ExecValue, name: String, pipe: TemplatePipe?) throws(LighterError) {
        guard let tree = template.trees[name] else { throw error("template \(GoQuote.quote(name)) not defined") }
        guard depth < Self.maxDepth else { throw error("exceeded maximum template depth (\(Self.maxDepth))") }
        var value = ExecValue.missing
        if let pipe { value = try evalPipeline(dot, pipe) }
        let savedVars = vars, savedName = templateName
        vars = [("$", value)]
        templateName = name
        depth += 1
        defer {
            depth -= 1
            vars = savedVars
            templateName = savedName
        }
        _ = try walk(value, tree)
    }

    // MARK: - Pipelines and commands

    private mutating func evalPipeline(_ dot: ExecValue, _ pipe: TemplatePipe) throws(LighterError) -> ExecValue {
        at(pipe.offset, pipe.description)
        var value: ExecValue?
        for command in pipe.commands {
            try step()
            value = try evalCommand(dot, command, final: value).unboxed
        }
        let result = value ?? .missing
        for declaration in pipe.declarations {
            if pipe.isAssign {
                try setVar(declaration.name, result)
            } else {
                vars.append((declaration.name, result))
            }
        }
        return result
    }

    private mutating func setVar(_ name: String, _ value: ExecValue) throws(LighterError) {
        guard let i = vars.lastIndex(where: { $0.name == name }) else { throw error("undefined variable: \(name)") }
        vars[i].value = value
    }

    private func varValue(_ name: String) throws(LighterError) -> ExecValue {
        guard let found = vars.last(where: { $0.name == name }) else { throw error("undefined variable: \(name)") }
        return found.value
    }

    private mutating func notAFunction(_ args: [TemplateArgument], _ final: ExecValue?) throws(LighterError) {
        if args.count > 1 || final != nil { throw error("can't give argument to non-function \(args[0].description)") }
    }

    private mutating func evalCommand(_ dot: ExecValue, _ command: TemplateCommand, final: ExecValue?) throws(LighterError) -> ExecValue {
        let first = command.args[0]
        switch first {
        case let .field(idents, offset):
            at(offset, first.description)
            return try evalFieldChain(dot, receiver: dot, idents[...], args: command.args, final: final)
        case let .chain(node, fields, offset):
            return try evalChain(dot, first, node: node, fields: fields, offset: offset, args: command.args, final: final)
        case let .identifier(name, offset):
            at(offset, name)
            return try evalCall(dot, name: name, args: Array(command.args.dropFirst()), callOffset: command.offset, callText: command.description, final: final)
        case let .pipe(pipe):
            try notAFunction(command.args, final)
            return try evalPipeline(dot, pipe)
        case let .variable(idents, offset):
            return try evalVariable(dot, idents: idents, offset: offset, text: first.description, args: command.args, final: final)
        default: break
        }
        at(first.offset, first.description)
        try notAFunction(command.args, final)
        switch first {
        case let .bool(value, _): return ExecValue(value: .bool(value))
        case .dot: return dot
        case .nil_: throw error("nil is not a command")
        case let .number(number, offset): return try idealConstant(number, offset: offset)
        case let .string(_, value, _): return ExecValue(value: .string(value))
        default: throw error("can't evaluate command \(GoQuote.quote(first.description))")
        }
    }

    private mutating func evalChain(_ dot: ExecValue, _ chain: TemplateArgument, node: TemplateArgument, fields: [String], offset: Int,
                                    args: [TemplateArgument], final: ExecValue?) throws(LighterError) -> ExecValue {
        at(offset, chain.description)
        if case .nil_ = node { throw error("indirection through explicit nil in \(chain.description)") }
        let receiver = try evalArg(dot, nil, node)
        return try evalFieldChain(dot, receiver: receiver, fields[...], args: args, final: final)
    }

    private mutating func evalVariable(_ dot: ExecValue, idents: [String], offset: Int, text: String,
                                       args: [TemplateArgument], final: ExecValue?) throws(LighterError) -> ExecValue {
        at(offset, text)
        let value = try varValue(idents[0])
        if idents.count == 1 {
            try notAFunction(args, final)
            return value
        }
        return try evalFieldChain(dot, receiver: value, idents.dropFirst(), args: args, final: final)
    }

    private mutating func evalFieldChain(_ dot: ExecValue, receiver start: ExecValue, _ idents: ArraySlice<String>,
                                         args: [TemplateArgument], final: ExecValue?) throws(LighterError) -> ExecValue {
        var receiver = start
        for ident in idents.dropLast() {
            receiver = try evalField(dot, ident, args: [], final: nil, receiver: receiver)
        }
        return try evalField(dot, idents.last!, args: args, final: final, receiver: receiver)
    }

    private mutating func evalField(_ dot: ExecValue, _ name: String, args: [TemplateArgument], final: ExecValue?, receiver: ExecValue) throws(LighterError) -> ExecValue {
        if case .missing = receiver.value {
            if template.missingKeyIsError { throw error("nil data; no entry for key \(GoQuote.quote(name))") }
            return .missing
        }
        if receiver.boxed, case .null = receiver.value {
            throw error("nil pointer evaluating interface {}.\(name)")
        }
        let hasArgs = args.count > 1 || final != nil
        if case let .object(fields) = receiver.value {
            if let method = template.methods[name], fields[name] == nil {
                // A method of the Go struct the object stands for (Docker's `.Label "key"` on ps rows).
                let given = args.count - 1 + (final == nil ? 0 : 1)
                if given != method.parameters {
                    throw error("wrong number of args for \(name): want \(method.parameters) got \(given)")
                }
                var argv: [String] = []
                for arg in args.dropFirst() {
                    guard case let .string(text) = try evalArg(dot, .string, arg).value else { continue }
                    argv.append(text)
                }
                if let final, case let .string(text) = try validate(final, .string).value { argv.append(text) }
                return ExecValue(value: .string(method.body(receiver.value, argv)))
            }
            if hasArgs { throw error("\(name) is not a method but has arguments") }
            guard let found = fields[name] else {
                if template.missingKeyIsError { throw error("map has no entry for key \(GoQuote.quote(name))") }
                return .missing
            }
            return .element(found, of: receiver.value)
        }
        throw error("can't evaluate field \(name) in type \(receiver.goType)")
    }

    private mutating func idealConstant(_ number: TemplateNumber, offset: Int) throws(LighterError) -> ExecValue {
        at(offset, number.text)
        let text = number.text.lowercased()
        let isHexInt = text.count > 2 && text.hasPrefix("0x") && !text.contains("p")
        if let float = number.float, !isHexInt, !number.isChar, text.contains(where: { ".ep".contains($0) }) {
            return ExecValue(value: .float(float))
        }
        if let int = number.int { return ExecValue(value: .int(Int(int))) }
        if number.uint != nil { throw error("\(number.text) overflows int") }
        return .missing
    }

    // MARK: - Arguments and calls

    /// evalArg: an argument evaluated for a parameter of the given type (nil: no conversion).
    private mutating func evalArg(_ dot: ExecValue, _ type: ParameterType?, _ node: TemplateArgument) throws(LighterError) -> ExecValue {
        at(node.offset, node.description)
        switch node {
        case .dot: return try validate(dot, type)
        case .nil_:
            switch type {
            case nil, .value: return .missing
            case .any: return ExecValue(value: .null)
            case .stringSlice: return ExecValue(value: .array([]))
            case let .some(type): throw error("cannot assign nil to \(type.goName)")
            }
        case let .field(idents, _):
            let value = try evalFieldChain(dot, receiver: dot, idents[...], args: [node], final: nil)
            return try validate(value, type)
        case let .variable(idents, offset):
            let value = try evalVariable(dot, idents: idents, offset: offset, text: node.description, args: [], final: nil)
            return try validate(value, type)
        case let .pipe(pipe):
            let value = try evalPipeline(dot, pipe)
            return try validate(value, type)
        case let .identifier(name, offset):
            let value = try evalCall(dot, name: name, args: [], callOffset: offset, callText: name, final: nil)
            return try validate(value, type)
        case let .chain(inner, fields, offset):
            let value = try evalChain(dot, node, node: inner, fields: fields, offset: offset, args: [], final: nil)
            return try validate(value, type)
        default: break
        }
        switch type {
        case .string:
            if case let .string(_, value, _) = node { return ExecValue(value: .string(value)) }
            throw error("expected string; found \(node.description)")
        case .int:
            if case let .number(number, _) = node, let int = number.int { return ExecValue(value: .int(Int(int))) }
            throw error("expected integer; found \(node.description)")
        case .stringSlice:
            throw error("can't handle \(node.description) for arg of type []string")
        case nil, .any, .value:
            switch node {
            case let .bool(value, _): return ExecValue(value: .bool(value))
            case let .number(number, offset): return try idealConstant(number, offset: offset)
            case let .string(_, value, _): return ExecValue(value: .string(value))
            default: throw error("can't handle \(node.description) for arg of type \(type?.goName ?? "interface {}")")
            }
        }
    }

    /// validateType: a value checked against (and converted to) a parameter's type. (Callers
    /// evaluate the value first: `validate(try eval...)` would read the node being evaluated
    /// from a copy of the executor taken before the evaluation.)
    private func validate(_ value: ExecValue, _ type: ParameterType?) throws(LighterError) -> ExecValue {
        guard let type else { return value }
        if case .missing = value.value {
            switch type {
            case .value: return .missing
            case .any: return ExecValue(value: .null)
            case .stringSlice: return ExecValue(value: .array([]))
            case .string, .int: throw error("invalid value; expected \(type.goName)")
            }
        }
        switch type {
        case .value, .any: return value
        case .string, .int, .stringSlice:
            var concrete = value
            if value.boxed, !(value.value == .null) { concrete = value.unboxed }
            switch (type, concrete.value) {
            case (.string, .string), (.int, .int): if !concrete.boxed { return concrete }
            case (.stringSlice, .array): if !concrete.boxed && concrete.value.isStringArray { return concrete }
            default: break
            }
            throw error("wrong type for value; expected \(type.goName); got \(concrete.goType)")
        }
    }

    private mutating func evalCall(_ dot: ExecValue, name: String, args: [TemplateArgument], callOffset: Int, callText: String,
                                   final: ExecValue?) throws(LighterError) -> ExecValue {
        guard let function = template.functions[name] else { throw error("\(GoQuote.quote(name)) is not a defined function") }
        let numIn = args.count + (final == nil ? 0 : 1)
        let numFixed: Int
        if function.variadic != nil {
            numFixed = function.fixed.count
            if numIn < numFixed { throw error("wrong number of args for \(name): want at least \(numFixed) got \(args.count)") }
        } else {
            numFixed = args.count
            if numIn != function.fixed.count { throw error("wrong number of args for \(name): want \(function.fixed.count) got \(numIn)") }
        }
        if name == "and" || name == "or" {
            var value = ExecValue.missing
            for arg in args {
                value = try evalArg(dot, .value, arg)
                if value.truth == (name == "or") { return value }
            }
            if let final { value = final }
            return value
        }
        var argv: [ExecValue] = []
        argv.reserveCapacity(numIn)
        var i = 0
        while i < numFixed && i < args.count {
            argv.append(try evalArg(dot, function.fixed[i], args[i]))
            i += 1
        }
        if let variadic = function.variadic {
            while i < args.count {
                argv.append(try evalArg(dot, variadic, args[i]))
                i += 1
            }
        }
        if let final {
            let type: ParameterType
            if let variadic = function.variadic {
                type = numIn - 1 < numFixed ? function.fixed[numIn - 1] : variadic
            } else {
                type = function.fixed[function.fixed.count - 1]
            }
            argv.append(try validate(final, type))
        }
        do {
            return try function.body(argv)
        } catch {
            at(callOffset, callText)
            throw self.error("error calling \(name): \(error.templateMessage)")
        }
    }
}
