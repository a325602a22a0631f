/// The lexer of Go's text/template (text/template/parse/lex.go): the template's text becomes a
/// list of tokens, ending with `.eof` or one `.error` token (the parser reports it when it gets
/// there, as Go's does).
struct TemplateToken: Sendable {
    enum Kind: Sendable, Equatable {
        case error, bool, char, charConstant, complex, assign, declare, eof, field, identifier
        case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text
        case variable, dot, nil_
        case block, break_, continue_, define, else_, end, if_, range, template, with
        var isKeyword: Bool {
            switch self {
            case .block, .break_, .continue_, .dot, .define, .else_, .end, .if_, .range, .nil_, .template, .with: return true
            default: return false
            }
        }
    }
    let kind: Kind
    let text: String
    /// Byte offset of the token in the template (for execution errors' line:column).
    let offset: Int
    let line: Int

    /// How Go's parser names a token in "unexpected ..." errors.
    var described: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return text
        case _ where kind.isKeyword: return "<\(text)>"
        default:
            let scalars = Array(text.unicodeScalars)
            if scalars.count > 10 {
                var head = String.UnicodeScalarView()
                head.append(contentsOf: scalars[0..<10])
                return GoQuote.quote(String(head)) + "..."
            }
            return GoQuote.quote(text)
        }
    }
}

struct TemplateLexer {
    private let input: [Unicode.Scalar]
    /// Byte offset (UTF-8) of each scalar, plus the end.
    private let byteOffsets: [Int]
    private var pos = 0
    private var start = 0
    private var atEOF = false
    private var line = 1
    private var startLine = 1
    private var parenDepth = 0
    private(set) var tokens: [TemplateToken] = []

    private enum State { case text, leftDelim, comment, rightDelim, insideAction, done }

    static func tokens(_ text: String) -> [TemplateToken] {
        var lexer = TemplateLexer(text)
        lexer.run()
        return lexer.tokens
    }

    private init(_ text: String) {
        input = Array(text.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(input.count + 1)
        var offset = 0
        for scalar in input {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        byteOffsets = offsets
    }

    private mutating func run() {
        var state = State.text
        while state != .done {
            switch state {
            case .text: state = lexText()
            case .leftDelim: state = lexLeftDelim()
            case .comment: state = lexComment()
            case .rightDelim: state = lexRightDelim()
            case .insideAction: state = lexInsideAction()
            case .done: break
            }
        }
    }

    // MARK: - Primitives

    private static func isSpace(_ r: Unicode.Scalar?) -> Bool {
        r == " " || r == "\t" || r == "\r" || r == "\n"
    }
    static func isAlphaNumeric(_ r: Unicode.Scalar?) -> Bool {
        guard let r else { return false }
        if r == "_" { return true }
        if r.isASCII { return (r >= "a" && r <= "z") || (r >= "A" && r <= "Z") || (r >= "0" && r <= "9") }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber: return true
        default: return false
        }
    }

    /// The next scalar, nil at the end (Go's eof).
    private mutating func next() -> Unicode.Scalar? {
        guard pos < input.count else { atEOF = true; return nil }
        let r = input[pos]
        pos += 1
        if r == "\n" { line += 1 }
        return r
    }

    private mutating func backup() {
        if !atEOF && pos > 0 {
            pos -= 1
            if input[pos] == "\n" { line -= 1 }
        }
    }

    private mutating func peek() -> Unicode.Scalar? {
        let r = next()
        backup()
        return r
    }

    private func hasPrefix(_ text: String, at index: Int) -> Bool {
        var i = index
        for scalar in text.unicodeScalars {
            guard i < input.count, input[i] == scalar else { return false }
            i += 1
        }
        return true
    }

    private func hasLeftTrimMarker(at index: Int) -> Bool {
        index + 1 < input.count && input[index] == "-" && Self.isSpace(input[index + 1])
    }

    private func hasRightTrimMarker(at index: Int) -> Bool {
        index + 1 < input.count && Self.isSpace(input[index]) && input[index + 1] == "-"
    }

    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if hasRightTrimMarker(at: pos) && hasPrefix("}}", at: pos + 2) { return (true, true) }
        if hasPrefix("}}", at: pos) { return (true, false) }
        return (false, false)
    }

    private func newlines(_ range: Range<Int>) -> Int {
        var count = 0
        for i in range where input[i] == "\n" { count += 1 }
        return count
    }

    private func slice(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: input[range])
        return String(view)
    }

    private mutating func emit(_ kind: TemplateToken.Kind) {
        tokens.append(TemplateToken(kind: kind, text: slice(start..<pos), offset: byteOffsets[start], line: startLine))
        start = pos
        startLine = line
    }

    private mutating func ignore() {
        line += newlines(start..<pos)
        start = pos
        startLine = line
    }

    private mutating func error(_ message: String) -> State {
        tokens.append(TemplateToken(kind: .error, text: message, offset: byteOffsets[start], line: startLine))
        return .done
    }

    private mutating func accept(_ valid: String) -> Bool {
        if let r = next(), valid.unicodeScalars.contains(r) { return true }
        backup()
        return false
    }

    private mutating func acceptRun(_ valid: String) {
        while let r = next(), valid.unicodeScalars.contains(r) {}
        backup()
    }

    private mutating func atTerminator() -> Bool {
        guard let r = peek() else { return true }
        if Self.isSpace(r) { return true }
        switch r {
        case ".", ",", "|", ":", ")", "(": return true
        default: return hasPrefix("}}", at: pos)
        }
    }

    // MARK: - States

    private mutating func lexText() -> State {
        var x = pos
        while x < input.count, !hasPrefix("{{", at: x) { x += 1 }
        if x < input.count {
            pos = x
            var trimLength = 0
            if hasLeftTrimMarker(at: pos + 2) {
                var i = pos
                while i > start, Self.isSpace(input[i - 1]) { i -= 1 }
                trimLength = pos - i
            }
            pos -= trimLength
            if pos > start {
                line += newlines(start..<pos)
                emit(.text)
            }
            pos += trimLength
            ignore()
            return .leftDelim
        }
        pos = input.count
        if pos > start {
            line += newlines(start..<pos)
            emit(.text)
        }
        emit(.eof)
        return .done
    }

    private mutating func lexLeftDelim() -> State {
        pos += 2
        let trim = hasLeftTrimMarker(at: pos)
        let afterMarker = trim ? 2 : 0
        if hasPrefix("/*", at: pos + afterMarker) {
            pos += afterMarker
            ignore()
            return .comment
        }
        emit(.leftDelim)
        pos += afterMarker
        ignore()
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State {
        pos += 2
        var i = pos
        while i < input.count, !hasPrefix("*/", at: i) { i += 1 }
        guard i < input.count else { return error("unclosed comment") }
        pos = i + 2
        let (delim, trim) = atRightDelim()
        guard delim else { return error("comment ends before closing delimiter") }
        if trim { pos += 2 }
        pos += 2
        if trim { while pos < input.count, Self.isSpace(input[pos]) { pos += 1 } }
        ignore()
        return .text
    }

    private mutating func lexRightDelim() -> State {
        let trim = hasRightTrimMarker(at: pos)
        if trim {
            pos += 2
            ignore()
        }
        pos += 2
        emit(.rightDelim)
        if trim {
            while pos < input.count, Self.isSpace(input[pos]) { pos += 1 }
            ignore()
        }
        return .text
    }

    private mutating func lexInsideAction() -> State {
        if atRightDelim().delim {
            return parenDepth == 0 ? .rightDelim : error("unclosed left paren")
        }
        guard let r = next() else { return error("unclosed action") }
        switch r {
        case _ where Self.isSpace(r):
            backup()
            return lexSpace()
        case "=": emit(.assign)
        case ":":
            guard next() == "=" else { return error("expected :=") }
            emit(.declare)
        case "|": emit(.pipe)
        case "\"": return lexQuote()
        case "`": return lexRawQuote()
        case "$": return lexVariable()
        case "'": return lexChar()
        case "." where pos < input.count && !(input[pos] >= "0" && input[pos] <= "9"):
            return lexFieldOrVariable(.field)
        case ".", "+", "-", "0"..."9":
            backup()
            return lexNumber()
        case _ where Self.isAlphaNumeric(r):
            backup()
            return lexIdentifier()
        case "(":
            emit(.leftParen)
            parenDepth += 1
        case ")":
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right paren \(GoQuote.unicodeDescription(r))") }
        case _ where r.value < 0x80 && r.value >= 0x20 && r.value < 0x7F:
            emit(.char)
        default:
            return error("unrecognized character in action: \(GoQuote.unicodeDescription(r))")
        }
        return .insideAction
    }

    private mutating func lexSpace() -> State {
        var count = 0
        while Self.isSpace(peek()) {
            _ = next()
            count += 1
        }
        if hasRightTrimMarker(at: pos - 1) && hasPrefix("}}", at: pos + 1) {
            backup()
            if count == 1 { return .rightDelim }
        }
        emit(.space)
        return .insideAction
    }

    private mutating func lexIdentifier() -> State {
        while true {
            let r = next()
            if Self.isAlphaNumeric(r) { continue }
            backup()
            let word = slice(start..<pos)
            guard atTerminator() else { return error("bad character \(GoQuote.unicodeDescription(r))") }
            switch word {
            case "block": emit(.block)
            case "break": emit(.break_)
            case "continue": emit(.continue_)
            case "define": emit(.define)
            case "else": emit(.else_)
            case "end": emit(.end)
            case "if": emit(.if_)
            case "range": emit(.range)
            case "nil": emit(.nil_)
            case "template": emit(.template)
            case "with": emit(.with)
            case "true", "false": emit(.bool)
            default: emit(.identifier)
            }
            return .insideAction
        }
    }

    private mutating func lexVariable() -> State {
        if atTerminator() {
            emit(.variable)
            return .insideAction
        }
        return lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ kind: TemplateToken.Kind) -> State {
        if atTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return .insideAction
        }
        var r: Unicode.Scalar?
        while true {
            r = next()
            if !Self.isAlphaNumeric(r) {
                backup()
                break
            }
        }
        guard atTerminator() else { return error("bad character \(GoQuote.unicodeDescription(r))") }
        emit(kind)
        return .insideAction
    }

    private mutating func lexChar() -> State {
        while true {
            switch next() {
            case "\\":
                if let r = next(), r != "\n" { continue }
                return error("unterminated character constant")
            case nil, "\n": return error("unterminated character constant")
            case "'":
                emit(.charConstant)
                return .insideAction
            default: continue
            }
        }
    }

    private mutating func lexQuote() -> State {
        while true {
            switch next() {
            case "\\":
                if let r = next(), r != "\n" { continue }
                return error("unterminated quoted string")
            case nil, "\n": return error("unterminated quoted string")
            case "\"":
                emit(.string)
                return .insideAction
            default: continue
            }
        }
    }

    private mutating func lexRawQuote() -> State {
        while true {
            switch next() {
            case nil: return error("unterminated raw quoted string")
            case "`":
                emit(.rawString)
                return .insideAction
            default: continue
            }
        }
    }

    private mutating func lexNumber() -> State {
        guard scanNumber() else { return error("bad number syntax: \(GoQuote.quote(slice(start..<pos)))") }
        if let sign = peek(), sign == "+" || sign == "-" {
            guard scanNumber(), input[pos - 1] == "i" else {
                return error("bad number syntax: \(GoQuote.quote(slice(start..<pos)))")
            }
            emit(.complex)
        } else {
            emit(.number)
        }
        return .insideAction
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") { digits = "0123456789abcdefABCDEF_" }
            else if accept("oO") { digits = "01234567_" }
            else if accept("bB") { digits = "01_" }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if Self.isAlphaNumeric(peek()) {
            _ = next()
            return false
        }
        return true
    }
}
