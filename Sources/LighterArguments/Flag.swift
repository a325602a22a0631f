/// A Bool flag: `--all`, `-a`, bundled `-aq`, and Docker's `--all=false`; with an inversion also `--no-all`.
@propertyWrapper
public struct Flag<Value>: ArgumentDeclaration {
    let names: NameSpecification
    let help: ArgumentHelp
    let inversion: FlagInversion?
    let accept: @Sendable (Bool, Value?) -> Value
    var box: ArgumentBox<Value>

    public var wrappedValue: Value {
        get {
            guard let value = box.value else { fatalError("flag read before it was parsed") }
            return value
        }
        set { box = ArgumentBox(newValue) }
    }

    func definition(key: String) -> ArgumentDefinition {
        let (longs, shorts) = names.resolve(key: key)
        var inverted: [String] = []
        switch inversion {
        case .prefixedNo?: inverted = longs.map { "no-" + $0 }
        case .prefixedEnableDisable?: inverted = longs.map { "disable-" + $0 }
        case nil: break
        }
        let positive = inversion == .prefixedEnableDisable ? longs.map { "enable-" + $0 } : longs
        let box = self.box
        let accept = self.accept
        var definition = ArgumentDefinition(kind: .flag, key: key, longs: positive, shorts: shorts, inverted: inverted, help: help, valueName: "",
                                  set: { text in
                                      guard let truth = Bool(argument: text) else { return false }
                                      box.value = accept(truth, box.given ? box.value : nil)
                                      box.given = true
                                      return true
                                  }, given: { box.given })
        definition.reason = { ValueErrors.reason(Bool.self, $0) }
        return definition
    }
}

extension Flag: Sendable where Value: Sendable {}

extension Flag where Value == Bool {
    public init(wrappedValue: Bool = false, name: NameSpecification = .long, help: ArgumentHelp? = nil) {
        self.names = name
        self.help = help ?? ""
        self.inversion = nil
        self.accept = { truth, _ in truth }
        self.box = ArgumentBox(wrappedValue)
    }

    public init(wrappedValue: Bool, name: NameSpecification = .long, inversion: FlagInversion,
                exclusivity: FlagExclusivity = .chooseLast, help: ArgumentHelp? = nil) {
        self.names = name
        self.help = help ?? ""
        self.inversion = inversion
        self.accept = { truth, _ in truth }
        self.box = ArgumentBox(wrappedValue)
    }
}

extension Flag where Value == Int {
    /// A counted flag (`-vvv` is 3).
    public init(name: NameSpecification = .long, help: ArgumentHelp? = nil) {
        self.names = name
        self.help = help ?? ""
        self.inversion = nil
        self.accept = { truth, count in truth ? (count ?? 0) + 1 : 0 }
        self.box = ArgumentBox(0)
    }
}
