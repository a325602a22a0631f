import LighterSystem

/// A Go text/template (the language of `docker --format`): parsed once, executed over
/// template values. Parsing and execution errors are `LighterError.invalidArgument` with Go's
/// own text (`template: :1: function "foo" not defined`).
///
/// ```
/// let template = try Template("{{range .Mounts}}{{.Source}} {{end}}")
/// let text = try template.execute(TemplateValue(jsonText: document))
/// ```
public struct Template: Sendable {
    /// The name the template executes as (Docker's templates have none).
    public let name: String
    let parseName: String
    let text: String
    let trees: [String: [TemplateNode]]
    let functions: [String: TemplateFunction]
    /// Go's `missingkey=error`: a missing map key is an error instead of `<no value>`.
    let missingKeyIsError: Bool
    /// Methods of the Go struct the data stands for, called as `.Name arg…` on an object without
    /// that key (Docker's ps rows have `.Label "key"`).
    var methods: [String: TemplateMethod] = [:]

    public init(_ text: String, name: String = "", functions: TemplateFunctions = .docker, missingKeyIsError: Bool = false) throws(LighterError) {
        let table = functions.table
        trees = try TemplateParser.parse(text, name: name, functions: Set(table.keys))
        self.name = name
        self.parseName = name
        self.text = text
        self.functions = table
        self.missingKeyIsError = missingKeyIsError
    }

    private init(copying other: Template, functions: [String: TemplateFunction]) {
        name = other.name
        parseName = other.parseName
        text = other.text
        trees = other.trees
        self.functions = functions
        missingKeyIsError = other.missingKeyIsError
    }

    /// The same template, where an object's `.Name arg…` calls `methods[Name]`.
    public func with(methods: [String: TemplateMethod]) -> Template {
        var copy = self
        copy.methods = methods
        return copy
    }

    /// The same template calling another set of functions (Docker's `tmpl.Funcs(HeaderFunctions)`).
    public func with(functions: TemplateFunctions) -> Template {
        Template(copying: self, functions: functions.table)
    }

    /// The template's output for `data` (the template's dot and `$`).
    public func execute(_ data: TemplateValue) throws(LighterError) -> String {
        var executor = TemplateExecutor(template: self)
        try executor.run(data)
        return executor.output
    }

    /// What the template wrote before it stopped, and the error that stopped it (nil when it
    /// ran to the end): Docker writes a table's header row this way, ignoring errors.
    public func executePartially(_ data: TemplateValue) -> (output: String, error: LighterError?) {
        var executor = TemplateExecutor(template: self)
        do {
            try executor.run(data)
            return (executor.output, nil)
        } catch {
            return (executor.output, error)
        }
    }
}


/// A method with string parameters returning a string, on the object a template's data stands for.
public struct TemplateMethod: Sendable {
    public let parameters: Int
    public let body: @Sendable (_ receiver: TemplateValue, _ arguments: [String]) -> String

    public init(parameters: Int, body: @escaping @Sendable (_ receiver: TemplateValue, _ arguments: [String]) -> String) {
        self.parameters = parameters
        self.body = body
    }
}
