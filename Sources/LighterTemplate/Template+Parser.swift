import LighterSystem

/// The parser of Go's text/template (text/template/parse/parse.go) over the lexer's tokens.
/// Errors read as Go's: `template: NAME:LINE: MESSAGE`.
struct TemplateParser {
    /// Nesting of parentheses and control structures allowed: deeper input is refused rather
    /// than risking the stack (Go has no such limit before 1.20, then 10000).
    static let maxDepth = 50

    private let tokens: [TemplateToken]
    private let parseName: String
    private let functions: Set<String>
    private var index = 0
    private var line = 1
    private var vars: [String] = ["$"]
    private var rangeDepth = 0
    private var actionLine = 0
    private var depth = 0
    private(set) var trees: [String: [TemplateNode]] = [:]

    static func parse(_ text: String, name: String, functions: Set<String>) throws(LighterError) -> [String: [TemplateNode]] {
        var parser = TemplateParser(tokens: TemplateLexer.tokens(text), parseName: name, functions: functions)
        let root = try parser.parseTop()
        try parser.add(name: name, root: root)
        return parser.trees
    }

    private init(tokens: [TemplateToken], parseName: String, functions: Set<String>) {
        self.tokens = tokens
        self.parseName = parseName
        self.functions = functions
    }

    // MARK: - Tokens

    private mutating func next() -> TemplateToken {
        let token = tokens[min(index, tokens.count - 1)]
        if index < tokens.count { index += 1 }
        line = token.line
        return token
    }

    private mutating func backup() { index -= 1 }

    private mutating func peek() -> TemplateToken {
        let token = next()
        backup()
        return token
    }

    private mutating func nextNonSpace() -> TemplateToken {
        var token = next()
        while token.kind == .space { token = next() }
        return token
    }

    private mutating func peekNonSpace() -> TemplateToken {
        let token = nextNonSpace()
        backup()
        return token
    }

    private func error(_ message: String) -> LighterError {
        LighterError.invalidArgument("template: \(parseName):\(line): \(message)")
    }

    private func unexpected(_ token: TemplateToken, _ context: String) -> LighterError {
        if token.kind == .error {
            var extra = ""
            if actionLine != 0 && actionLine != token.line {
                extra = " in action started at \(parseName):\(actionLine)"
                if token.text.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            return error(token.text + extra)
        }
        return error("unexpected \(token.described) in \(context)")
    }

    private mutating func expect(_ kind: TemplateToken.Kind, _ context: String) throws(LighterError) -> TemplateToken {
        let token = nextNonSpace()
        guard token.kind == kind else { throw unexpected(token, context) }
        return token
    }

    private mutating func enter() throws(LighterError) {
        depth += 1
        if depth > Self.maxDepth { throw error("max expression depth exceeded") }
    }

    // MARK: - Lists and definitions

    private static func isEmpty(_ nodes: [TemplateNode]) -> Bool {
        nodes.allSatisfy { node in
            if case let .text(text) = node { return text.allSatisfy(\.isWhitespace) }
            return false
        }
    }

    private mutating func add(name: String, root: [TemplateNode]) throws(LighterError) {
        guard let existing = trees[name], !Self.isEmpty(existing) else {
            trees[name] = root
            return
        }
        if !Self.isEmpty(root) { throw error("template: multiple definition of template \(GoQuote.quote(name))") }
    }

    private mutating func parseTop() throws(LighterError) -> [TemplateNode] {
        var root: [TemplateNode] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let mark = index
                _ = next()
                if nextNonSpace().kind == .define {
                    try parseDefinition()
                    continue
                }
                index = mark
            }
            // A lone `{{end}}` / `{{else}}` at the top.
            let (node, terminator) = try textOrAction()
            if let terminator { throw error("unexpected \(terminator)") }
            if let node { root.append(node) }
        }
        return root
    }

    private mutating func parseDefinition() throws(LighterError) {
        let context = "define clause"
        let token = nextNonSpace()
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        guard let name = GoQuote.unquote(token.text) else { throw error("invalid syntax") }
        _ = try expect(.rightDelim, context)
        let savedVars = vars
        let savedRange = rangeDepth
        vars = ["$"]
        rangeDepth = 0
        // Restored on errors too: an enclosing range/if/with trims `vars` back to its count as it unwinds.
        defer {
            vars = savedVars
            rangeDepth = savedRange
        }
        let (list, end) = try itemList()
        if end != "{{end}}" { throw error("unexpected \(end) in \(context)") }
        try add(name: name, root: list)
    }

    /// Nodes up to `{{end}}` or `{{else}}`, and which of the two ended them.
    private mutating func itemList() throws(LighterError) -> ([TemplateNode], String) {
        var list: [TemplateNode] = []
        while peekNonSpace().kind != .eof {
            let (node, terminator) = try textOrAction()
            if let terminator { return (list, terminator) }
            if let node { list.append(node) }
        }
        throw error("unexpected EOF")
    }

    /// A node, or the `{{end}}` / `{{else}}` that ends a list.
    private mutating func textOrAction() throws(LighterError) -> (TemplateNode?, String?) {
        let token = nextNonSpace()
        switch token.kind {
        case .text: return (.text(token.text), nil)
        case .leftDelim:
            actionLine = token.line
            defer { actionLine = 0 }
            return try action()
        default: throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(LighterError) -> (TemplateNode?, String?) {
        let token = nextNonSpace()
        switch token.kind {
        case .block: return (try blockControl(), nil)
        case .break_, .continue_:
            let name = token.kind == .break_ ? "break" : "continue"
            let after = nextNonSpace()
            guard after.kind == .rightDelim else { throw unexpected(after, "{{\(name)}}") }
            guard rangeDepth > 0 else { throw error("{{\(name)}} outside {{range}}") }
            return (token.kind == .break_ ? .breakLoop(offset: token.offset) : .continueLoop(offset: token.offset), nil)
        case .else_:
            if peekNonSpace().kind == .if_ { return (nil, "{{else}}") }
            _ = try expect(.rightDelim, "else")
            return (nil, "{{else}}")
        case .end:
            _ = try expect(.rightDelim, "end")
            return (nil, "{{end}}")
        case .if_: return (.branch(try parseControl(.if)), nil)
        case .range: return (.branch(try parseControl(.range)), nil)
        case .with: return (.branch(try parseControl(.with)), nil)
        case .template: return (try templateControl(), nil)
        default:
            backup()
            let offset = peek().offset
            return (.action(try pipeline("command", end: .rightDelim), offset: offset), nil)
        }
    }

    private mutating func parseControl(_ kind: TemplateBranch.Kind) throws(LighterError) -> TemplateBranch {
        try enter()
        defer { depth -= 1 }
        let savedVars = vars.count
        defer { vars.removeLast(vars.count - savedVars) }
        let context = kind.rawValue
        let pipe = try pipeline(context, end: .rightDelim)
        if kind == .range { rangeDepth += 1 }
        let (list, next) = try itemList()
        if kind == .range { rangeDepth -= 1 }
        var elseList: [TemplateNode]?
        if next == "{{else}}" {
            if kind == .if, peek().kind == .if_ {
                _ = self.next()
                elseList = [.branch(try parseControl(.if))]
            } else {
                let (list, end) = try itemList()
                if end != "{{end}}" { throw error("expected end; found \(end)") }
                elseList = list
            }
        }
        return TemplateBranch(kind: kind, pipe: pipe, list: list, elseList: elseList)
    }

    private mutating func templateName(_ token: TemplateToken, _ context: String) throws(LighterError) -> String {
        guard token.kind == .string || token.kind == .rawString else { throw unexpected(token, context) }
        guard let name = GoQuote.unquote(token.text) else { throw error("invalid syntax") }
        return name
    }

    private mutating func templateControl() throws(LighterError) -> TemplateNode {
        let context = "template clause"
        let token = nextNonSpace()
        let name = try templateName(token, context)
        var pipe: TemplatePipe?
        if nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline(context, end: .rightDelim)
        }
        return .template(name: name, pipe: pipe, offset: token.offset)
    }

    private mutating func blockControl() throws(LighterError) -> TemplateNode {
        let context = "block clause"
        let token = nextNonSpace()
        let name = try templateName(token, context)
        let pipe = try pipeline(context, end: .rightDelim)
        try enter()
        defer { depth -= 1 }
        let savedVars = vars
        let savedRange = rangeDepth
        vars = ["$"]
        rangeDepth = 0
        // Restored on errors too: an enclosing range/if/with trims `vars` back to its count as it unwinds.
        defer {
            vars = savedVars
            rangeDepth = savedRange
        }
        let (list, end) = try itemList()
        if end != "{{end}}" { throw error("unexpected \(end) in \(context)") }
        try add(name: name, root: list)
        return .template(name: name, pipe: pipe, offset: token.offset)
    }

    // MARK: - Pipelines

    private mutating func pipeline(_ context: String, end: TemplateToken.Kind) throws(LighterError) -> TemplatePipe {
        var pipe = TemplatePipe(offset: peekNonSpace().offset)
        declarations: while true {
            let v = peekNonSpace()
            guard v.kind == .variable else { break }
            let mark = index
            _ = nextNonSpace()
            let tokenAfterVariable = peek()
            let next = peekNonSpace()
            if next.kind == .assign || next.kind == .declare {
                pipe.isAssign = next.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append((v.text, v.offset))
                vars.append(v.text)
            } else if next.kind == .char && next.text == "," {
                _ = nextNonSpace()
                pipe.declarations.append((v.text, v.offset))
                vars.append(v.text)
                if context == "range" && pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            } else {
                _ = tokenAfterVariable
                index = mark
            }
            break
        }
        while true {
            let token = nextNonSpace()
            switch token.kind {
            case end:
                guard !pipe.commands.isEmpty else { throw error("missing value for \(context)") }
                for (i, command) in pipe.commands.enumerated().dropFirst() {
                    switch command.args[0] {
                    case .bool, .dot, .nil_, .number, .string:
                        throw error("non executable command in pipeline stage \(i + 1)")
                    default: break
                    }
                }
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nil_, .rawString, .string, .variable, .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private mutating func command() throws(LighterError) -> TemplateCommand {
        var command = TemplateCommand(offset: peekNonSpace().offset)
        while true {
            _ = peekNonSpace()
            if let operand = try operand() { command.args.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(token, "operand")
            }
            break
        }
        guard !command.args.isEmpty else { throw error("empty command") }
        return command
    }

    private mutating func operand() throws(LighterError) -> TemplateArgument? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        let chainOffset = peek().offset
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().text.dropFirst())) }
        switch node {
        case let .field(idents, _): return .field(idents + fields, offset: chainOffset)
        case let .variable(idents, _): return .variable(idents + fields, offset: chainOffset)
        case .bool, .string, .number, .nil_, .dot:
            throw error("unexpected . after term \(GoQuote.quote(node.description))")
        default: return .chain(node, fields, offset: chainOffset)
        }
    }

    private mutating func term() throws(LighterError) -> TemplateArgument? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard functions.contains(token.text) else { throw error("function \(GoQuote.quote(token.text)) not defined") }
            return .identifier(token.text, offset: token.offset)
        case .dot: return .dot(offset: token.offset)
        case .nil_: return .nil_(offset: token.offset)
        case .variable:
            let name = token.text
            guard vars.contains(name) else { throw error("undefined variable \(GoQuote.quote(name))") }
            return .variable([name], offset: token.offset)
        case .field: return .field([String(token.text.dropFirst())], offset: token.offset)
        case .bool: return .bool(token.text == "true", offset: token.offset)
        case .charConstant, .complex, .number:
            return .number(try number(token), offset: token.offset)
        case .leftParen:
            try enter()
            defer { depth -= 1 }
            return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            guard let value = GoQuote.unquote(token.text) else { throw error("invalid syntax") }
            return .string(quoted: token.text, value: value, offset: token.offset)
        default:
            backup()
            return nil
        }
    }

    private func number(_ token: TemplateToken) throws(LighterError) -> TemplateNumber {
        let text = token.text
        var number = TemplateNumber(text: text)
        if token.kind == .charConstant {
            let inner = String(text.dropFirst())
            guard let (scalar, tail) = GoQuote.unquoteChar(inner, quote: "'") else { throw error("invalid syntax") }
            guard tail == "'" else { throw error("malformed character constant: \(text)") }
            number.int = Int64(scalar.value)
            number.uint = UInt64(scalar.value)
            number.float = Double(scalar.value)
            number.isChar = true
            return number
        }
        if token.kind == .complex || text.hasSuffix("i") {
            throw error("complex numbers are not supported: \(GoQuote.quote(text))")
        }
        let u = GoNumber.parseUInt(text)
        if let u { number.uint = u }
        if let i = GoNumber.parseInt(text) {
            number.int = i
            if i == 0 { number.uint = u ?? 0 }
        }
        if let i = number.int {
            number.float = Double(i)
        } else if let u = number.uint {
            number.float = Double(u)
        } else if let f = GoNumber.parseFloat(text) {
            guard text.contains(where: { ".eEpP".contains($0) }) else { throw error("integer overflow: \(GoQuote.quote(text))") }
            number.float = f
            if f.isFinite, f >= -9.223372036854775808e18, f < 9.223372036854775808e18, Double(Int64(f)) == f { number.int = Int64(f) }
            if f.isFinite, f >= 0, f < 1.8446744073709551616e19, Double(UInt64(f)) == f { number.uint = UInt64(f) }
        }
        guard number.int != nil || number.uint != nil || number.float != nil else {
            throw error("illegal number syntax: \(GoQuote.quote(text))")
        }
        return number
    }
}
